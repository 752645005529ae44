using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: images (float32 unless the loader was told
/// otherwise, on the loader's device) and int64 labels. A batch belongs to the enumeration that
/// produced it and is disposed when the enumeration moves on or ends; <see cref="Detach"/> keeps
/// it longer (the caller then disposes it). Its tensors are in no dispose scope.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels, long[] indices, int epoch, int index)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
        Epoch = epoch;
        Index = index;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }

    /// <summary>The dataset indices of the samples, in batch order.</summary>
    public IReadOnlyList<long> Indices { get; }

    public int Epoch { get; }

    /// <summary>The batch's position in its epoch (0-based).</summary>
    public int Index { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Count;

    internal bool Detached { get; private set; }

    /// <summary>Keeps this batch alive after the enumeration moves on; the caller must dispose it.</summary>
    public Batch Detach()
    {
        Detached = true;
        return this;
    }

    public void Deconstruct(out Tensor images, out Tensor labels)
    {
        images = Images;
        labels = Labels;
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    public override string ToString() => $"Batch(epoch {Epoch}, #{Index}, {Count} samples)";
}
