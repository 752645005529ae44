using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

public static partial class torch
{
    public static unsafe Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => ListOp(tensors, dim, &LibTorch.resnetgen_cat);

    public static unsafe Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => ListOp(tensors, dim, &LibTorch.resnetgen_stack);

    /// <summary>Calls a shim op over a list of tensors (kept alive for the call) and a dimension.</summary>
    private static unsafe Tensor ListOp(IReadOnlyList<Tensor> tensors, long dim, delegate*<IntPtr*, int, long, out IntPtr, int> op)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var args = new NativeArgs();
        try
        {
            var handles = args.List(tensors);
            fixed (IntPtr* p = handles) return LibTorch.Wrap(op(p, handles.Length, dim, out var r), r);
        }
        finally
        {
            args.Dispose();
        }
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        LibTorch.Wrap(LibTorch.resnetgen_where(condition.Handle, a.Handle, b.Handle, out var r), r);

    public static Tensor add(Tensor a, Tensor b, double alpha = 1) => a.add(b, alpha);
    public static Tensor mul(Tensor a, Tensor b) => a.mul(b);
    public static Tensor relu(Tensor x) => x.relu();
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    public static Tensor flatten(Tensor x, long start_dim = 0, long end_dim = -1) => x.flatten(start_dim, end_dim);
    public static Tensor argmax(Tensor x, long? dim = null, bool keepdim = false) => x.argmax(dim, keepdim);
    public static Tensor sum(Tensor x) => x.sum();
    public static Tensor mean(Tensor x) => x.mean();
}
