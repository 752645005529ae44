using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>Every other family builds under TorchSharp and trains: one forward and backward pass.</summary>
public sealed class FamilyTests
{
    public sealed record Case(Func<nn.Module<Tensor, Tensor>> Create, long ParameterCount, int InChannels, int Size, int Classes);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["CIFAR ResNet-20, option A"] = new(() => new Zoo.CifarResNet20A(), Zoo.CifarResNet20A.ParameterCount, 3, 32, 10),
        ["CIFAR ResNet-20, option B"] = new(() => new Zoo.CifarResNet20B(), Zoo.CifarResNet20B.ParameterCount, 3, 32, 10),
        ["pre-activation basic"] = new(() => new PreActResNet18(), PreActResNet18.ParameterCount, 3, 32, 10),
        ["pre-activation bottleneck"] = new(() => new PreActBottleneckNet(), PreActBottleneckNet.ParameterCount, 3, 32, 100),
        ["squeeze-excite"] = new(() => new SeResNet(), SeResNet.ParameterCount, 3, 32, 10),
        ["stochastic depth"] = new(() => new StochasticDepthNet(), StochasticDepthNet.ParameterCount, 3, 32, 10),
        ["ResNet-D (deep stem, avg-down)"] = new(() => new Zoo.ResNet50D(), Zoo.ResNet50D.ParameterCount, 3, 64, 1000),
        ["custom [ResidualBlock]"] = new(() => new Zoo.AudioResNet(), Zoo.AudioResNet.ParameterCount, 1, 32, 50),
    };

    public static TheoryData<string> Families => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Families))]
    public void Builds_and_runs_forward_and_backward(string family)
    {
        var c = Cases[family];
        manual_seed(3);
        using var model = c.Create();
        Assert.Equal(c.ParameterCount, StateDicts.ParameterCount(model));
        model.train();
        using var scope = NewDisposeScope();
        var x = randn(2, c.InChannels, c.Size, c.Size);
        var logits = model.call(x);
        Assert.Equal([2L, c.Classes], logits.shape);
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1 }));
        Assert.True(float.IsFinite(loss.item<float>()));
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{family}: {name} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{family}: {name} has a non-finite gradient");
        }
        Assert.True(model.parameters().Any(p => p.grad!.abs().sum().item<float>() > 0), $"{family}: every gradient is zero");
    }

    [Fact]
    public void Squeeze_excite_blocks_carry_timms_keys()
    {
        using var model = new SeResNet();
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains(keys, k => k.EndsWith(".fc1.weight", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.EndsWith(".fc2.bias", StringComparison.Ordinal));
        Assert.Contains(model.modules(), m => m is SqueezeExcite);
    }

    [Fact]
    public void Stochastic_depth_is_random_in_training_and_off_in_eval()
    {
        manual_seed(5);
        // The generated blocks call Functional.drop_path with their rate (a field, not a module).
        using var model = new StochasticDepthNet();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(8, 3, 32, 32);
        model.eval();
        Assert.True(model.call(x).Equals(model.call(x)), "eval mode must be deterministic");
        model.train();
        // Batch norm in training mode is deterministic too; only drop path draws.
        var a = model.call(x);
        var b = model.call(x);
        Assert.False(a.Equals(b), "training mode never dropped a path");
    }
}
