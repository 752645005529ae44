using ResNetGen.Torch.Native;

namespace ResNetGen.Torch.Optim;

/// <summary>
/// Base of the optimizers, shaped on <c>torch.optim.Optimizer</c>: parameter groups with
/// per-group hyperparameters, lazily created per-parameter state, <see cref="zero_grad"/>,
/// <see cref="step()"/>, and <see cref="state_dict"/>/<see cref="load_state_dict"/> for resuming.
/// <para>
/// Each group's update is one native call over all its parameters (src/optim.cpp), run without
/// autograd. Parameters without a gradient are skipped. State tensors are created on the
/// parameter's device and follow it: a module moved with <c>Module.to(device/dtype)</c> after
/// the optimizer was built (the Parameter objects stay the same) keeps training with the same
/// optimizer and its state is converted on the next step.
/// </para>
/// <para>
/// <c>foreach</c>: null (the default) uses libtorch's multi-tensor kernels for groups on CUDA and
/// the single-tensor formulas (torch.optim 1.13's default, bit-identical to it) on the CPU; true
/// or false forces one or the other.
/// </para>
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> groups = [];
    private readonly Dictionary<Parameter, ParamState> states = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double> defaultOptions;
    private bool disposed;

    protected Optimizer(IEnumerable<ParamGroup> paramGroups, IReadOnlyDictionary<string, double> defaults, bool? @foreach)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        defaultOptions = new Dictionary<string, double>(defaults);
        Foreach = @foreach;
        foreach (var g in paramGroups) add_param_group(g);
        if (groups.Count == 0 || groups.All(g => g.@params.Count == 0))
            throw new ArgumentException("optimizer got an empty parameter list");
    }

    /// <summary>Wraps a plain parameter list into one group.</summary>
    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParamGroup(parameters)];
    }

    /// <summary>The default hyperparameters (what a group that does not set an option gets).</summary>
    public IReadOnlyDictionary<string, double> defaults => defaultOptions;

    public IReadOnlyList<ParamGroup> param_groups => groups;

    /// <summary>null: multi-tensor kernels on CUDA, single-tensor on CPU; true/false forces.</summary>
    public bool? Foreach { get; set; }

    /// <summary>Number of completed <see cref="step()"/> calls.</summary>
    public long step_count { get; private set; }

    /// <summary>The state option names this optimizer keeps per parameter (for state_dict).</summary>
    protected abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>Whether this optimizer counts steps per parameter (AdamW's "step").</summary>
    protected virtual bool HasStepCount => false;

    /// <summary>Adds a group; options it lacks take the defaults. A parameter may be in one group only.</summary>
    public void add_param_group(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        ObjectDisposedException.ThrowIf(disposed, this);
        var existing = new HashSet<Parameter>(groups.SelectMany(g => g.@params), ReferenceEqualityComparer.Instance);
        var mine = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var p in group.@params)
        {
            if (!mine.Add(p)) throw new ArgumentException("a parameter group contains the same parameter twice", nameof(group));
            if (existing.Contains(p)) throw new ArgumentException("some parameters appear in more than one parameter group", nameof(group));
            if (!p.dtype.IsFloatingPoint()) throw new ArgumentException($"can only optimize floating point tensors, got {p.dtype.TorchName()}", nameof(group));
        }
        foreach (var (k, v) in defaultOptions) group.SetDefault(k, v);
        ValidateGroup(group);
        groups.Add(group);
    }

    /// <summary>Checks a group's options (ranges as torch.optim checks them).</summary>
    protected virtual void ValidateGroup(ParamGroup group)
    {
        if (group.lr < 0) throw new ArgumentException($"Invalid learning rate: {group.lr}");
        if (group.weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {group.weight_decay}");
    }

    /// <summary>Every parameter of every group, in order.</summary>
    public IEnumerable<Parameter> parameters() => groups.SelectMany(g => g.@params);

    /// <summary>Clears the gradients of every parameter in one native call (drops them when <paramref name="set_to_none"/>).</summary>
    public void zero_grad(bool set_to_none = true)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        torch.zero_grad(parameters().ToList(), set_to_none);
    }

    /// <summary>Updates every parameter that has a gradient: one native call per group.</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (var g in groups)
        {
            ValidateGroup(g);
            if (g.@params.Count > 0) StepGroup(g);
        }
        step_count++;
    }

    /// <summary>Re-evaluates the loss with <paramref name="closure"/> (grad enabled), then steps; returns the loss.</summary>
    public Tensor step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        Tensor loss;
        using (torch.enable_grad()) loss = closure();
        step();
        return loss;
    }

    /// <summary>Performs the update of one group.</summary>
    protected abstract void StepGroup(ParamGroup group);

    /// <summary>Whether a group's update uses the multi-tensor kernels.</summary>
    protected bool UseForeach(ParamGroup group) => Foreach ?? group.@params[0].is_cuda;

    // ---- per-parameter state -----------------------------------------------------------------

    /// <summary>Per-parameter state: named tensors (owned by the optimizer) and a step count.</summary>
    protected internal sealed class ParamState
    {
        public readonly Dictionary<string, Tensor> Tensors = new(StringComparer.Ordinal);
        public double Step;
    }

    private protected ParamState StateOf(Parameter p)
    {
        if (!states.TryGetValue(p, out var s)) states[p] = s = new ParamState();
        return s;
    }

    /// <summary>
    /// The state of <paramref name="parameter"/> (e.g. "momentum_buffer", "exp_avg"), as new
    /// handles the caller owns (sharing storage with the optimizer's), plus "step" where counted.
    /// Empty before the parameter's first update.
    /// </summary>
    public Dictionary<string, Tensor> state(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (!states.TryGetValue(parameter, out var s) || (s.Tensors.Count == 0 && s.Step == 0)) return result;
        if (HasStepCount) result["step"] = torch.tensor(s.Step);
        foreach (var name in StateNames)
            if (s.Tensors.TryGetValue(name, out var t)) result[name] = t.alias();
        return result;
    }

    /// <summary>Raw handles of state <paramref name="name"/> for each parameter (zero where absent), held alive by <paramref name="args"/>.</summary>
    private protected IntPtr[] StateSlots(ref NativeArgs args, IReadOnlyList<Parameter> ps, string name)
    {
        var slots = new IntPtr[ps.Count];
        for (var i = 0; i < ps.Count; i++)
            if (states.TryGetValue(ps[i], out var s) && s.Tensors.TryGetValue(name, out var t)) slots[i] = args.Optional(t);
        return slots;
    }

    /// <summary>Takes ownership of the state tensors the native step created in empty slots.</summary>
    private protected void AdoptSlots(IReadOnlyList<Parameter> ps, string name, IntPtr[]? slots)
    {
        if (slots is null) return;
        for (var i = 0; i < ps.Count; i++)
        {
            if (slots[i] == IntPtr.Zero) continue;
            var s = StateOf(ps[i]);
            if (s.Tensors.ContainsKey(name)) continue;
            s.Tensors[name] = new Tensor(slots[i]).DetachFromDisposeScope();
        }
    }

    // ---- state dict ------------------------------------------------------------------------

    /// <summary>
    /// The optimizer's state for resuming: per-parameter state tensors (keyed by the parameter's
    /// index across all groups, in order, as PyTorch numbers them) and each group's options. The
    /// tensors are new handles sharing storage with the live state (as PyTorch's are references):
    /// save them before stepping again, or clone them. Dispose the result to release the handles.
    /// </summary>
    public OptimizerStateDict state_dict()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var result = new OptimizerStateDict(GetType().Name);
        var index = 0;
        foreach (var g in groups)
        {
            var ids = new List<int>();
            foreach (var p in g.@params)
            {
                var s = state(p);
                if (s.Count > 0) result.state[index] = s;
                ids.Add(index++);
            }
            result.param_groups.Add(new OptimizerStateDict.GroupState(g.Options, ids));
        }
        return result;
    }

    /// <summary>
    /// Restores options and state saved by <see cref="state_dict"/> (possibly from a file). The
    /// groups must have the same sizes. State tensors are copied, onto each parameter's device and
    /// (floating point) dtype, so the dict can be disposed afterwards.
    /// </summary>
    public void load_state_dict(OptimizerStateDict stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (stateDict.optimizer.Length > 0 && stateDict.optimizer != GetType().Name)
            throw new ArgumentException($"the state dict was saved by {stateDict.optimizer}, not {GetType().Name}");
        if (stateDict.param_groups.Count != groups.Count)
            throw new ArgumentException($"loaded state dict has {stateDict.param_groups.Count} parameter group(s), the optimizer has {groups.Count}");
        var all = new List<Parameter>();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var saved = stateDict.param_groups[gi];
            if (saved.@params.Count != groups[gi].@params.Count)
                throw new ArgumentException($"loaded state dict's group {gi} has {saved.@params.Count} parameters, the optimizer's has {groups[gi].@params.Count}");
            all.AddRange(groups[gi].@params);
        }
        var byId = new Dictionary<int, Parameter>();
        for (var gi = 0; gi < groups.Count; gi++)
            for (var k = 0; k < groups[gi].@params.Count; k++)
                byId[stateDict.param_groups[gi].@params[k]] = groups[gi].@params[k];

        // Build everything first, so a bad dict leaves the optimizer as it was.
        var fresh = new Dictionary<Parameter, ParamState>(ReferenceEqualityComparer.Instance);
        try
        {
            foreach (var (id, entries) in stateDict.state)
            {
                if (!byId.TryGetValue(id, out var p))
                    throw new ArgumentException($"loaded state dict has state for parameter {id}, which no group lists");
                var ps = new ParamState();
                fresh[p] = ps;
                foreach (var (name, t) in entries)
                {
                    if (name == "step")
                    {
                        ps.Step = t.item();
                        continue;
                    }
                    if (!StateNames.Contains(name))
                        throw new ArgumentException($"unexpected state '{name}' for parameter {id} ({GetType().Name} keeps {string.Join(", ", StateNames)})");
                    if (!t.shape.SequenceEqual(p.shape))
                        throw new ArgumentException($"state '{name}' of parameter {id} has shape [{string.Join(", ", t.shape)}], the parameter [{string.Join(", ", p.shape)}]");
                    var type = t.dtype.IsFloatingPoint() ? p.dtype : t.dtype;
                    using var converted = t.to(p.device, type);
                    ps.Tensors[name] = converted.clone().DetachFromDisposeScope();
                }
            }
        }
        catch
        {
            foreach (var s in fresh.Values) foreach (var t in s.Tensors.Values) t.Dispose();
            throw;
        }

        for (var gi = 0; gi < groups.Count; gi++)
            foreach (var (k, v) in stateDict.param_groups[gi].options) groups[gi][k] = v;
        foreach (var s in states.Values) foreach (var t in s.Tensors.Values) t.Dispose();
        states.Clear();
        foreach (var (p, s) in fresh) states[p] = s;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposed) return;
        disposed = true;
        if (!disposing) return;
        foreach (var s in states.Values) foreach (var t in s.Tensors.Values) t.Dispose();
        states.Clear();
    }

    public override string ToString() =>
        $"{GetType().Name}({string.Join("; ", groups.Select((g, i) => $"group {i}: {g}"))})";
}
