namespace ResNetGen.Torch.Optim;

/// <summary>
/// A parameter group, as in PyTorch's <c>optimizer.param_groups</c>: parameters plus their
/// hyperparameters by name ("lr", "weight_decay", "momentum", "beta1", ...). Options a group
/// does not set take the optimizer's defaults when the group is added. Schedulers read and write
/// the options ("lr", "initial_lr", "momentum", ...) as PyTorch's do. Flags are stored as 0/1.
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> options = new(StringComparer.Ordinal);
    private readonly List<Parameter> parameters;

    public ParamGroup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToList();
        for (var i = 0; i < this.parameters.Count; i++)
            if (this.parameters[i] is null) throw new ArgumentException($"parameter {i} of the group is null", nameof(parameters));
    }

    /// <summary>A group with its own options, e.g. <c>new ParamGroup(head.parameters(), new() { ["lr"] = 0.01 })</c>.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, IReadOnlyDictionary<string, double> options) : this(parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (k, v) in options) this.options[k] = v;
    }

    /// <summary>The group's parameters, in order.</summary>
    public IReadOnlyList<Parameter> @params => parameters;

    /// <summary>A hyperparameter by name; throws <see cref="KeyNotFoundException"/> naming it when absent.</summary>
    public double this[string name]
    {
        get => options.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"the parameter group has no option '{name}' (it has: {string.Join(", ", options.Keys)})");
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (double.IsNaN(value)) throw new ArgumentException($"option '{name}' cannot be NaN");
            options[name] = value;
        }
    }

    public bool ContainsKey(string name) => options.ContainsKey(name);

    public bool TryGetValue(string name, out double value) => options.TryGetValue(name, out value);

    /// <summary>Sets an option only when the group does not have it (Python's <c>dict.setdefault</c>).</summary>
    public double SetDefault(string name, double value) => options.TryAdd(name, value) ? value : options[name];

    /// <summary>All options (a snapshot).</summary>
    public IReadOnlyDictionary<string, double> Options => new Dictionary<string, double>(options);

    public double lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    public double weight_decay
    {
        get => this["weight_decay"];
        set => this["weight_decay"] = value;
    }

    internal bool Flag(string name) => this[name] != 0;

    public override string ToString() =>
        $"ParamGroup({parameters.Count} parameters; {string.Join(", ", options.Select(kv => $"{kv.Key}={kv.Value:g6}"))})";
}
