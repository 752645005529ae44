namespace ResNetGen.Reports.Metrics;

/// <summary>
/// One finished epoch: training loss and accuracy (averaged over the epoch's batches), test loss
/// and top-1/top-5 accuracy (after the epoch), the learning rate at the epoch's end, training
/// throughput and time. Accuracies are fractions in [0, 1]. Test values are NaN when no test
/// set was evaluated.
/// </summary>
public sealed record EpochMetrics
{
    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; init; }

    public double TrainLoss { get; init; } = double.NaN;

    public double TrainTop1 { get; init; } = double.NaN;

    public double TestLoss { get; init; } = double.NaN;

    public double TestTop1 { get; init; } = double.NaN;

    public double TestTop5 { get; init; } = double.NaN;

    /// <summary>The learning rate at the end of the epoch.</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <summary>Training throughput (images per second, training steps only).</summary>
    public double ImagesPerSecond { get; init; } = double.NaN;

    /// <summary>Training time of the epoch in seconds (evaluation excluded).</summary>
    public double EpochSeconds { get; init; } = double.NaN;

    /// <summary>Optional finer series within the epoch (global step, batch loss, learning rate); null if not recorded.</summary>
    public IReadOnlyList<StepMetrics>? Steps { get; init; }
}

/// <summary>One sample of the per-step series: the global step (1-based, counted over the whole run), the loss and the learning rate.</summary>
public readonly record struct StepMetrics(long Step, double Loss, double LearningRate);
