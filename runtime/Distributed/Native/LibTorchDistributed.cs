using System.Runtime.InteropServices;
using ResNetGen.Torch;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed.Native;

// The shim's c10d entry points (src/distributed.cpp, src/sync_batch_norm.cpp): declared here,
// not in ResNetGen.Torch.Native, because they take this layer's handles.
internal static unsafe partial class LibTorchDistributed
{
    private const string Lib = ShimLoader.LibraryName;

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int resnetgen_dist_backend_available(string backend, out int available);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_backends(out IntPtr list);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int resnetgen_dist_init(string backend, string masterAddr, int masterPort, int rank, int worldSize,
        long timeoutMs, string? glooInterface, out IntPtr group);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_free(IntPtr group);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_dist_all_reduce(ProcessGroupHandle group, IntPtr* tensors, int count, int op, long bucketBytes);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_dist_broadcast(ProcessGroupHandle group, IntPtr* tensors, int count, int root, long bucketBytes);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_barrier(ProcessGroupHandle group);

    // src/sync_batch_norm.cpp
    [LibraryImport(Lib)]
    internal static partial int resnetgen_dist_sync_batch_norm(ProcessGroupHandle group, TensorHandle input, IntPtr weight, IntPtr bias,
        IntPtr runningMean, IntPtr runningVar, double momentum, double eps, out IntPtr result);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_randperm(long n, ulong seed, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_dist_reducer_new(ProcessGroupHandle group, IntPtr* parameters, int count, long bucketBytes, out IntPtr reducer);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_reducer_prepare(GradientReducerHandle reducer);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_reducer_finish(GradientReducerHandle reducer);

    [LibraryImport(Lib)] internal static partial int resnetgen_dist_reducer_free(IntPtr reducer);
}
