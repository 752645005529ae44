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

    // The CIFAR-stem DenseNets' backward is checked on ResNetGen.Torch only: under TorchSharp 0.107
    // (libtorch 2.10, CPU, this machine's libstdc++ workaround) a conv whose output is both concatenated
    // and fed to BN-ReLU-conv (conv → cat([h, conv(relu(bn(h)))])) gets non-finite weight gradients in
    // about 1 backward in 8, even written by hand without the generator; under ResNetGen.Torch (libtorch 1.13) never.
    public static TheoryData<string> Names => ["densenet121", "highway"];

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
