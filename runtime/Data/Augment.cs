using ResNetGen.Torch;
using ResNetGen.Torch.Native;

namespace ResNetGen.Data;

/// <summary>
/// Batched image ops with explicit per-sample parameters (native, one call each, any device).
/// The random transforms (<see cref="IBatchTransform"/>: <see cref="RandomCrop"/>, <see cref="RandomHorizontalFlip"/>, <see cref="RandomErasing"/>) draw the parameters and call these; tests
/// and users can call them directly with parameters of their own.
/// Images are <c>[N, C, H, W]</c>.
/// </summary>
public static unsafe class Augment
{
    private static int Flags => AugmentPath.ForceGeneric ? 1 : 0;

    /// <summary>
    /// <c>source[indices]</c> along dimension 0, as a fresh contiguous tensor; into pinned
    /// (page-locked) host memory when <paramref name="pin"/> (CUDA must be present), so that a
    /// later <c>to(cuda, non_blocking: true)</c> is asynchronous.
    /// </summary>
    public static Tensor Gather(Tensor source, ReadOnlySpan<long> indices, bool pin = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        fixed (long* p = indices)
            return LibTorch.Wrap(LibTorch.resnetgen_aug_gather(source.Handle, p, indices.Length, pin ? 1 : 0, out var r), r);
    }

    /// <summary>
    /// Crop-with-padding then horizontal flip, per sample, as torchvision's
    /// <c>RandomCrop(size, padding, fill)</c> + <c>RandomHorizontalFlip</c> for the given draws:
    /// <c>out[n] = maybe_flip(pad(x[n], padding, fill)[:, top:top+outH, left:left+outW])</c>.
    /// </summary>
    /// <param name="offsets">per sample (top, left) in the padded image, flattened (length 2N); null = no crop (padding must be 0).</param>
    /// <param name="flips">per sample: flip horizontally (length N); null = no flip.</param>
    /// <param name="outHeight">crop height (default: the input's height).</param>
    /// <param name="outWidth">crop width (default: the input's width).</param>
    public static Tensor CropFlip(Tensor images, int padding, ReadOnlySpan<long> offsets, ReadOnlySpan<bool> flips,
        int? outHeight = null, int? outWidth = null, double fill = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.shape;
        if (shape.Length != 4) throw new ArgumentException($"expected a batch of images [N, C, H, W], got shape [{string.Join(", ", shape)}]", nameof(images));
        var n = shape[0];
        if (!offsets.IsEmpty && offsets.Length != 2 * n)
            throw new ArgumentException($"expected {2 * n} offsets (top, left per sample), got {offsets.Length}", nameof(offsets));
        if (!flips.IsEmpty && flips.Length != n)
            throw new ArgumentException($"expected {n} flip flags, got {flips.Length}", nameof(flips));
        Span<byte> flipBytes = flips.Length <= 1024 ? stackalloc byte[flips.Length] : new byte[flips.Length];
        for (var i = 0; i < flips.Length; i++) flipBytes[i] = flips[i] ? (byte)1 : (byte)0;
        fixed (long* o = offsets)
        fixed (byte* f = flipBytes)
        {
            return LibTorch.Wrap(LibTorch.resnetgen_aug_crop_flip(images.Handle, padding, fill, outHeight ?? shape[2], outWidth ?? shape[3],
                offsets.IsEmpty ? null : o, flips.IsEmpty ? null : f, n, Flags, out var r), r);
        }
    }

    /// <summary>Horizontal flip of the samples whose flag is set.</summary>
    public static Tensor Flip(Tensor images, ReadOnlySpan<bool> flips) => CropFlip(images, 0, default, flips);

    /// <summary>
    /// Sets a box per sample, all channels, to <paramref name="value"/> (torchvision's
    /// <c>F.erase(img, top, left, h, w, value)</c>); a box with zero height or width leaves the sample as it is.
    /// </summary>
    /// <param name="boxes">per sample (top, left, height, width), flattened (length 4N).</param>
    public static Tensor Erase(Tensor images, ReadOnlySpan<long> boxes, double value = 0, bool inplace = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        var n = images.size(0);
        if (boxes.Length != 4 * n)
            throw new ArgumentException($"expected {4 * n} box values (top, left, height, width per sample), got {boxes.Length}", nameof(boxes));
        fixed (long* b = boxes)
            return LibTorch.Wrap(LibTorch.resnetgen_aug_erase(images.Handle, b, n, value, inplace ? 1 : 0, Flags, out var r), r);
    }

    /// <summary>
    /// <c>(images / divisor - mean[c]) / std[c]</c> as <paramref name="dtype"/>, in one call. With a byte
    /// batch and <c>divisor = 255</c> this is torchvision's <c>ToTensor()</c> + <c>Normalize(mean, std)</c>.
    /// One mean/std value applies to every channel.
    /// </summary>
    public static Tensor Normalize(Tensor images, ReadOnlySpan<double> mean, ReadOnlySpan<double> std, double divisor = 1,
        ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (mean.Length != std.Length) throw new ArgumentException($"{mean.Length} means but {std.Length} stds");
        if (mean.IsEmpty) throw new ArgumentException("give at least one mean and std", nameof(mean));
        fixed (double* m = mean)
        fixed (double* s = std)
            return LibTorch.Wrap(LibTorch.resnetgen_aug_normalize(images.Handle, m, s, mean.Length, divisor, (int)dtype, out var r), r);
    }

    /// <summary>
    /// The batch as <paramref name="dtype"/>: bytes are read as [0, 255] and scaled to [0, 1]
    /// (torchvision's <c>ToTensor()</c>); floating batches are only converted.
    /// </summary>
    public static Tensor ToFloat(Tensor images, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(images);
        var divisor = images.dtype == ScalarType.Byte ? 255.0 : 1.0;
        return LibTorch.Wrap(LibTorch.resnetgen_aug_normalize(images.Handle, null, null, 0, divisor, (int)dtype, out var r), r);
    }
}
