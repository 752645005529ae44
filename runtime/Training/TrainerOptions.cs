using ResNetGen.Torch;

namespace ResNetGen.Training;

public enum OptimizerKind
{
    Sgd,
    AdamW,
}

public enum ScheduleKind
{
    /// <summary>One-cycle (warm up to the peak LR, cosine anneal), stepped every batch.</summary>
    OneCycle,

    /// <summary>Cosine annealing over all steps, after an optional linear warm-up.</summary>
    Cosine,

    /// <summary>×0.1 at 50% and 75% of training (the ResNet paper's schedule), after an optional warm-up.</summary>
    MultiStep,

    /// <summary>A constant learning rate.</summary>
    Constant,
}

/// <summary>How the <see cref="Trainer"/> trains. The defaults are a sound CIFAR/Fashion-MNIST recipe.</summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>The peak learning rate (one-cycle) or the base one (the other schedules).</summary>
    public double LearningRate { get; init; } = 0.1;

    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Exempts batch-norm parameters and biases (every 1-d parameter) from weight decay.</summary>
    public bool NoWeightDecayOnNormAndBias { get; init; } = true;

    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;

    /// <summary>Linear warm-up before the cosine and multi-step schedules, in epochs (fractions allowed).</summary>
    public double WarmupEpochs { get; init; }

    public double LabelSmoothing { get; init; }

    public Device Device { get; init; } = Device.CPU;

    /// <summary>Keep activations and weights channels-last (NHWC); null = on (faster for convolutions on CPU and GPU).</summary>
    public bool? ChannelsLast { get; init; }

    /// <summary>Autocast + grad scaling; null = on for CUDA, off on CPU.</summary>
    public bool? MixedPrecision { get; init; }

    /// <summary>The autocast dtype on CUDA (bfloat16 needs no loss scaling; float16 uses a GradScaler).</summary>
    public ScalarType MixedPrecisionDType { get; init; } = ScalarType.BFloat16;

    /// <summary>Intra-op threads on CPU; null = every core (libtorch alone would use the physical cores).</summary>
    public int? Threads { get; init; }

    public long Seed { get; init; }

    /// <summary>
    /// Data-parallel only: batch norm computes its statistics over all ranks' batches (PyTorch's
    /// SyncBatchNorm), so training matches one process on the global batch. Costs one small
    /// all-reduce per batch-norm layer in forward and in backward.
    /// </summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>
    /// Data-parallel only: rank 0's buffers (batch-norm running statistics) are broadcast before
    /// every training step, as DDP's broadcast_buffers (default on), so all ranks hold the same model.
    /// </summary>
    public bool BroadcastBuffers { get; init; } = true;

    /// <summary>
    /// Data-parallel only: gradients are all-reduced in buckets while backward still runs, as
    /// DDP's reducer (<see cref="ResNetGen.Distributed.GradientReducer"/>; default on). Off, they
    /// are averaged in one pass after backward (<see cref="ResNetGen.Distributed.ProcessGroup.AverageGradients"/>).
    /// </summary>
    public bool OverlapGradientReduce { get; init; } = true;

    /// <summary>Where checkpoints, metrics and the report go.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "latest");

    /// <summary>Progress is reported every this many steps (each report reads the loss back from the device).</summary>
    public int ReportEvery { get; init; } = 10;

    /// <summary>The network's name in the report (default: the module's type name).</summary>
    public string? NetworkName { get; init; }

    /// <summary>Class names for the report and the confusion matrix (optional).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The dataset's name, recorded in checkpoints so a resume on other data is refused (optional).</summary>
    public string? DatasetName { get; init; }

    /// <summary>
    /// Reject what cannot work before any time is spent. Each message names the setting in words
    /// and its value; NaN fails every range check (the comparisons are written so that it does).
    /// </summary>
    public void Validate()
    {
        static ArgumentOutOfRangeException Bad(string param, string message) => new(param, message);
        if (Epochs < 1) throw Bad(nameof(Epochs), $"epochs must be at least 1 (got {Epochs})");
        if (BatchSize < 1) throw Bad(nameof(BatchSize), $"batch size must be at least 1 (got {BatchSize})");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw Bad(nameof(LearningRate), $"learning rate must be a positive number (got {LearningRate})");
        if (!(Momentum >= 0) || double.IsInfinity(Momentum)) throw Bad(nameof(Momentum), $"momentum must be a non-negative number (got {Momentum})");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw Bad(nameof(WeightDecay), $"weight decay must be a non-negative number (got {WeightDecay})");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw Bad(nameof(LabelSmoothing), $"label smoothing must be in [0, 1) (got {LabelSmoothing})");
        if (!(WarmupEpochs >= 0 && WarmupEpochs < Epochs)) throw Bad(nameof(WarmupEpochs), $"warm-up epochs must be in [0, epochs = {Epochs}) (got {WarmupEpochs})");
        if (Threads is < 1) throw Bad(nameof(Threads), $"threads must be at least 1 (got {Threads})");
        if (ReportEvery < 1) throw Bad(nameof(ReportEvery), $"report interval must be at least 1 step (got {ReportEvery})");
        if (MixedPrecisionDType is not (ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"mixed precision dtype must be float16 or bfloat16 (got {MixedPrecisionDType})", nameof(MixedPrecisionDType));
    }
}
