using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

// Elementwise math, comparisons, shapes and reductions, named as in PyTorch.
// Methods ending in '_' work in place and return this tensor.
public partial class Tensor
{
    private Tensor Unary(UnaryOp op) => LibTorch.Wrap(LibTorch.resnetgen_unary(op, Handle, out var r), r);

    private Tensor Unary_(UnaryOp op)
    {
        LibTorch.Check(LibTorch.resnetgen_unary_(op, Handle));
        return this;
    }

    private Tensor Binary(BinaryOp op, Tensor other, double alpha = 1) =>
        LibTorch.Wrap(LibTorch.resnetgen_binary(op, Handle, other.Handle, alpha, out var r), r);

    private Tensor Binary_(BinaryOp op, Tensor other, double alpha = 1)
    {
        LibTorch.Check(LibTorch.resnetgen_binary_(op, Handle, other.Handle, alpha));
        return this;
    }

    private Tensor Binary(BinaryOp op, double other, double alpha = 1) =>
        LibTorch.Wrap(LibTorch.resnetgen_binary_scalar(op, Handle, other, alpha, out var r), r);

    private Tensor Binary_(BinaryOp op, double other, double alpha = 1)
    {
        LibTorch.Check(LibTorch.resnetgen_binary_scalar_(op, Handle, other, alpha));
        return this;
    }

    // ---- unary ----
    public Tensor neg() => Unary(UnaryOp.Neg);
    public Tensor relu() => Unary(UnaryOp.Relu);
    public Tensor relu_() => Unary_(UnaryOp.Relu);
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor sigmoid_() => Unary_(UnaryOp.Sigmoid);
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    public Tensor exp() => Unary(UnaryOp.Exp);
    public Tensor log() => Unary(UnaryOp.Log);
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor abs() => Unary(UnaryOp.Abs);
    public Tensor square() => Unary(UnaryOp.Square);
    public Tensor floor() => Unary(UnaryOp.Floor);
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
    public Tensor zero_() => Unary_(UnaryOp.Zero);

    // ---- binary ----
    public Tensor add(Tensor other, double alpha = 1) => Binary(BinaryOp.Add, other, alpha);
    public Tensor add(double other) => Binary(BinaryOp.Add, other);
    public Tensor add_(Tensor other, double alpha = 1) => Binary_(BinaryOp.Add, other, alpha);
    public Tensor add_(double other) => Binary_(BinaryOp.Add, other);
    public Tensor sub(Tensor other, double alpha = 1) => Binary(BinaryOp.Sub, other, alpha);
    public Tensor sub(double other) => Binary(BinaryOp.Sub, other);
    public Tensor sub_(Tensor other, double alpha = 1) => Binary_(BinaryOp.Sub, other, alpha);
    public Tensor sub_(double other) => Binary_(BinaryOp.Sub, other);
    public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other);
    public Tensor mul(double other) => Binary(BinaryOp.Mul, other);
    public Tensor mul_(Tensor other) => Binary_(BinaryOp.Mul, other);
    public Tensor mul_(double other) => Binary_(BinaryOp.Mul, other);
    public Tensor div(Tensor other) => Binary(BinaryOp.Div, other);
    public Tensor div(double other) => Binary(BinaryOp.Div, other);
    public Tensor div_(Tensor other) => Binary_(BinaryOp.Div, other);
    public Tensor div_(double other) => Binary_(BinaryOp.Div, other);
    public Tensor pow(double exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor remainder(double other) => Binary(BinaryOp.Remainder, other);
    public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    public Tensor clamp_min(double min) => Binary(BinaryOp.Maximum, min);
    public Tensor clamp_max(double max) => Binary(BinaryOp.Minimum, max);

    public Tensor clamp(double? min = null, double? max = null) =>
        LibTorch.Wrap(LibTorch.resnetgen_clamp(Handle, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0, out var r), r);

    // ---- comparisons (bool tensors) ----
    public Tensor eq(Tensor other) => Binary(BinaryOp.Eq, other);
    public Tensor eq(double other) => Binary(BinaryOp.Eq, other);
    public Tensor ne(Tensor other) => Binary(BinaryOp.Ne, other);
    public Tensor ne(double other) => Binary(BinaryOp.Ne, other);
    public Tensor lt(Tensor other) => Binary(BinaryOp.Lt, other);
    public Tensor lt(double other) => Binary(BinaryOp.Lt, other);
    public Tensor le(Tensor other) => Binary(BinaryOp.Le, other);
    public Tensor le(double other) => Binary(BinaryOp.Le, other);
    public Tensor gt(Tensor other) => Binary(BinaryOp.Gt, other);
    public Tensor gt(double other) => Binary(BinaryOp.Gt, other);
    public Tensor ge(Tensor other) => Binary(BinaryOp.Ge, other);
    public Tensor ge(double other) => Binary(BinaryOp.Ge, other);

    /// <summary>True when every element is finite (no NaN or infinity).</summary>
    public bool all_finite()
    {
        LibTorch.Check(LibTorch.resnetgen_all_finite(Handle, out var r));
        return r != 0;
    }

    public Tensor masked_fill(Tensor mask, double value) =>
        LibTorch.Wrap(LibTorch.resnetgen_masked_fill(Handle, mask.Handle, value, out var r), r);

    // ---- operators (no ==/!=: Equals keeps reference semantics; use eq) ----
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    public static Tensor operator -(double a, Tensor b) =>
        LibTorch.Wrap(LibTorch.resnetgen_scalar_binary(BinaryOp.Sub, a, b.Handle, out var r), r);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator /(double a, Tensor b) =>
        LibTorch.Wrap(LibTorch.resnetgen_scalar_binary(BinaryOp.Div, a, b.Handle, out var r), r);
    public static Tensor operator -(Tensor a) => a.neg();

    // ---- shape ----
    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* s = shape) return LibTorch.Wrap(LibTorch.resnetgen_view(Handle, s, shape.Length, out var r), r);
    }

    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* s = shape) return LibTorch.Wrap(LibTorch.resnetgen_reshape(Handle, s, shape.Length, out var r), r);
    }

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* s = dims) return LibTorch.Wrap(LibTorch.resnetgen_permute(Handle, s, dims.Length, out var r), r);
    }

    public unsafe Tensor expand(params long[] shape)
    {
        fixed (long* s = shape) return LibTorch.Wrap(LibTorch.resnetgen_expand(Handle, s, shape.Length, out var r), r);
    }

    public unsafe Tensor flip(params long[] dims)
    {
        fixed (long* s = dims) return LibTorch.Wrap(LibTorch.resnetgen_flip(Handle, s, dims.Length, out var r), r);
    }

    public Tensor flatten(long start_dim = 0, long end_dim = -1) =>
        LibTorch.Wrap(LibTorch.resnetgen_flatten(Handle, start_dim, end_dim, out var r), r);

    public Tensor transpose(long dim0, long dim1) => LibTorch.Wrap(LibTorch.resnetgen_transpose(Handle, dim0, dim1, out var r), r);

    public Tensor t() => transpose(0, 1);

    public Tensor unsqueeze(long dim) => LibTorch.Wrap(LibTorch.resnetgen_unsqueeze(Handle, dim, out var r), r);

    public Tensor squeeze() => LibTorch.Wrap(LibTorch.resnetgen_squeeze(Handle, long.MinValue, out var r), r);

    public Tensor squeeze(long dim) => LibTorch.Wrap(LibTorch.resnetgen_squeeze(Handle, dim, out var r), r);

    /// <summary>Python's <c>x[..., start:end:step, ...]</c> along <paramref name="dim"/>.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) =>
        LibTorch.Wrap(LibTorch.resnetgen_slice(Handle, dim, start, end, step, out var r), r);

    public Tensor select(long dim, long index) => LibTorch.Wrap(LibTorch.resnetgen_select(Handle, dim, index, out var r), r);

    public Tensor index_select(long dim, Tensor index) =>
        LibTorch.Wrap(LibTorch.resnetgen_index_select(Handle, dim, index.Handle, out var r), r);

    public Tensor this[long index] => select(0, index);

    // ---- reductions ----
    private unsafe Tensor Reduce(ReduceOp op, long[]? dims, bool keepdim, ScalarType? type)
    {
        dims ??= [];
        fixed (long* d = dims)
            return LibTorch.Wrap(LibTorch.resnetgen_reduce(op, Handle, d, dims.Length, keepdim ? 1 : 0, type.HasValue ? (int)type.Value : -1, out var r), r);
    }

    public Tensor sum(ScalarType? type = null) => Reduce(ReduceOp.Sum, null, false, type);
    public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => Reduce(ReduceOp.Sum, dim, keepdim, type);
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim, null);
    public Tensor mean() => Reduce(ReduceOp.Mean, null, false, null);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim, null);
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim, null);
    public Tensor amax(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amax, dims, keepdim, null);
    public Tensor amin(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amin, dims, keepdim, null);

    /// <summary>Index of the largest element over <paramref name="dim"/>, or over everything if null.</summary>
    public Tensor argmax(long? dim = null, bool keepdim = false) =>
        LibTorch.Wrap(LibTorch.resnetgen_argmax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepdim ? 1 : 0, out var r), r);

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        LibTorch.Check(LibTorch.resnetgen_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    // ---- in-place random fills and initialisers (never recorded by autograd) ----
    private Tensor Init_(InitOp op, double a, double b)
    {
        LibTorch.Check(LibTorch.resnetgen_init_(op, Handle, a, b));
        return this;
    }

    public Tensor uniform_(double from = 0, double to = 1) => Init_(InitOp.Uniform, from, to);
    public Tensor normal_(double mean = 0, double std = 1) => Init_(InitOp.Normal, mean, std);
    public Tensor fill_(double value) => Init_(InitOp.Fill, value, 0);
    public Tensor bernoulli_(double p) => Init_(InitOp.Bernoulli, p, 0);
}
