using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>The zoo's graph networks (Literature.Graph.cs) compiled for TorchSharp: counts and a forward/backward pass at the declared input size.</summary>
public sealed class GraphNetworkTests
{
    public sealed record Case(Func<nn.Module<Tensor, Tensor>> Create, long ParameterCount, int InChannels, int Size, int Classes);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["densenet121"] = new(() => new Zoo.DenseNet121(), Zoo.DenseNet121.ParameterCount, Zoo.DenseNet121.InChannels, Zoo.DenseNet121.InputSize, Zoo.DenseNet121.NumClasses),
        ["DenseNet-BC-100"] = new(() => new Zoo.DenseNetBC100(), Zoo.DenseNetBC100.ParameterCount, Zoo.DenseNetBC100.InChannels, Zoo.DenseNetBC100.InputSize, Zoo.DenseNetBC100.NumClasses),
        ["DenseNet-BC-40"] = new(() => new Zoo.DenseNetBC40Mnist(), Zoo.DenseNetBC40Mnist.ParameterCount, Zoo.DenseNetBC40Mnist.InChannels, Zoo.DenseNetBC40Mnist.InputSize, Zoo.DenseNetBC40Mnist.NumClasses),
        ["highway"] = new(() => new Zoo.HighwayNet(), Zoo.HighwayNet.ParameterCount, Zoo.HighwayNet.InChannels, Zoo.HighwayNet.InputSize, Zoo.HighwayNet.NumClasses),
    };

    // Every network, the CIFAR-stem DenseNets included, runs backward under ONEDNN_MAX_CPU_ISA=SSE41
    // (onednn.runsettings). Without it libtorch 2.10's oneDNN computes the input gradient of the growth-12
    // convs in a layout padded to 16 channels and reads padding it never wrote: about 1 backward in 8 was
    // non-finite (it was blamed on torch.cat, but a lone 64 -> 12 conv shows it too, 4 of 4 passes when
    // fresh allocations are filled with NaN bytes, 0 of 4 under SSE41).
    public static TheoryData<string> Names => [.. Cases.Keys];

    public static TheoryData<string> All => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(All))]
    public void Builds_counts_and_runs_forward_at_the_declared_size(string name)
    {
        var c = Cases[name];
        using var model = c.Create();
        Assert.Equal(c.ParameterCount, StateDicts.ParameterCount(model));
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = model.call(randn(2, c.InChannels, c.Size, c.Size));
        Assert.Equal([2L, c.Classes], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>(), $"{name}: non-finite logits");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Builds_counts_and_runs_forward_and_backward(string name)
    {
        var c = Cases[name];
        manual_seed(5);
        using var model = c.Create();
        Assert.Equal(c.ParameterCount, StateDicts.ParameterCount(model));
        model.train();
        using var scope = NewDisposeScope();
        var logits = model.call(randn(2, c.InChannels, c.Size, c.Size));
        Assert.Equal([2L, c.Classes], logits.shape);
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1 }));
        loss.backward();
        foreach (var (parameter, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: {parameter} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name}: {parameter} has a non-finite gradient");
        }
    }

    [Fact]
    public void Highway_gates_start_at_the_declared_bias()
    {
        using var model = new Zoo.HighwayNet();
        var biases = model.named_parameters().Where(p => p.name.EndsWith(".gate.bias", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, biases.Count);
        Assert.All(biases, b => Assert.Equal(-1f, b.parameter.min().item<float>()));
        Assert.All(biases, b => Assert.Equal(-1f, b.parameter.max().item<float>()));
    }
}
