using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

public static partial class torch
{
    /// <summary>A tensor copied from managed memory; the shape defaults to 1-d.</summary>
    public static unsafe Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null,
        bool requires_grad = false) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return tensor(new ReadOnlySpan<T>(data), shape ?? [data.LongLength], ElementTypeOf<T>(), device, requires_grad);
    }

    /// <summary>A tensor copied from a span; <paramref name="dtype"/> tells how to read raw bits (bfloat16 as ushort).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[] shape, ScalarType dtype, Device? device = null,
        bool requires_grad = false) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        CheckElementType<T>(dtype);
        var d = device ?? Device.CPU;
        fixed (T* p = data)
        fixed (long* s = shape)
        {
            return LibTorch.Wrap(LibTorch.resnetgen_tensor_from_data(p, (long)data.Length * sizeof(T), s, shape.Length,
                (int)dtype, (int)d.type, d.index, requires_grad ? 1 : 0, out var r), r);
        }
    }

    public static Tensor tensor(float value) => tensor(new[] { value }, []);

    public static Tensor tensor(double value) => tensor(new[] { value }, []);

    public static Tensor tensor(long value) => tensor(new[] { value }, []);

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(0, shape, 0, dtype, device, requires_grad);

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(1, shape, 0, dtype, device, requires_grad);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(2, shape, 0, dtype, device, requires_grad);

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(3, shape, value, dtype, device, requires_grad);

    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(4, shape, 0, dtype, device, requires_grad);

    /// <summary>Standard normal.</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(5, shape, 0, dtype, device, requires_grad);

    public static Tensor zeros(params long[] shape) => zeros(shape, ScalarType.Float32);

    public static Tensor ones(params long[] shape) => ones(shape, ScalarType.Float32);

    public static Tensor rand(params long[] shape) => rand(shape, ScalarType.Float32);

    public static Tensor randn(params long[] shape) => randn(shape, ScalarType.Float32);

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return LibTorch.Wrap(LibTorch.resnetgen_tensor_arange(start, end, step, (int)dtype, (int)d.type, d.index, out var r), r);
    }

    public static unsafe Tensor randint(long low, long high, long[] shape, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* s = shape)
            return LibTorch.Wrap(LibTorch.resnetgen_tensor_randint(low, high, s, shape.Length, (int)d.type, d.index, out var r), r);
    }

    public static Tensor randperm(long n, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return LibTorch.Wrap(LibTorch.resnetgen_tensor_randperm(n, (int)d.type, d.index, out var r), r);
    }

    private static unsafe Tensor New(int kind, long[] shape, double value, ScalarType dtype, Device? device, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = device ?? Device.CPU;
        fixed (long* s = shape)
            return LibTorch.Wrap(LibTorch.resnetgen_tensor_new(kind, s, shape.Length, value, (int)dtype, (int)d.type, d.index,
                requiresGrad ? 1 : 0, out var r), r);
    }
}
