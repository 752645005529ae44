using System.Runtime.InteropServices;
using System.Text;
using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>
/// A libtorch tensor. Backed by a SafeHandle: released exactly once, by <see cref="Dispose"/>,
/// by the enclosing <see cref="DisposeScope"/>, or at worst by the GC. Using a disposed tensor
/// throws <see cref="ObjectDisposedException"/>.
/// </summary>
public partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;

    internal Tensor(IntPtr nativeHandle) : this(nativeHandle, registerInScope: true) { }

    private protected Tensor(IntPtr nativeHandle, bool registerInScope)
    {
        handle = new TensorHandle(nativeHandle);
        if (registerInScope) DisposeScope.RegisterIfActive(this);
    }

    internal DisposeScope? OwningScope { get; set; }

    internal TensorHandle Handle =>
        handle.IsClosed ? throw new ObjectDisposedException(nameof(Tensor), "The tensor has been disposed.") : handle;

    public bool IsDisposed => handle.IsClosed;

    public void Dispose()
    {
        OwningScope?.Remove(this);
        handle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Keeps this tensor alive past the current dispose scope (moves it to the enclosing one).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        OwningScope?.MoveToOuter(this);
        return this;
    }

    /// <summary>Takes this tensor out of any dispose scope: the caller now disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope?.Remove(this);
        return this;
    }

    // ---- queries ---------------------------------------------------------------------------

    public unsafe long[] shape
    {
        get
        {
            Span<long> buffer = stackalloc long[8];
            int ndim;
            fixed (long* p = buffer) LibTorch.Check(LibTorch.resnetgen_tensor_shape(Handle, p, buffer.Length, out ndim));
            if (ndim <= buffer.Length) return buffer[..ndim].ToArray();
            var sizes = new long[ndim];
            fixed (long* p = sizes) LibTorch.Check(LibTorch.resnetgen_tensor_shape(Handle, p, ndim, out ndim));
            return sizes;
        }
    }

    public unsafe long[] stride()
    {
        var strides = new long[dim()];
        fixed (long* p = strides) LibTorch.Check(LibTorch.resnetgen_tensor_strides(Handle, p, strides.Length, out _));
        return strides;
    }

    public int dim()
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_ndim(Handle, out var n));
        return n;
    }

    public int ndim => dim();

    /// <summary>Size of one dimension; negative dimensions count from the end.</summary>
    public long size(int dimension)
    {
        var s = shape;
        var d = dimension < 0 ? dimension + s.Length : dimension;
        if (d < 0 || d >= s.Length)
            throw new ArgumentOutOfRangeException(nameof(dimension), $"dimension {dimension} out of range for a {s.Length}-d tensor");
        return s[d];
    }

    public long numel()
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_numel(Handle, out var n));
        return n;
    }

    public ScalarType dtype
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_tensor_dtype(Handle, out var code));
            return (ScalarType)code;
        }
    }

    public Device device
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_tensor_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    public bool is_cuda => device.type == DeviceType.CUDA;

    public bool is_contiguous(MemoryFormat format = MemoryFormat.Contiguous)
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_is_contiguous(Handle, (int)format, out var r));
        return r != 0;
    }

    // ---- conversions -----------------------------------------------------------------------

    public Tensor contiguous(MemoryFormat format = MemoryFormat.Contiguous) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_contiguous(Handle, (int)format, out var r), r);

    public Tensor to(Device target, bool non_blocking = false) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_to(Handle, (int)target.type, target.index, -1, (int)MemoryFormat.Preserve, non_blocking ? 1 : 0, out var r), r);

    public Tensor to(ScalarType type) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_to(Handle, -1, -1, (int)type, (int)MemoryFormat.Preserve, 0, out var r), r);

    public Tensor to(Device target, ScalarType type, bool non_blocking = false) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_to(Handle, (int)target.type, target.index, (int)type, (int)MemoryFormat.Preserve, non_blocking ? 1 : 0, out var r), r);

    public Tensor to(MemoryFormat format) =>
        LibTorch.Wrap(LibTorch.resnetgen_tensor_to(Handle, -1, -1, -1, (int)format, 0, out var r), r);

    public Tensor cpu() => to(Device.CPU);

    public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));

    public Tensor pin_memory() => LibTorch.Wrap(LibTorch.resnetgen_tensor_pin_memory(Handle, out var r), r);

    public Tensor clone() => LibTorch.Wrap(LibTorch.resnetgen_tensor_clone(Handle, out var r), r);

    public Tensor detach() => LibTorch.Wrap(LibTorch.resnetgen_tensor_detach(Handle, out var r), r);

    /// <summary>Another reference to the same tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => LibTorch.Wrap(LibTorch.resnetgen_tensor_alias(Handle, out var r), r);

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (broadcasting, casting).</summary>
    public Tensor copy_(Tensor source, bool non_blocking = false)
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_copy_(Handle, source.Handle, non_blocking ? 1 : 0));
        return this;
    }

    /// <summary>Replaces this tensor's data, keeping its identity (PyTorch's <c>t.data = x</c>).</summary>
    public void set_data(Tensor source) => LibTorch.Check(LibTorch.resnetgen_tensor_set_data(Handle, source.Handle));

    // ---- data out --------------------------------------------------------------------------

    /// <summary>The elements in row-major order. <typeparamref name="T"/> must match the dtype.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        var type = dtype;
        torch.CheckElementType<T>(type);
        var result = new T[numel()];
        fixed (T* p = result)
            LibTorch.Check(LibTorch.resnetgen_tensor_copy_to(Handle, p, (long)result.Length * type.ElementSize()));
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_item(Handle, out var value));
        return typeof(T) == typeof(bool) ? (T)(object)(value != 0) : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public double item() => item<double>();

    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var grad = requires_grad ? ", requires_grad=True" : "";
        return $"Tensor(shape=[{string.Join(", ", shape)}], dtype={dtype.TorchName()}, device={device}{grad})";
    }

    /// <summary>libtorch's own printout, values included.</summary>
    public unsafe string ToStringWithValues()
    {
        LibTorch.Check(LibTorch.resnetgen_tensor_to_string(Handle, null, 0, out var length));
        var buffer = new byte[length + 1];
        fixed (byte* p = buffer) LibTorch.Check(LibTorch.resnetgen_tensor_to_string(Handle, p, buffer.Length, out _));
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
