namespace ResNetGen.Torch.Native;

// The op codes of the shim's op-selecting entry points, stated once: the shim's C++ enums
// (op_codes.h) are generated from this file by runtime/native/op_codes.cmake at build time.
// Keep each enum a plain list of names (no explicit values); add or reorder freely.

internal enum UnaryOp
{
    Neg, Relu, Sigmoid, Tanh, Exp, Log, Sqrt, Rsqrt, Abs, Square, Floor, LogicalNot, Zero,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, Remainder,
}

internal enum ReduceOp
{
    Sum, Mean, Amax, Amin,
}

internal enum InitOp
{
    Uniform, Normal, Fill, Bernoulli,
}
