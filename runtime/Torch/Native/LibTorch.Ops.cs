using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Ops: src/ops_elementwise.cpp, src/ops_shape_reduce.cpp, src/ops_nn.cpp.
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)] internal static partial int rng_unary(UnaryOp op, TensorHandle x, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_unary_(UnaryOp op, TensorHandle x);
    [LibraryImport(Lib)] internal static partial int rng_binary(BinaryOp op, TensorHandle a, TensorHandle b, double alpha, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_binary_(BinaryOp op, TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int rng_binary_scalar(BinaryOp op, TensorHandle a, double b, double alpha, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_binary_scalar_(BinaryOp op, TensorHandle a, double b, double alpha);
    [LibraryImport(Lib)] internal static partial int rng_scalar_binary(BinaryOp op, double a, TensorHandle b, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_clamp(TensorHandle x, double min, int hasMin, double max, int hasMax, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(Lib)] internal static partial int rng_view(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_reshape(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_permute(TensorHandle x, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_flatten(TensorHandle x, long startDim, long endDim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_transpose(TensorHandle x, long dim0, long dim1, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_unsqueeze(TensorHandle x, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_squeeze(TensorHandle x, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_expand(TensorHandle x, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_slice(TensorHandle x, long dim, long start, long end, long step, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_select(TensorHandle x, long dim, long index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_index_select(TensorHandle x, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_cat(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_stack(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_reduce(ReduceOp kind, TensorHandle x, long* dims, int ndim, int keepdim, int dtype, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_argmax(TensorHandle x, long dim, int hasDim, int keepdim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_topk(TensorHandle x, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int rng_all_finite(TensorHandle x, out int result);
    [LibraryImport(Lib)] internal static partial int rng_masked_fill(TensorHandle x, TensorHandle mask, double value, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_flip(TensorHandle x, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_one_hot(TensorHandle x, long numClasses, out IntPtr result);

    [LibraryImport(Lib)]
    internal static partial int rng_conv2d(TensorHandle x, TensorHandle weight, IntPtr bias, long* stride, long* padding,
        long* dilation, long groups, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int rng_batch_norm(TensorHandle x, IntPtr weight, IntPtr bias, IntPtr runningMean,
        IntPtr runningVar, int training, double momentum, double eps, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_leaky_relu(TensorHandle x, double slope, int inplace, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int rng_max_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, long* dilation,
        int ceilMode, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int rng_avg_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, int ceilMode,
        int countIncludePad, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_adaptive_avg_pool2d(TensorHandle x, long* outputSize, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_adaptive_max_pool2d(TensorHandle x, long* outputSize, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_linear(TensorHandle x, TensorHandle weight, IntPtr bias, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_dropout(TensorHandle x, double p, int training, int inplace, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_pad(TensorHandle x, long* pad, int count, double value, out IntPtr result);
    [LibraryImport(Lib)]
    internal static partial int rng_cross_entropy(TensorHandle input, TensorHandle target, IntPtr weight, int reduction,
        long ignoreIndex, double labelSmoothing, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_mse_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_softmax(TensorHandle x, long dim, int log, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int rng_init_(InitOp kind, TensorHandle x, double a, double b);
}
