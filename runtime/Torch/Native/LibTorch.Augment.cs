using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Batched data-pipeline ops (src/ops_augment.cpp): batch gathering into pinned memory and
// augmentations that take per-sample parameters drawn on the managed side.
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)]
    internal static partial int resnetgen_aug_gather(TensorHandle src, long* indices, long n, int pin, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_aug_crop_flip(TensorHandle x, long pad, double fill, long outH, long outW,
        long* offsets, byte* flips, long n, int flags, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_aug_erase(TensorHandle x, long* boxes, long n, double value, int inplace, int flags, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_aug_normalize(TensorHandle x, double* mean, double* std, long channels, double divisor,
        int dtype, out IntPtr result);
}
