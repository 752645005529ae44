using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>
/// The entry point, shaped on PyTorch's <c>torch</c> module and TorchSharp's <c>torch</c> class:
/// factories, grad mode, seeding, engine queries. Ops live in torch.Ops.cs, nn in torch.nn.cs.
/// </summary>
public static partial class torch
{
    public static ScalarType float32 => ScalarType.Float32;
    public static ScalarType float64 => ScalarType.Float64;
    public static ScalarType float16 => ScalarType.Float16;
    public static ScalarType bfloat16 => ScalarType.BFloat16;
    public static ScalarType int64 => ScalarType.Int64;
    public static ScalarType int32 => ScalarType.Int32;
    public static ScalarType uint8 => ScalarType.Byte;
    public static ScalarType @bool => ScalarType.Bool;

    public static ScalarType default_dtype => ScalarType.Float32;

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.0".</summary>
    public static string version
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_version(out var p));
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(p) ?? "";
        }
    }

    /// <summary>Starts a dispose scope on this thread; dispose it to free every tensor made inside.</summary>
    public static DisposeScope NewDisposeScope() => new();

    public static void manual_seed(long seed) => LibTorch.Check(LibTorch.resnetgen_manual_seed(unchecked((ulong)seed)));

    public static int get_num_threads()
    {
        LibTorch.Check(LibTorch.resnetgen_get_num_threads(out var n));
        return n;
    }

    public static void set_num_threads(int count) => LibTorch.Check(LibTorch.resnetgen_set_num_threads(count));

    /// <summary>
    /// Whether the shim raised glibc's mmap and trim thresholds at load, so freed activations are
    /// reused instead of re-faulted every step (see runtime/native/src/malloc_tuning.cpp;
    /// RESNETGEN_MALLOC_TUNING=0 turns it off).
    /// </summary>
    public static bool malloc_tuned
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_malloc_tuned(out var t));
            return t != 0;
        }
    }

    // ---- grad mode -------------------------------------------------------------------------

    public static bool is_grad_enabled()
    {
        LibTorch.Check(LibTorch.resnetgen_grad_enabled(out var e));
        return e != 0;
    }

    /// <summary>Disables gradient recording until the returned guard is disposed (PyTorch's no_grad).</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    public static IDisposable enable_grad() => new GradModeGuard(true);

    public static IDisposable set_grad_enabled(bool enabled) => new GradModeGuard(enabled);

    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool previous;
        private bool done;

        public GradModeGuard(bool enabled)
        {
            previous = is_grad_enabled();
            LibTorch.Check(LibTorch.resnetgen_set_grad_enabled(enabled ? 1 : 0));
        }

        public void Dispose()
        {
            if (done) return;
            done = true;
            LibTorch.Check(LibTorch.resnetgen_set_grad_enabled(previous ? 1 : 0));
        }
    }

    // ---- engine queries --------------------------------------------------------------------

    public static class cuda
    {
        public static bool is_available()
        {
            LibTorch.Check(LibTorch.resnetgen_cuda_is_available(out var a));
            return a != 0;
        }

        public static int device_count()
        {
            LibTorch.Check(LibTorch.resnetgen_cuda_device_count(out var n));
            return n;
        }
    }

    public static class backends
    {
        public static class cudnn
        {
            /// <summary>Lets cuDNN pick the fastest convolution algorithms for fixed shapes.</summary>
            public static bool benchmark
            {
                get
                {
                    LibTorch.Check(LibTorch.resnetgen_get_cudnn_benchmark(out var b));
                    return b != 0;
                }
                set => LibTorch.Check(LibTorch.resnetgen_set_cudnn_benchmark(value ? 1 : 0));
            }

            /// <summary>Only deterministic cuDNN algorithms: reruns give bit-identical results (slower).</summary>
            public static bool deterministic
            {
                get
                {
                    LibTorch.Check(LibTorch.resnetgen_get_cudnn_deterministic(out var b));
                    return b != 0;
                }
                set => LibTorch.Check(LibTorch.resnetgen_set_cudnn_deterministic(value ? 1 : 0));
            }

            /// <summary>Lets cuDNN's float32 convolutions use TF32 on Ampere and later (libtorch's default: on).</summary>
            public static bool allow_tf32
            {
                get
                {
                    LibTorch.Check(LibTorch.resnetgen_get_cudnn_allow_tf32(out var b));
                    return b != 0;
                }
                set => LibTorch.Check(LibTorch.resnetgen_set_cudnn_allow_tf32(value ? 1 : 0));
            }
        }
    }

    internal static void CheckElementType<T>(ScalarType type) where T : unmanaged
    {
        var expected = ElementTypeOf<T>();
        var ok = expected == type || (typeof(T) == typeof(ushort) && type is ScalarType.Float16 or ScalarType.BFloat16);
        if (!ok)
            throw new ArgumentException($"element type {typeof(T).Name} does not match the tensor's dtype {type.TorchName()}");
    }

    internal static ScalarType ElementTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : typeof(T) == typeof(Half) ? ScalarType.Float16
        : typeof(T) == typeof(ushort) ? ScalarType.BFloat16 // raw bfloat16 bits
        : throw new ArgumentException($"no tensor dtype for element type {typeof(T).Name}");
}
