using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// A transform of a whole batch <c>[N, C, H, W]</c>, the batched counterpart of a torchvision
/// transform applied to each sample. Randomness comes only from <paramref name="random"/>, so the
/// output is a pure function of the batch and the stream. A transform never disposes its input;
/// it may return it unchanged.
/// </summary>
public interface IBatchTransform
{
    Tensor Apply(Tensor images, DataRandom random);
}

/// <summary>
/// torchvision's <c>RandomCrop(size, padding, fill)</c> per sample: zero padding (or
/// <c>fill</c>) on every side, then a crop at an offset drawn uniformly per sample.
/// Works on byte or floating batches.
/// </summary>
public sealed class RandomCrop : IBatchTransform
{
    public RandomCrop(int size, int padding = 0, double fill = 0) : this(size, size, padding, fill) { }

    public RandomCrop(int height, int width, int padding, double fill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Height = height;
        Width = width;
        Padding = padding;
        Fill = fill;
    }

    public int Height { get; }
    public int Width { get; }
    public int Padding { get; }
    public double Fill { get; }

    /// <summary>Per sample (top, left) in the padded image, flattened; drawn top then left, sample by sample.</summary>
    public long[] SampleOffsets(DataRandom random, long count, long imageHeight, long imageWidth)
    {
        var maxTop = imageHeight + 2L * Padding - Height;
        var maxLeft = imageWidth + 2L * Padding - Width;
        if (maxTop < 0 || maxLeft < 0)
            throw new ArgumentException($"crop size ({Height}, {Width}) is larger than the padded image ({imageHeight + 2L * Padding}, {imageWidth + 2L * Padding})");
        var offsets = new long[2 * count];
        for (long i = 0; i < count; i++)
        {
            offsets[2 * i] = random.NextInt64(0, maxTop + 1);
            offsets[2 * i + 1] = random.NextInt64(0, maxLeft + 1);
        }
        return offsets;
    }

    public Tensor Apply(Tensor images, DataRandom random) => Apply(images, random, null);

    /// <summary>Crop then (optionally) the flip of <paramref name="flip"/>, fused into one native call.</summary>
    internal Tensor Apply(Tensor images, DataRandom random, RandomHorizontalFlip? flip)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        if (s.Length != 4) throw new ArgumentException($"expected a batch of images [N, C, H, W], got shape [{string.Join(", ", s)}]", nameof(images));
        var offsets = SampleOffsets(random, s[0], s[2], s[3]);
        var flips = flip?.SampleFlips(random, s[0]);
        return Augment.CropFlip(images, Padding, offsets, flips, Height, Width, Fill);
    }

    public override string ToString() => $"RandomCrop(size=({Height}, {Width}), padding={Padding})";
}

/// <summary>torchvision's <c>RandomHorizontalFlip(p)</c> per sample.</summary>
public sealed class RandomHorizontalFlip : IBatchTransform
{
    public RandomHorizontalFlip(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must lie in [0, 1]");
        P = p;
    }

    public double P { get; }

    /// <summary>One draw per sample: flip when uniform [0, 1) &lt; p.</summary>
    public bool[] SampleFlips(DataRandom random, long count)
    {
        var flips = new bool[count];
        for (long i = 0; i < count; i++) flips[i] = random.NextDouble() < P;
        return flips;
    }

    public Tensor Apply(Tensor images, DataRandom random)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Augment.Flip(images, SampleFlips(random, images.size(0)));
    }

    public override string ToString() => $"RandomHorizontalFlip(p={P})";
}

/// <summary>
/// torchvision's <c>ToTensor()</c> + <c>Normalize(mean, std)</c>: a byte batch is read as
/// [0, 255] and scaled to [0, 1] first; a floating batch is normalised as it is. Returns float32.
/// </summary>
public sealed class Normalize : IBatchTransform
{
    private readonly double[] mean, std;

    public Normalize(double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"mean and std need the same, nonzero length (got {mean.Length} and {std.Length})");
        if (std.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(std), "every std must be positive");
        this.mean = (double[])mean.Clone();
        this.std = (double[])std.Clone();
    }

    public IReadOnlyList<double> Mean => mean;
    public IReadOnlyList<double> Std => std;

    public Tensor Apply(Tensor images, DataRandom random)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Augment.Normalize(images, mean, std, images.dtype == ScalarType.Byte ? 255.0 : 1.0);
    }

    public override string ToString() => $"Normalize(mean=[{string.Join(", ", mean)}], std=[{string.Join(", ", std)}])";
}

/// <summary>torchvision's <c>ToTensor()</c> for a batch: bytes to float32 in [0, 1].</summary>
public sealed class ToFloat : IBatchTransform
{
    public Tensor Apply(Tensor images, DataRandom random) => Augment.ToFloat(images);

    public override string ToString() => "ToFloat()";
}

/// <summary>
/// torchvision's <c>RandomErasing(p, scale, ratio, value)</c> per sample (Zhong et al. 2017):
/// with probability p, a box of area fraction in <c>scale</c> and aspect ratio in <c>ratio</c>
/// (log-uniform) is set to <c>value</c> in every channel; 10 attempts to fit a box, else the
/// sample is left as it is. Usually placed after <see cref="Normalize"/>.
/// </summary>
public sealed class RandomErasing : IBatchTransform
{
    public RandomErasing(double p = 0.5, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        double value = 0)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must lie in [0, 1]");
        var sc = scale ?? (0.02, 0.33);
        var ra = ratio ?? (0.3, 3.3);
        if (!(sc.Min >= 0 && sc.Min <= sc.Max && sc.Max <= 1))
            throw new ArgumentOutOfRangeException(nameof(scale), sc, "scale must satisfy 0 <= min <= max <= 1");
        if (!(ra.Min > 0 && ra.Min <= ra.Max)) throw new ArgumentOutOfRangeException(nameof(ratio), ra, "ratio must satisfy 0 < min <= max");
        P = p;
        Scale = sc;
        Ratio = ra;
        Value = value;
    }

    public double P { get; }
    public (double Min, double Max) Scale { get; }
    public (double Min, double Max) Ratio { get; }
    public double Value { get; }

    /// <summary>
    /// torchvision's <c>RandomErasing.get_params</c> for one image: (top, left, height, width),
    /// or null when 10 attempts found no box that fits.
    /// </summary>
    public (int Top, int Left, int Height, int Width)? SampleBox(DataRandom random, int imageHeight, int imageWidth)
    {
        var area = (double)imageHeight * imageWidth;
        var logMin = Math.Log(Ratio.Min);
        var logMax = Math.Log(Ratio.Max);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var eraseArea = area * random.Uniform(Scale.Min, Scale.Max);
            var aspect = Math.Exp(random.Uniform(logMin, logMax));
            // Python's int(round(x)): round half to even.
            var h = (int)Math.Round(Math.Sqrt(eraseArea * aspect), MidpointRounding.ToEven);
            var w = (int)Math.Round(Math.Sqrt(eraseArea / aspect), MidpointRounding.ToEven);
            if (!(h < imageHeight && w < imageWidth)) continue;
            var top = random.NextInt(0, imageHeight - h + 1);
            var left = random.NextInt(0, imageWidth - w + 1);
            return (top, left, h, w);
        }
        return null;
    }

    /// <summary>Per sample (top, left, height, width), flattened; a zero box for a sample left as it is.</summary>
    public long[] SampleBoxes(DataRandom random, long count, int imageHeight, int imageWidth)
    {
        var boxes = new long[4 * count];
        for (long i = 0; i < count; i++)
        {
            if (!(random.NextDouble() < P)) continue;
            if (SampleBox(random, imageHeight, imageWidth) is not { } b) continue;
            boxes[4 * i] = b.Top;
            boxes[4 * i + 1] = b.Left;
            boxes[4 * i + 2] = b.Height;
            boxes[4 * i + 3] = b.Width;
        }
        return boxes;
    }

    public Tensor Apply(Tensor images, DataRandom random)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        if (s.Length != 4) throw new ArgumentException($"expected a batch of images [N, C, H, W], got shape [{string.Join(", ", s)}]", nameof(images));
        var boxes = SampleBoxes(random, s[0], checked((int)s[2]), checked((int)s[3]));
        return Augment.Erase(images, boxes, Value);
    }

    public override string ToString() => $"RandomErasing(p={P}, scale=({Scale.Min}, {Scale.Max}), ratio=({Ratio.Min}, {Ratio.Max}), value={Value})";
}

/// <summary>
/// Transforms applied in order, each drawing from the same stream in turn. A
/// <see cref="RandomCrop"/> directly followed by a <see cref="RandomHorizontalFlip"/> runs as one
/// native call (same draws, same result as running them one after the other).
/// </summary>
public sealed class Compose : IBatchTransform
{
    private readonly IBatchTransform[] transforms;

    public Compose(params IBatchTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (transforms.Any(t => t is null)) throw new ArgumentException("a transform is null", nameof(transforms));
        this.transforms = (IBatchTransform[])transforms.Clone();
    }

    public IReadOnlyList<IBatchTransform> Transforms => transforms;

    public Tensor Apply(Tensor images, DataRandom random)
    {
        ArgumentNullException.ThrowIfNull(images);
        var x = images;
        for (var i = 0; i < transforms.Length; i++)
        {
            Tensor next;
            if (transforms[i] is RandomCrop crop && i + 1 < transforms.Length && transforms[i + 1] is RandomHorizontalFlip flip)
            {
                next = crop.Apply(x, random, flip);
                i++;
            }
            else
            {
                next = transforms[i].Apply(x, random);
            }
            // Intermediates made here are ours to free (never the caller's input).
            if (!ReferenceEquals(x, images) && !ReferenceEquals(x, next)) x.Dispose();
            x = next;
        }
        return x;
    }

    public override string ToString() => $"Compose({string.Join(", ", transforms.Select(t => t.ToString()))})";
}
