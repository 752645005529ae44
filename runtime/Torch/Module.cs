using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>
/// A network layer or container, shaped on PyTorch's nn.Module. Children, parameters and
/// buffers are registered explicitly (generated code does it; no reflection), in order, so
/// names and state_dict order follow PyTorch's: own parameters, own buffers, then children.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string name, Module module)> ownChildren = [];
    private readonly List<(string name, Parameter? parameter)> ownParameters = [];
    private readonly List<(string name, Tensor? buffer, bool persistent)> ownBuffers = [];
    private readonly HashSet<string> names = [];
    private bool disposed;

    protected Module(string name) => Name = name;

    /// <summary>The module's type name (for summaries and messages).</summary>
    public string Name { get; }

    public string GetName() => Name;

    public bool training { get; private set; } = true;

    // ---- registration ----------------------------------------------------------------------

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.')) throw new ArgumentException($"name '{name}' must not contain '.'", nameof(name));
        if (!names.Add(name)) throw new ArgumentException($"'{name}' is already registered in {Name}", nameof(name));
    }

    protected internal void register_module(string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        Claim(name);
        ownChildren.Add((name, module));
    }

    protected internal void register_parameter(string name, Parameter? parameter)
    {
        Claim(name);
        ownParameters.Add((name, parameter));
    }

    /// <summary>Registers a buffer (state that is not learned, e.g. BN running stats). The module takes ownership.</summary>
    protected internal void register_buffer(string name, Tensor? buffer, bool persistent = true)
    {
        Claim(name);
        buffer?.DetachFromDisposeScope();
        ownBuffers.Add((name, buffer, persistent));
    }

    /// <summary>
    /// Puts <paramref name="module"/> where the child <paramref name="name"/> was (PyTorch's
    /// <c>setattr(parent, name, module)</c> over an existing child), in the same place of the
    /// order: traversal, state_dict, train/eval, to and Dispose see the new module from now on.
    /// Code that still holds the old child in a typed field (generated networks, Sequential)
    /// reaches the new one as well: the old child's <see cref="Module{TIn, TOut}.call"/> forwards
    /// to it. The old child is returned, not disposed (the new one may share its tensors).
    /// </summary>
    public Module replace_module(string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var index = ownChildren.FindIndex(c => c.name == name);
        if (index < 0) throw new ArgumentException($"{Name} has no child '{name}' to replace", nameof(name));
        var old = ownChildren[index].module;
        if (!old.CanForwardTo(module))
            throw new ArgumentException($"'{name}' ({old.Name}) cannot be replaced by a {module.Name}: its forward takes and returns other types", nameof(module));
        ownChildren[index] = (name, module);
        if (!ReferenceEquals(old, module)) old.ReplacedBy = module;
        return old;
    }

    /// <summary>The module that took this one's place in its parent, if any (see <see cref="replace_module"/>).</summary>
    private protected Module? ReplacedBy { get; private set; }

    private protected virtual bool CanForwardTo(Module replacement) => true;

    // ---- traversal -------------------------------------------------------------------------

    public IEnumerable<(string name, Module module)> named_children() => ownChildren;

    public IEnumerable<Module> children() => ownChildren.Select(c => c.module);

    /// <summary>This module ("" as its name) and every descendant, depth first.</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in ownChildren)
            foreach (var item in child.named_modules(Join(prefix, name)))
                yield return item;
    }

    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, p) in module.ownParameters)
                if (p is not null && seen.Add(p)) yield return (Join(prefix, name), p);
    }

    public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, b, _) in module.ownBuffers)
                if (b is not null) yield return (Join(prefix, name), b);
    }

    public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

    /// <summary>Total number of parameter elements.</summary>
    public long parameter_count() => parameters().Sum(p => p.numel());

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- state -----------------------------------------------------------------------------

    /// <summary>
    /// Every parameter and persistent buffer by its dotted name, in PyTorch's order. The values
    /// are detached tensors sharing storage with the module (new handles the caller owns).
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (prefix, module) in named_modules())
        {
            foreach (var (name, p) in module.ownParameters)
                if (p is not null) result[Join(prefix, name)] = p.detach();
            foreach (var (name, b, persistent) in module.ownBuffers)
                if (b is not null && persistent) result[Join(prefix, name)] = b.detach();
        }
        return result;
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers by name. Shape mismatches are
    /// always errors; in strict mode missing and unexpected keys are too. Every offending key
    /// is named in the message, and nothing is copied when there is an error.
    /// As in PyTorch, a module may declare entries a checkpoint can lack (<see cref="optional_state_keys"/>:
    /// a BatchNorm's <c>num_batches_tracked</c>, which checkpoints from before PyTorch 0.4.1 lack);
    /// and a one-element [1] tensor loads into a 0-d one.
    /// </summary>
    /// <param name="keyMap">
    /// Renames checkpoint keys before matching (e.g. timm's or another library's naming to
    /// torchvision's); returning null drops the key. Unexpected keys are reported by their new name.
    /// </param>
    public LoadStateDictResult load_state_dict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true,
        Func<string, string?>? keyMap = null)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        if (keyMap is not null) stateDict = Rename(stateDict, keyMap);
        var own = new Dictionary<string, Tensor>();
        var optional = new HashSet<string>();
        foreach (var (prefix, module) in named_modules())
        {
            foreach (var (name, p) in module.ownParameters)
                if (p is not null) own[Join(prefix, name)] = p;
            foreach (var (name, b, persistent) in module.ownBuffers)
                if (b is not null && persistent) own[Join(prefix, name)] = b;
            foreach (var name in module.optional_state_keys()) optional.Add(Join(prefix, name));
        }

        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k) && !optional.Contains(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, target) in own)
        {
            if (!stateDict.TryGetValue(key, out var source)) continue;
            var (ts, ss) = (target.shape, source.shape);
            if (!ts.SequenceEqual(ss) && !(ts.Length == 0 && ss is [1])) // [1] → 0-d: PyTorch 0.3 scalars, as PyTorch allows
                mismatched.Add($"{key}: checkpoint shape [{string.Join(", ", ss)}], module shape [{string.Join(", ", ts)}]");
        }

        var problems = new List<string>();
        if (mismatched.Count > 0) problems.Add("size mismatch for " + string.Join("; ", mismatched));
        if (strict && missing.Count > 0) problems.Add("missing key(s): " + string.Join(", ", missing));
        if (strict && unexpected.Count > 0) problems.Add("unexpected key(s): " + string.Join(", ", unexpected));
        if (problems.Count > 0)
            throw new InvalidOperationException($"Error(s) in loading state_dict for {Name}: " + string.Join(". ", problems));

        using (torch.no_grad())
        {
            foreach (var (key, target) in own)
            {
                if (!stateDict.TryGetValue(key, out var source)) continue;
                if (target.dim() == 0 && source.dim() == 1)
                {
                    using var scalar = source.reshape([]);
                    target.copy_(scalar);
                }
                else target.copy_(source);
            }
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>
    /// This module's own state entries (parameter and buffer names, no prefix) that a checkpoint
    /// may lack: <see cref="load_state_dict"/> then keeps their values and does not report them
    /// missing (PyTorch's modules do this in their <c>_load_from_state_dict</c>).
    /// </summary>
    protected virtual IEnumerable<string> optional_state_keys() => [];

    private static Dictionary<string, Tensor> Rename(IReadOnlyDictionary<string, Tensor> stateDict, Func<string, string?> keyMap)
    {
        var renamed = new Dictionary<string, Tensor>();
        foreach (var (key, value) in stateDict)
        {
            if (keyMap(key) is not { } target) continue;
            if (!renamed.TryAdd(target, value))
                throw new InvalidOperationException($"key map sends two checkpoint keys to '{target}' (the second is '{key}')");
        }
        return renamed;
    }

    // ---- modes and devices -----------------------------------------------------------------

    public virtual Module train(bool mode = true)
    {
        training = mode;
        foreach (var (_, child) in ownChildren) child.train(mode);
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Calls <paramref name="fn"/> on every descendant, then on this module (PyTorch's order).</summary>
    public Module apply(Action<Module> fn)
    {
        foreach (var (_, child) in ownChildren) child.apply(fn);
        fn(this);
        return this;
    }

    /// <summary>
    /// Moves and/or casts parameters and buffers in place: the Parameter objects stay the same,
    /// so an optimizer built before this call stays valid. Only floating-point tensors change
    /// dtype; a memory format applies to 4-d tensors.
    /// </summary>
    public Module to(Device? device = null, ScalarType? dtype = null, MemoryFormat? memoryFormat = null)
    {
        if (dtype is { } t && !t.IsFloatingPoint())
            throw new ArgumentException($"Module.to only accepts floating point dtypes, got {t.TorchName()}", nameof(dtype));
        foreach (var (_, module) in named_modules())
        {
            foreach (var (_, p) in module.ownParameters)
                if (p is not null) Convert(p, device, dtype, memoryFormat, moveGrad: true);
            foreach (var (_, b, _) in module.ownBuffers)
                if (b is not null) Convert(b, device, dtype, memoryFormat, moveGrad: false);
        }
        return this;
    }

    public Module to(Device device) => to(device, null, null);

    public Module to(ScalarType dtype) => to(null, dtype, null);

    public Module to(MemoryFormat memoryFormat) => to(null, null, memoryFormat);

    private static void Convert(Tensor tensor, Device? device, ScalarType? dtype, MemoryFormat? format, bool moveGrad)
    {
        var currentType = tensor.dtype;
        var targetType = dtype is { } d && currentType.IsFloatingPoint() ? d : currentType;
        var targetDevice = device ?? tensor.device;
        var targetFormat = format is { } f && tensor.dim() == 4 ? f : MemoryFormat.Preserve;
        if (targetType == currentType && targetDevice == tensor.device &&
            (targetFormat == MemoryFormat.Preserve || tensor.is_contiguous(targetFormat))) return;

        using var moved = Moved(tensor, targetDevice, targetType, targetFormat);
        using (torch.no_grad()) tensor.set_data(moved);
        if (!moveGrad) return;
        using var grad = tensor.grad;
        if (grad is null) return;
        using var movedGrad = Moved(grad, targetDevice, targetType, targetFormat);
        tensor.grad = movedGrad;
    }

    private static Tensor Moved(Tensor t, Device device, ScalarType type, MemoryFormat format) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_to(t.Handle, (int)device.type, device.index, (int)type, (int)format, 0, out var r), r)
            .DetachFromDisposeScope();

    /// <summary>Clears the gradients of every parameter in one native call.</summary>
    public void zero_grad(bool set_to_none = true) => torch.zero_grad(parameters().ToList(), set_to_none);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposed || !disposing) return;
        disposed = true;
        foreach (var (_, child) in ownChildren) child.Dispose();
        foreach (var (_, p) in ownParameters) p?.Dispose();
        foreach (var (_, b, _) in ownBuffers) b?.Dispose();
    }
}

/// <summary>A module with a typed forward pass (TorchSharp's Module&lt;T, TResult&gt;).</summary>
public abstract class Module<TIn, TOut> : Module
{
    protected Module(string name) : base(name) { }

    public abstract TOut forward(TIn input);

    /// <summary>
    /// Runs <see cref="forward"/> (PyTorch's module(x)); once this module was replaced in its
    /// parent (<see cref="Module.replace_module"/>), runs the replacement instead.
    /// </summary>
    public TOut call(TIn input) => ReplacedBy is Module<TIn, TOut> replacement ? replacement.call(input) : forward(input);

    private protected override bool CanForwardTo(Module replacement) => replacement is Module<TIn, TOut>;
}

/// <summary>What a non-strict load_state_dict skipped.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys);
