using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Tensor lifecycle, creation, copies, queries (src/tensor.cpp) and autograd (src/autograd.cpp).
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_free(IntPtr t);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_tensor_from_data(void* data, long nbytes, long* shape, int ndim, int dtype,
        int deviceType, int deviceIndex, int requiresGrad, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_copy_to(TensorHandle t, void* data, long nbytes);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_tensor_new(int kind, long* shape, int ndim, double value, int dtype,
        int deviceType, int deviceIndex, int requiresGrad, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_tensor_arange(double start, double end, double step, int dtype, int deviceType,
        int deviceIndex, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_tensor_randint(long low, long high, long* shape, int ndim, int deviceType,
        int deviceIndex, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_randperm(long n, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_ndim(TensorHandle t, out int ndim);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_shape(TensorHandle t, long* sizes, int capacity, out int ndim);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_strides(TensorHandle t, long* strides, int capacity, out int ndim);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_numel(TensorHandle t, out long numel);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_dtype(TensorHandle t, out int dtype);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_device(TensorHandle t, out int deviceType, out int deviceIndex);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_is_contiguous(TensorHandle t, int memoryFormat, out int result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_contiguous(TensorHandle t, int memoryFormat, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_tensor_to(TensorHandle t, int deviceType, int deviceIndex, int dtype, int memoryFormat,
        int nonBlocking, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_pin_memory(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_item(TensorHandle t, out double value);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_clone(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_detach(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_alias(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_set_data(TensorHandle t, TensorHandle source);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_copy_(TensorHandle t, TensorHandle source, int nonBlocking);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_data_ptr(TensorHandle t, out IntPtr data);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_to_string(TensorHandle t, byte* buffer, int capacity, out int length);

    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_requires_grad(TensorHandle t, out int value);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_set_requires_grad(TensorHandle t, int value);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_set_grad(TensorHandle t, IntPtr grad);
    [LibraryImport(Lib)] internal static partial int resnetgen_zero_grad(IntPtr* tensors, int count, int setToNone);
    [LibraryImport(Lib)] internal static partial int resnetgen_tensor_backward(TensorHandle t, IntPtr grad, int retainGraph);
    [LibraryImport(Lib)] internal static partial int resnetgen_grad_enabled(out int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_grad_enabled(int enabled);
}
