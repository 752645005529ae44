using ResNetGen.Torch;

namespace ResNetGen.Runtime.Tests.Numerics;

/// <summary>An input of an op case; float inputs marked <paramref name="Grad"/> get their gradient checked.</summary>
public sealed record OpInput(string Name, Func<Tensor> Make, bool Grad = true);

/// <summary>
/// One op, run by us and by PyTorch on the same inputs. <see cref="Ours"/> and <see cref="Python"/>
/// compute the same outputs (Python: an expression over the inputs' names, a tensor or a tuple).
/// Gradients come from backward with the same random upstream gradient on every float output.
/// <see cref="Seed"/> is set before both sides run, so random ops (dropout, init) draw the same numbers.
/// </summary>
public sealed record OpCase(string Name, OpInput[] Inputs, Func<Tensor[], Tensor[]> Ours, string Python, long Seed = 7)
{
    public override string ToString() => Name;
}
