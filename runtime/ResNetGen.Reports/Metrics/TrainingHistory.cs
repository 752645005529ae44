namespace ResNetGen.Reports.Metrics;

/// <summary>
/// A training run: what ran, where, with which settings, and its epochs so far. The Trainer
/// fills the run information once, appends an <see cref="EpochMetrics"/> per epoch, and
/// hands the history to the writers (CSV, JSON, HTML), which can run after every epoch.
/// </summary>
public sealed class TrainingHistory
{
    public string NetworkName { get; set; } = "";

    public long ParameterCount { get; set; }

    /// <summary>The device as text, e.g. "cpu" or "cuda:0 (NVIDIA H100)".</summary>
    public string Device { get; set; } = "";

    /// <summary>CPU threads used by libtorch (0 = unknown).</summary>
    public int Threads { get; set; }

    public int BatchSize { get; set; }

    /// <summary>The optimizer and its settings as text, e.g. "SGD(lr=0.1, momentum=0.9, nesterov, wd=5e-4)".</summary>
    public string Optimizer { get; set; } = "";

    public long Seed { get; set; }

    /// <summary>The number of epochs the run was asked for (0 = unknown); the report shows "epoch 3 of 8" while running.</summary>
    public int PlannedEpochs { get; set; }

    public DateTimeOffset StartTime { get; set; } = DateTimeOffset.Now;

    /// <summary>Wall-clock time of the whole run so far (training, evaluation, checkpoints), in seconds.</summary>
    public double TotalWallSeconds { get; set; }

    /// <summary>Any further settings worth showing (schedule, label smoothing, augmentation, dataset...), in insertion order.</summary>
    public List<KeyValuePair<string, string>> Settings { get; set; } = [];

    public List<EpochMetrics> Epochs { get; set; } = [];

    public void Add(EpochMetrics epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        Epochs.Add(epoch);
    }

    /// <summary>Adds or replaces a free-form setting shown in the report's header.</summary>
    public TrainingHistory Set(string name, string value)
    {
        var i = Settings.FindIndex(kv => kv.Key == name);
        if (i >= 0) Settings[i] = new(name, value);
        else Settings.Add(new(name, value));
        return this;
    }

    /// <summary>The epoch with the highest test top-1 accuracy (the earliest on ties); null before the first evaluated epoch.</summary>
    public EpochMetrics? BestEpoch
    {
        get
        {
            EpochMetrics? best = null;
            foreach (var e in Epochs)
                if (!double.IsNaN(e.TestTop1) && (best is null || e.TestTop1 > best.TestTop1)) best = e;
            return best;
        }
    }

    public double BestTestTop1 => BestEpoch?.TestTop1 ?? double.NaN;

    public EpochMetrics? FinalEpoch => Epochs.Count == 0 ? null : Epochs[^1];

    public double FinalTestTop1 => FinalEpoch?.TestTop1 ?? double.NaN;

    public double FinalTestTop5 => FinalEpoch?.TestTop5 ?? double.NaN;
}
