using System.Globalization;

namespace ResNetGen.Torch.Optim;

/// <summary>
/// Base of the learning-rate schedulers, with torch.optim.lr_scheduler's semantics (PyTorch
/// 1.13): building one stores each group's "initial_lr" (when <c>last_epoch</c> is -1) and
/// performs the initial step (epoch 0); <see cref="step()"/> then advances one epoch (or one
/// batch, for OneCycleLR) and writes the new rates into the optimizer's groups. The formulas
/// are PyTorch's own chainable forms, evaluated in the same order, so the sequences agree
/// with PyTorch's to the last bit or nearly so.
/// <para>Call <c>optimizer.step()</c> before <c>scheduler.step()</c>, as in PyTorch.</para>
/// </summary>
public abstract class LRScheduler
{
    private double[] lastLr = [];

    protected LRScheduler(Optimizer optimizer, int last_epoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        this.optimizer = optimizer;
        if (last_epoch == -1)
        {
            foreach (var g in optimizer.param_groups) g.SetDefault("initial_lr", g.lr);
        }
        else
        {
            for (var i = 0; i < optimizer.param_groups.Count; i++)
                if (!optimizer.param_groups[i].ContainsKey("initial_lr"))
                    throw new KeyNotFoundException($"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer");
        }
        base_lrs = optimizer.param_groups.Select(g => g["initial_lr"]).ToArray();
        this.last_epoch = last_epoch;
    }

    public Optimizer optimizer { get; }

    /// <summary>The index of the last epoch (or batch) stepped to; 0 right after construction.</summary>
    public int last_epoch { get; protected internal set; }

    public IReadOnlyList<double> base_lrs { get; protected set; }

    /// <summary>How many times <see cref="step()"/> ran, counting the initial step.</summary>
    protected internal int step_count { get; set; }

    /// <summary>The learning rates last set by this scheduler, one per group.</summary>
    public IReadOnlyList<double> get_last_lr() => lastLr;

    /// <summary>Runs the initial step; every subclass constructor ends with it (PyTorch's <c>_initial_step</c>).</summary>
    protected internal void InitialStep()
    {
        step_count = 0;
        step();
    }

    /// <summary>The chainable form: the new rate of each group at <see cref="last_epoch"/>.</summary>
    protected abstract double[] get_lr();

    /// <summary>The closed form at <see cref="last_epoch"/>, where the schedule has one (used by <see cref="step(int)"/>).</summary>
    protected virtual double[]? get_closed_form_lr() => null;

    /// <summary>Advances one epoch (or batch) and sets the groups' learning rates.</summary>
    public virtual void step()
    {
        step_count++;
        last_epoch++;
        Apply(get_lr());
    }

    /// <summary>Jumps to <paramref name="epoch"/> (PyTorch's deprecated <c>step(epoch)</c>; the closed form where there is one).</summary>
    public virtual void step(int epoch)
    {
        step_count++;
        last_epoch = epoch;
        Apply(get_closed_form_lr() ?? get_lr());
    }

    private void Apply(double[] values)
    {
        var groups = optimizer.param_groups;
        for (var i = 0; i < groups.Count && i < values.Length; i++) groups[i].lr = values[i];
        lastLr = groups.Select(g => g.lr).ToArray();
    }

    protected IEnumerable<double> GroupLrs => optimizer.param_groups.Select(g => g.lr);

    // ---- state ---------------------------------------------------------------------------------

    /// <summary>
    /// The scheduler's position as string metadata (fits a safetensors header next to the
    /// optimizer's state): last_epoch, the step count, base_lrs and the last rates.
    /// </summary>
    public virtual Dictionary<string, string> state_dict() => new()
    {
        ["last_epoch"] = last_epoch.ToString(CultureInfo.InvariantCulture),
        ["step_count"] = step_count.ToString(CultureInfo.InvariantCulture),
        ["base_lrs"] = FormatList(base_lrs),
        ["last_lr"] = FormatList(lastLr),
    };

    /// <summary>Restores a position saved by <see cref="state_dict"/> (the optimizer's groups come from its own state dict).</summary>
    public virtual void load_state_dict(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            last_epoch = int.Parse(state["last_epoch"], CultureInfo.InvariantCulture);
            step_count = int.Parse(state["step_count"], CultureInfo.InvariantCulture);
            base_lrs = ParseList(state["base_lrs"]);
            lastLr = ParseList(state["last_lr"]);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException)
        {
            throw new ArgumentException($"bad scheduler state: {e.Message}", nameof(state), e);
        }
    }

    // A JSON-style list of round-trippable doubles, e.g. "[0.1,0.01]".
    private static string FormatList(IEnumerable<double> values) =>
        "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static double[] ParseList(string text)
    {
        var t = text.Trim();
        if (t.Length < 2 || t[0] != '[' || t[^1] != ']') throw new FormatException($"'{text}' is not a list of numbers");
        var body = t[1..^1].Trim();
        return body.Length == 0 ? [] : body.Split(',').Select(x => double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
    }

    public override string ToString() => $"{GetType().Name}(last_epoch={last_epoch}, lr=[{string.Join(", ", lastLr.Select(l => l.ToString("g6", CultureInfo.InvariantCulture)))}])";
}
