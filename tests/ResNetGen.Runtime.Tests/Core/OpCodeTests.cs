using ResNetGen.Torch;
using ResNetGen.Torch.Native;
using Xunit;

namespace ResNetGen.Runtime.Tests.Core;

/// <summary>
/// The op codes are stated once (Torch/Native/OpCodes.cs; CMake generates the shim's C++ enums from
/// it). These check the result end to end: the shim dispatches every managed code to an op of
/// the same name, and rejects the first code past the list.
/// </summary>
public sealed class OpCodeTests
{
    // Negative, zero and positive values, so that no two ops of a list agree on all of them.
    private static readonly float[] Values = [-0.75f, 0f, 0.25f, 1.5f, 4f];
    private static readonly float[] Others = [0.5f, -1.5f, 1.5f, 1.5f, 2f];

    [Fact]
    public void Every_unary_code_runs_the_op_of_its_name()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Values);
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var expected = Unary(op, Values);
            var got = LibTorch.Wrap(LibTorch.resnetgen_unary(op, x.Handle, out var r), r).to(ScalarType.Float32).ToArray<float>();
            AssertClose(op.ToString(), expected, got);
        }
        var past = (UnaryOp)Enum.GetValues<UnaryOp>().Length;
        var e = Assert.Throws<TorchException>(() => LibTorch.Wrap(LibTorch.resnetgen_unary(past, x.Handle, out var r), r));
        Assert.Contains($"unknown unary op {(int)past}", e.Message);
    }

    [Fact]
    public void Every_binary_code_runs_the_op_of_its_name()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b) = (torch.tensor(Values), torch.tensor(Others));
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var expected = Binary(op, Values, Others);
            var result = LibTorch.Wrap(LibTorch.resnetgen_binary(op, a.Handle, b.Handle, 1.0, out var r), r);
            AssertClose(op.ToString(), expected, result.to(ScalarType.Float32).ToArray<float>());
        }
        var past = (BinaryOp)Enum.GetValues<BinaryOp>().Length;
        var e = Assert.Throws<TorchException>(() => LibTorch.Wrap(LibTorch.resnetgen_binary(past, a.Handle, b.Handle, 1.0, out var r), r));
        Assert.Contains($"unknown binary op {(int)past}", e.Message);
    }

    // libtorch's vectorised exp/log/pow may differ from .NET's in the last bit; a swapped op differs by far more.
    private static void AssertClose(string op, float[] expected, float[] got) =>
        Assert.True(expected.Length == got.Length && expected.Zip(got).All(p => p.First.Equals(p.Second) ||
                MathF.Abs(p.First - p.Second) <= 1e-6f * MathF.Max(1, MathF.Abs(p.First))),
            $"{op}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");

    // The reference: each name's meaning, computed in .NET (float32, as the tensor).
    private static float[] Unary(UnaryOp op, float[] x) => x.Select(v => op switch
    {
        UnaryOp.Neg => -v,
        UnaryOp.Relu => MathF.Max(v, 0),
        UnaryOp.Sigmoid => 1 / (1 + MathF.Exp(-v)),
        UnaryOp.Tanh => MathF.Tanh(v),
        UnaryOp.Exp => MathF.Exp(v),
        UnaryOp.Log => MathF.Log(v),
        UnaryOp.Sqrt => MathF.Sqrt(v),
        UnaryOp.Rsqrt => 1 / MathF.Sqrt(v),
        UnaryOp.Abs => MathF.Abs(v),
        UnaryOp.Square => v * v,
        UnaryOp.Floor => MathF.Floor(v),
        UnaryOp.LogicalNot => v == 0 ? 1 : 0,
        UnaryOp.Zero => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no reference for this op: add one"),
    }).ToArray();

    private static float[] Binary(BinaryOp op, float[] a, float[] b) => a.Zip(b, (x, y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        BinaryOp.Div => x / y,
        BinaryOp.Pow => MathF.Pow(x, y),
        BinaryOp.Maximum => MathF.Max(x, y),
        BinaryOp.Minimum => MathF.Min(x, y),
        BinaryOp.Eq => x == y ? 1 : 0,
        BinaryOp.Ne => x != y ? 1 : 0,
        BinaryOp.Lt => x < y ? 1 : 0,
        BinaryOp.Le => x <= y ? 1 : 0,
        BinaryOp.Gt => x > y ? 1 : 0,
        BinaryOp.Ge => x >= y ? 1 : 0,
        BinaryOp.Remainder => x - MathF.Floor(x / y) * y,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no reference for this op: add one"),
    }).ToArray();
}
