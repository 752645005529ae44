namespace ResNetGen.Torch.Optim;

/// <summary>Multiplies each group's rate by <c>gamma</c> every <c>step_size</c> epochs (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (step_size <= 0) throw new ArgumentOutOfRangeException(nameof(step_size), step_size, "step_size must be positive");
        this.step_size = step_size;
        this.gamma = gamma;
        InitialStep();
    }

    public int step_size { get; }
    public double gamma { get; }

    protected override double[] get_lr() =>
        last_epoch == 0 || last_epoch % step_size != 0 ? GroupLrs.ToArray() : GroupLrs.Select(lr => lr * gamma).ToArray();

    protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => b * Math.Pow(gamma, FloorDiv(last_epoch, step_size))).ToArray();

    internal static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
}

/// <summary>Multiplies each group's rate by <c>gamma</c> at each milestone epoch (torch.optim.lr_scheduler.MultiStepLR; a repeated milestone counts twice).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> counts = [];

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) : base(optimizer, last_epoch)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        this.milestones = milestones.OrderBy(m => m).ToArray();
        foreach (var m in this.milestones) counts[m] = counts.GetValueOrDefault(m) + 1;
        this.gamma = gamma;
        InitialStep();
    }

    public IReadOnlyList<int> milestones { get; }
    public double gamma { get; }

    protected override double[] get_lr() =>
        counts.TryGetValue(last_epoch, out var n) ? GroupLrs.Select(lr => lr * Math.Pow(gamma, n)).ToArray() : GroupLrs.ToArray();

    protected override double[] get_closed_form_lr()
    {
        var passed = milestones.Count(m => m <= last_epoch); // bisect_right
        return base_lrs.Select(b => b * Math.Pow(gamma, passed)).ToArray();
    }
}

/// <summary>
/// Cosine annealing from each group's initial rate down to <c>eta_min</c> over <c>T_max</c> epochs
/// (torch.optim.lr_scheduler.CosineAnnealingLR, its recursive form; past T_max it rises again).
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) : base(optimizer, last_epoch)
    {
        if (T_max <= 0) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be positive");
        this.T_max = T_max;
        this.eta_min = eta_min;
        InitialStep();
    }

    public int T_max { get; }
    public double eta_min { get; }

    protected override double[] get_lr()
    {
        if (last_epoch == 0) return GroupLrs.ToArray();
        if (step_count == 1 && last_epoch > 0)
            return base_lrs.Select(b => eta_min + (b - eta_min) * (1 + Math.Cos(last_epoch * Math.PI / T_max)) / 2).ToArray();
        if ((last_epoch - 1 - T_max) % (2 * T_max) == 0)
            return GroupLrs.Zip(base_lrs, (lr, b) => lr + (b - eta_min) * (1 - Math.Cos(Math.PI / T_max)) / 2).ToArray();
        return GroupLrs.Select(lr => (1 + Math.Cos(Math.PI * last_epoch / T_max)) /
                                     (1 + Math.Cos(Math.PI * (last_epoch - 1) / T_max)) * (lr - eta_min) + eta_min).ToArray();
    }

    protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => eta_min + (b - eta_min) * (1 + Math.Cos(Math.PI * last_epoch / T_max)) / 2).ToArray();
}

/// <summary>
/// Scales each group's rate by a factor going linearly from <c>start_factor</c> to
/// <c>end_factor</c> over <c>total_iters</c> steps, then holds (torch.optim.lr_scheduler.LinearLR).
/// </summary>
public sealed class LinearLR : LRScheduler
{
    public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        // PyTorch 1.13 accepts 0 but then divides by zero at step 1; 2.x requires > 0 as here.
        if (start_factor > 1.0 || start_factor <= 0)
            throw new ArgumentOutOfRangeException(nameof(start_factor), start_factor, "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        if (end_factor > 1.0 || end_factor < 0)
            throw new ArgumentOutOfRangeException(nameof(end_factor), end_factor, "Ending multiplicative factor expected to be between 0 and 1.");
        if (total_iters <= 0) throw new ArgumentOutOfRangeException(nameof(total_iters), total_iters, "total_iters must be positive");
        this.start_factor = start_factor;
        this.end_factor = end_factor;
        this.total_iters = total_iters;
        InitialStep();
    }

    public double start_factor { get; }
    public double end_factor { get; }
    public int total_iters { get; }

    protected override double[] get_lr()
    {
        if (last_epoch == 0) return GroupLrs.Select(lr => lr * start_factor).ToArray();
        if (last_epoch > total_iters) return GroupLrs.ToArray();
        return GroupLrs.Select(lr => lr * (1.0 + (end_factor - start_factor) /
            (total_iters * start_factor + (last_epoch - 1) * (end_factor - start_factor)))).ToArray();
    }

    protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => b * (start_factor + (end_factor - start_factor) * Math.Min(total_iters, last_epoch) / total_iters)).ToArray();
}

/// <summary>
/// Runs schedulers one after another, switching at the milestones
/// (torch.optim.lr_scheduler.SequentialLR): scheduler i+1 starts, from its closed form at epoch
/// 0, when the epoch reaches milestone i. All schedulers must drive the same optimizer.
/// </summary>
public class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] schedulers;

    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int last_epoch = -1)
        : base(optimizer, last_epoch == -1 ? -1 : last_epoch)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0) throw new ArgumentException("SequentialLR needs at least one scheduler", nameof(schedulers));
        for (var i = 0; i < schedulers.Count; i++)
            if (!ReferenceEquals(schedulers[i].optimizer, optimizer))
                throw new ArgumentException($"Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index {i} to be different than the optimizer passed in.", nameof(schedulers));
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}", nameof(milestones));
        this.schedulers = schedulers.ToArray();
        this.milestones = milestones.ToArray();
        this.last_epoch = last_epoch + 1;
        foreach (var g in optimizer.param_groups) g.lr = g["initial_lr"];
        foreach (var s in this.schedulers) s.last_epoch -= 1;
        this.schedulers[0].InitialStep();
        LastLr = this.schedulers[0].get_last_lr();
    }

    public IReadOnlyList<int> milestones { get; }

    public IReadOnlyList<LRScheduler> Schedulers => schedulers;

    private IReadOnlyList<double> LastLr { get; set; }

    /// <summary>The rates the active scheduler set last.</summary>
    public new IReadOnlyList<double> get_last_lr() => LastLr;

    protected override double[] get_lr() => throw new NotSupportedException("SequentialLR delegates to its schedulers");

    public override void step()
    {
        last_epoch++;
        var idx = milestones.Count(m => m <= last_epoch); // bisect_right
        var scheduler = schedulers[idx];
        if (idx > 0 && milestones[idx - 1] == last_epoch) scheduler.step(0);
        else scheduler.step();
        LastLr = scheduler.get_last_lr();
    }

    public override void step(int epoch) => throw new NotSupportedException("SequentialLR does not support step(epoch)");

    public override Dictionary<string, string> state_dict()
    {
        var result = new Dictionary<string, string> { ["last_epoch"] = last_epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        for (var i = 0; i < schedulers.Length; i++)
            foreach (var (k, v) in schedulers[i].state_dict()) result[$"{i}.{k}"] = v;
        return result;
    }

    public override void load_state_dict(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        last_epoch = int.Parse(state["last_epoch"], System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < schedulers.Length; i++)
        {
            var prefix = $"{i}.";
            schedulers[i].load_state_dict(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        }
        var idx = milestones.Count(m => m <= last_epoch);
        LastLr = schedulers[idx].get_last_lr();
    }
}

/// <summary>
/// Linear warm-up: for <c>warmup_steps</c> steps the rate climbs linearly from
/// <c>start_factor</c>·lr to lr, then <c>after</c> (e.g. a CosineAnnealingLR built over the
/// remaining steps) takes over from its epoch 0. Exactly PyTorch's
/// <c>SequentialLR(opt, [LinearLR(opt, start_factor, 1.0, warmup_steps), after], milestones=[warmup_steps])</c>;
/// without <c>after</c>, just the LinearLR (the rate holds at lr after warm-up).
/// </summary>
public sealed class LinearWarmup : SequentialLR
{
    public LinearWarmup(Optimizer optimizer, int warmup_steps, LRScheduler? after = null, double start_factor = 0.01)
        : base(optimizer, BuildSchedulers(optimizer, warmup_steps, after, start_factor), after is null ? [] : [warmup_steps])
    {
        this.warmup_steps = warmup_steps;
    }

    public int warmup_steps { get; }

    private static LRScheduler[] BuildSchedulers(Optimizer optimizer, int warmupSteps, LRScheduler? after, double startFactor)
    {
        if (warmupSteps <= 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmup_steps must be positive");
        var warmup = new LinearLR(optimizer, startFactor, 1.0, warmupSteps);
        return after is null ? [warmup] : [warmup, after];
    }
}

/// <summary>
/// The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): the rate rises from
/// max_lr/div_factor to max_lr over pct_start of the steps, then anneals to
/// initial_lr/final_div_factor (three_phase: back to initial first, then down). With
/// cycle_momentum (the default, as in PyTorch) momentum — SGD's "momentum", AdamW's "beta1" —
/// moves inversely between max_momentum and base_momentum. Step it once per batch; more than
/// total_steps steps is an error.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double EndStep, string StartLr, string EndLr, string StartMomentum, string EndMomentum)[] phases;
    private readonly Func<double, double, double, double> anneal;
    private readonly string? momentumKey;

    public OneCycleLR(Optimizer optimizer, double max_lr, int? total_steps = null, int? epochs = null, int? steps_per_epoch = null,
        double pct_start = 0.3, string anneal_strategy = "cos", bool cycle_momentum = true, double base_momentum = 0.85,
        double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1)
        : this(optimizer, Repeat(optimizer, max_lr), total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum,
            Repeat(optimizer, base_momentum), Repeat(optimizer, max_momentum), div_factor, final_div_factor, three_phase, last_epoch) { }

    /// <summary>Per-group max_lr and momenta.</summary>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> max_lr, int? total_steps, int? epochs, int? steps_per_epoch,
        double pct_start, string anneal_strategy, bool cycle_momentum, IReadOnlyList<double> base_momentum,
        IReadOnlyList<double> max_momentum, double div_factor, double final_div_factor, bool three_phase, int last_epoch)
        : base(Prepare(optimizer, max_lr, div_factor, final_div_factor, last_epoch), last_epoch)
    {
        if (total_steps is { } ts)
        {
            if (ts <= 0) throw new ArgumentOutOfRangeException(nameof(total_steps), ts, $"Expected positive integer total_steps, but got {ts}");
            this.total_steps = ts;
        }
        else if (epochs is { } e && steps_per_epoch is { } spe)
        {
            if (e <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), e, $"Expected positive integer epochs, but got {e}");
            if (spe <= 0) throw new ArgumentOutOfRangeException(nameof(steps_per_epoch), spe, $"Expected positive integer steps_per_epoch, but got {spe}");
            this.total_steps = e * spe;
        }
        else
        {
            throw new ArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");
        }
        if (pct_start < 0 || pct_start > 1)
            throw new ArgumentOutOfRangeException(nameof(pct_start), pct_start, $"Expected float between 0 and 1 pct_start, but got {pct_start}");
        phases = three_phase
            ? [(pct_start * this.total_steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               (2 * pct_start * this.total_steps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
               (this.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
            : [(pct_start * this.total_steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               (this.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")];
        anneal = anneal_strategy switch
        {
            "cos" => AnnealCos,
            "linear" => AnnealLinear,
            _ => throw new ArgumentException($"anneal_strategy must by one of 'cos' or 'linear', instead got {anneal_strategy}", nameof(anneal_strategy)),
        };
        this.cycle_momentum = cycle_momentum;
        if (cycle_momentum)
        {
            momentumKey = optimizer.defaults.ContainsKey("momentum") ? "momentum"
                : optimizer.defaults.ContainsKey("beta1") ? "beta1"
                : throw new ArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
            var groups = optimizer.param_groups;
            if (base_momentum.Count != groups.Count || max_momentum.Count != groups.Count)
                throw new ArgumentException($"expected {groups.Count} values for base_momentum and max_momentum");
            if (last_epoch == -1)
            {
                for (var i = 0; i < groups.Count; i++)
                {
                    groups[i][momentumKey] = max_momentum[i];
                    groups[i]["max_momentum"] = max_momentum[i];
                    groups[i]["base_momentum"] = base_momentum[i];
                }
            }
        }
        InitialStep();
    }

    public int total_steps { get; }
    public bool cycle_momentum { get; }

    private static IReadOnlyList<double> Repeat(Optimizer optimizer, double value)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Enumerable.Repeat(value, optimizer.param_groups.Count).ToArray();
    }

    // PyTorch sets these before the base constructor's setdefault("initial_lr").
    private static Optimizer Prepare(Optimizer optimizer, IReadOnlyList<double> maxLr, double divFactor, double finalDivFactor, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(maxLr);
        var groups = optimizer.param_groups;
        if (maxLr.Count != groups.Count) throw new ArgumentException($"expected {groups.Count} values for max_lr, got {maxLr.Count}");
        if (lastEpoch == -1)
        {
            for (var i = 0; i < groups.Count; i++)
            {
                groups[i]["initial_lr"] = maxLr[i] / divFactor;
                groups[i]["max_lr"] = maxLr[i];
                groups[i]["min_lr"] = groups[i]["initial_lr"] / finalDivFactor;
            }
        }
        return optimizer;
    }

    private static double AnnealCos(double start, double end, double pct)
    {
        var cosOut = Math.Cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    private static double AnnealLinear(double start, double end, double pct) => (end - start) * pct + start;

    protected override double[] get_lr()
    {
        double stepNum = last_epoch;
        if (stepNum > total_steps)
            throw new InvalidOperationException($"Tried to step {last_epoch + 1} times. The specified number of total steps is {total_steps}");
        var groups = optimizer.param_groups;
        var lrs = new double[groups.Count];
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var group = groups[gi];
            double startStep = 0;
            for (var i = 0; i < phases.Length; i++)
            {
                var phase = phases[i];
                if (stepNum <= phase.EndStep || i == phases.Length - 1)
                {
                    var pct = (stepNum - startStep) / (phase.EndStep - startStep);
                    lrs[gi] = anneal(group[phase.StartLr], group[phase.EndLr], pct);
                    if (momentumKey is not null)
                        group[momentumKey] = anneal(group[phase.StartMomentum], group[phase.EndMomentum], pct);
                    break;
                }
                startStep = phase.EndStep;
            }
        }
        return lrs;
    }
}
