using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// The generated TorchSharp networks (samples/ResNetGen.Zoo's declarations, compiled here for the
/// TorchSharp target) against TorchSharp's own TorchVision models of the same architecture.
/// </summary>
public sealed class TorchVisionParityTests
{
    public sealed record Case(Func<nn.Module<Tensor, Tensor>> Generated, Func<nn.Module<Tensor, Tensor>> TorchVision, long ParameterCount);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["resnet18"] = new(() => new Zoo.ResNet18(), () => torchvision.models.resnet18(), Zoo.ResNet18.ParameterCount),
        ["resnet34"] = new(() => new Zoo.ResNet34(), () => torchvision.models.resnet34(), Zoo.ResNet34.ParameterCount),
        ["resnet50"] = new(() => new Zoo.ResNet50(), () => torchvision.models.resnet50(), Zoo.ResNet50.ParameterCount),
        ["resnet101"] = new(() => new Zoo.ResNet101(), () => torchvision.models.resnet101(), Zoo.ResNet101.ParameterCount),
        ["resnet152"] = new(() => new Zoo.ResNet152(), () => torchvision.models.resnet152(), Zoo.ResNet152.ParameterCount),
        ["resnext50_32x4d"] = new(() => new Zoo.ResNeXt50_32x4d(), () => torchvision.models.resnext50_32x4d(), Zoo.ResNeXt50_32x4d.ParameterCount),
        ["wide_resnet50_2"] = new(() => new Zoo.WideResNet50_2(), () => torchvision.models.wide_resnet50_2(), Zoo.WideResNet50_2.ParameterCount),
    };

    public static TheoryData<string> Architectures => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Parameter_count_and_state_dict_equal_torchvision(string arch)
    {
        var c = Cases[arch];
        using var reference = c.TorchVision();
        using var generated = c.Generated();
        var expectedCount = StateDicts.ParameterCount(reference);
        Assert.Equal(expectedCount, StateDicts.ParameterCount(generated));
        Assert.Equal(expectedCount, c.ParameterCount);
        StateDicts.AssertSameSignature(StateDicts.Signature(reference), StateDicts.Signature(generated), arch);
        // PyTorch's order, which optimizers' per-parameter state follows.
        Assert.Equal(reference.named_parameters().Select(p => p.name), generated.named_parameters().Select(p => p.name));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void TorchVision_weights_give_bit_identical_eval_logits(string arch)
    {
        var c = Cases[arch];
        manual_seed(11);
        using var reference = c.TorchVision();
        Perturb(reference);
        using var generated = c.Generated();
        StateDicts.CopyByName(reference, generated);
        reference.eval();
        generated.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(2, 3, 96, 96);
        var expected = reference.call(x);
        var actual = generated.call(x);
        Assert.Equal(expected.shape, actual.shape);
        var maxDiff = (actual - expected).abs().max().item<float>();
        Assert.True(actual.Equals(expected), $"{arch}: logits differ from TorchVision's, max |Δ| = {maxDiff:G9}");
    }

    /// <summary>
    /// torchvision's init leaves every batch norm at weight 1, bias 0, mean 0, var 1, so a buffer
    /// that was not copied would go unnoticed: give each its own values.
    /// </summary>
    private static void Perturb(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.uniform_(0.8, 1.2);
            else if (name.EndsWith("running_mean", StringComparison.Ordinal)) tensor.uniform_(-0.1, 0.1);
            else if (tensor.dim() == 1 && tensor.is_floating_point()) tensor.add_(rand_like(tensor).sub_(0.5).mul_(0.2));
        }
    }
}
