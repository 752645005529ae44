namespace ResNetGen.Torch.Modules;

/// <summary>Runs its children in order; unnamed children are called "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> modules = [];

    public Sequential(params Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules) Add(this.modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
    }

    public Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
    {
        foreach (var (name, m) in modules) Add(name, m);
    }

    private void Add(string name, Module<Tensor, Tensor> module)
    {
        register_module(name, module);
        modules.Add(module);
    }

    public int Count => modules.Count;

    public Module<Tensor, Tensor> this[int index] => modules[index];

    /// <summary>
    /// Chains the children. Intermediate results are disposed as soon as the next child has
    /// consumed them (autograd keeps what it needs), so no dispose scope is required.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var m in modules)
        {
            var y = m.call(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }
}

public sealed class Identity() : Module<Tensor, Tensor>(nameof(Identity))
{
    public override Tensor forward(Tensor input) => input.alias();
}

public sealed class Flatten(long start_dim = 1, long end_dim = -1) : Module<Tensor, Tensor>(nameof(Flatten))
{
    public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);
}
