namespace ResNetGen.Torch.Native;

// Mirrors of the op-code enums in runtime/native/src/ops_elementwise.cpp: same order.

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
