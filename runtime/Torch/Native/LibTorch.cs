using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

/// <summary>
/// The shim's C ABI. Every entry point returns 0 or -1; <see cref="Check"/> turns -1 into a
/// <see cref="TorchException"/> with libtorch's message. Declarations are split by area
/// across the LibTorch.*.cs files.
/// </summary>
internal static partial class LibTorch
{
    private const string Lib = ShimLoader.LibraryName;

    [LibraryImport(Lib)]
    private static partial IntPtr resnetgen_last_error();

    internal static string LastError() => Marshal.PtrToStringUTF8(resnetgen_last_error()) ?? "(no message)";

    internal static void Check(int status)
    {
        if (status != 0) throw new TorchException(LastError());
    }

    /// <summary>Wraps a fresh native handle (status already checked) into a tensor.</summary>
    internal static Tensor Wrap(int status, IntPtr handle)
    {
        Check(status);
        return new Tensor(handle);
    }

    [LibraryImport(Lib)] internal static partial int resnetgen_version(out IntPtr version);
    [LibraryImport(Lib)] internal static partial int resnetgen_cuda_is_available(out int available);
    [LibraryImport(Lib)] internal static partial int resnetgen_cuda_device_count(out int count);
    [LibraryImport(Lib)] internal static partial int resnetgen_get_num_threads(out int count);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_num_threads(int count);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_cudnn_benchmark(int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_get_cudnn_benchmark(out int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_cudnn_deterministic(int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_get_cudnn_deterministic(out int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_cudnn_allow_tf32(int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_get_cudnn_allow_tf32(out int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int resnetgen_test_throw_unknown();
    [LibraryImport(Lib)] internal static partial int resnetgen_malloc_tuned(out int tuned);
}
