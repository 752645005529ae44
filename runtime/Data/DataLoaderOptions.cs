using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>How a <see cref="DataLoader"/> batches its dataset (PyTorch's DataLoader arguments, as a record).</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>A new permutation every epoch; otherwise the dataset's order.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Drop the last, smaller batch.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seeds the shuffles and the augmentations.</summary>
    public long Seed { get; init; }

    /// <summary>Batched transforms (e.g. <see cref="Compose"/> of <see cref="RandomCrop"/>, <see cref="RandomHorizontalFlip"/>, <see cref="Normalize"/>, <see cref="RandomErasing"/>).</summary>
    public IBatchTransform? Transform { get; init; }

    /// <summary>Where batches go (default CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Batches prepared ahead on a worker thread; 0 = make each batch on the consumer's thread when asked.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Gather into pinned memory and copy with non_blocking (default: when <see cref="Device"/> is CUDA).</summary>
    public bool? PinMemory { get; init; }

    /// <summary>Run the transforms on the target device rather than the CPU (default: when it is CUDA; copies bytes, 4× less than float32).</summary>
    public bool? AugmentOnDevice { get; init; }

    /// <summary>The images' floating type (float32; float16/bfloat16 for mixed precision).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>The images' layout: <see cref="MemoryFormat.ChannelsLast"/> makes the worker lay batches out for a channels_last model.</summary>
    public MemoryFormat MemoryFormat { get; init; } = MemoryFormat.Contiguous;
}
