using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// The zoo's branch networks (Literature.Branches.cs: MSRN's multi-scale residual block, whose parallel
/// 3×3 and 5×5 branches are concatenated) compiled for TorchSharp: count, block keys, forward and backward.
/// </summary>
public sealed class BranchNetworkTests
{
    [Fact]
    public void Msrb_network_counts_and_runs_forward_and_backward()
    {
        manual_seed(5);
        using var model = new Zoo.MultiScaleResidualNet();
        Assert.Equal(Zoo.MultiScaleResidualNet.ParameterCount, StateDicts.ParameterCount(model));
        Assert.Equal(1_003_498, Zoo.MultiScaleResidualNet.ParameterCount); // tests/ResNetGen.Generator.Tests/Oracle/branch_oracle.py
        model.train();
        using var scope = NewDisposeScope();
        var size = Zoo.MultiScaleResidualNet.InputSize;
        var logits = model.call(randn(2, Zoo.MultiScaleResidualNet.InChannels, size, size));
        Assert.Equal([2L, Zoo.MultiScaleResidualNet.NumClasses], logits.shape);
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1 }));
        loss.backward();
        foreach (var (parameter, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{parameter} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{parameter} has a non-finite gradient");
        }
    }

    [Fact]
    public void Msrb_block_registers_its_convolutions_in_attribute_order()
    {
        using var block = new Zoo.MultiScaleResidualBlock(64, 64);
        Assert.Equal(713_152, StateDicts.ParameterCount(block)); // MSRN's block at n = 64 (branch_oracle.py)
        Assert.Equal(
            Enumerable.Range(1, 5).SelectMany(i => new[] { $"conv{i}.weight", $"conv{i}.bias" }),
            block.state_dict().Keys);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        block.eval();
        var y = block.call(randn(1, 64, 12, 12));
        Assert.Equal([1L, 64, 12, 12], y.shape);
    }
}
