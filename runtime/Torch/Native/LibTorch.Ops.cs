using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Ops: src/ops_elementwise.cpp, src/ops_shape_reduce.cpp, src/ops_nn.cpp.
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)] internal static partial int resnetgen_unary(UnaryOp op, TensorHandle x, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_unary_(UnaryOp op, TensorHandle x);
    [LibraryImport(Lib)] internal static partial int resnetgen_binary(BinaryOp op, TensorHandle a, TensorHandle b, double alpha, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_binary_(BinaryOp op, TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int resnetgen_binary_scalar(BinaryOp op, TensorHandle a, double b, double alpha, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_binary_scalar_(BinaryOp op, TensorHandle a, double b, double alpha);
    [LibraryImport(Lib)] internal static partial int resnetgen_scalar_binary(BinaryOp op, double a, TensorHandle b, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_clamp(TensorHandle x, double min, int hasMin, double max, int hasMax, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(Lib)] internal static partial int resnetgen_view(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_reshape(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_permute(TensorHandle x, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_flatten(TensorHandle x, long startDim, long endDim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_transpose(TensorHandle x, long dim0, long dim1, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_unsqueeze(TensorHandle x, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_squeeze(TensorHandle x, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_expand(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_slice(TensorHandle x, long dim, long start, long end, long step, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_select(TensorHandle x, long dim, long index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_index_select(TensorHandle x, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_cat(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_stack(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_reduce(ReduceOp kind, TensorHandle x, long* dims, int ndim, int keepdim, int dtype, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_argmax(TensorHandle x, long dim, int hasDim, int keepdim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_topk(TensorHandle x, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int resnetgen_all_finite(TensorHandle x, out int result);
    [LibraryImport(Lib)] internal static partial int resnetgen_masked_fill(TensorHandle x, TensorHandle mask, double value, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_flip(TensorHandle x, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_one_hot(TensorHandle x, long numClasses, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_conv2d(TensorHandle x, TensorHandle weight, IntPtr bias, long* stride, long* padding,
        long* dilation, long groups, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_batch_norm(TensorHandle x, IntPtr weight, IntPtr bias, IntPtr runningMean,
        IntPtr runningVar, int training, double momentum, double eps, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_leaky_relu(TensorHandle x, double slope, int inplace, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_max_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, long* dilation,
        int ceilMode, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_avg_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, int ceilMode,
        int countIncludePad, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_adaptive_avg_pool2d(TensorHandle x, long* outputSize, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_adaptive_max_pool2d(TensorHandle x, long* outputSize, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_linear(TensorHandle x, TensorHandle weight, IntPtr bias, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_dropout(TensorHandle x, double p, int training, int inplace, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_pad(TensorHandle x, long* pad, int count, double value, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int resnetgen_cross_entropy(TensorHandle input, TensorHandle target, IntPtr weight, int reduction,
        long ignoreIndex, double labelSmoothing, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_mse_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_softmax(TensorHandle x, long dim, int log, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int resnetgen_init_(InitOp kind, TensorHandle x, double a, double b);
}
