using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// An in-memory labelled image dataset: <c>Images [N, C, H, W]</c> (usually uint8, as read) and
/// <c>Labels [N]</c> (int64). It owns both tensors (they are kept out of any dispose scope) and
/// frees them on <see cref="Dispose"/>.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    public TensorDataset(Tensor images, Tensor labels, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var s = images.shape;
        if (s.Length != 4) throw new ArgumentException($"images must be [N, C, H, W], got shape [{string.Join(", ", s)}]", nameof(images));
        var l = labels.shape;
        if (l.Length != 1 || l[0] != s[0])
            throw new ArgumentException($"labels must be [N] with N = {s[0]}, got shape [{string.Join(", ", l)}]", nameof(labels));
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64, got {labels.dtype.TorchName()}", nameof(labels));
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        Count = checked((int)s[0]);
        ImageShape = s[1..];
        Classes = classes;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>One image's shape: [C, H, W].</summary>
    public long[] ImageShape { get; }

    /// <summary>Class names by label, when known.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>The number of classes: the class names', else the largest label + 1.</summary>
    public int NumClasses => Classes?.Count ?? (Count == 0 ? 0 : (int)Labels.ToArray<long>().Max() + 1);

    /// <summary>The samples at <paramref name="indices"/>, copied into a new dataset.</summary>
    public TensorDataset Subset(ReadOnlySpan<long> indices) =>
        new(Augment.Gather(Images, indices), Augment.Gather(Labels, indices), Classes);

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1, copied.</summary>
    public TensorDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + (long)count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + (long)count}) outside [0, {Count})");
        var indices = new long[count];
        for (var i = 0; i < count; i++) indices[i] = start + i;
        return Subset(indices);
    }

    /// <summary>
    /// A copy on <paramref name="device"/> (e.g. a whole byte dataset on the GPU, so a loader
    /// gathers and augments there without host copies).
    /// </summary>
    public TensorDataset To(Device device) => new(Images.to(device), Labels.to(device), Classes);

    /// <summary>
    /// Per-channel mean and standard deviation (population) of the images, byte images read as
    /// [0, 1]: the constants for <see cref="Normalize"/>.
    /// </summary>
    public (double[] Mean, double[] Std) ChannelStats()
    {
        var c = (int)ImageShape[0];
        var plane = (int)(ImageShape[1] * ImageShape[2]);
        var scale = Images.dtype == ScalarType.Byte ? 1.0 / 255 : 1.0;
        var sum = new double[c];
        var sumSq = new double[c];
        void Add(int k, double v)
        {
            var ch = k / plane % c;
            v *= scale;
            sum[ch] += v;
            sumSq[ch] += v * v;
        }
        if (Images.dtype == ScalarType.Byte)
        {
            var bytes = Images.ToArray<byte>();
            for (var k = 0; k < bytes.Length; k++) Add(k, bytes[k]);
        }
        else
        {
            using var cpu = Images.to(Device.CPU, ScalarType.Float32);
            var floats = cpu.ToArray<float>();
            for (var k = 0; k < floats.Length; k++) Add(k, floats[k]);
        }
        var count = (double)Count * plane;
        var mean = sum.Select(s => s / count).ToArray();
        var std = sumSq.Select((s, ch) => Math.Sqrt(Math.Max(0, s / count - mean[ch] * mean[ch]))).ToArray();
        return (mean, std);
    }

    /// <summary>How many samples each label has (index = label).</summary>
    public long[] LabelCounts()
    {
        var labels = Labels.ToArray<long>();
        var counts = new long[labels.Length == 0 ? 0 : labels.Max() + 1];
        foreach (var label in labels) counts[label]++;
        return counts;
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    public override string ToString() =>
        $"TensorDataset({Count} samples of [{string.Join(", ", ImageShape)}] {(Images.IsDisposed ? "?" : Images.dtype.TorchName())}{(Classes is null ? "" : $", {Classes.Count} classes")})";
}
