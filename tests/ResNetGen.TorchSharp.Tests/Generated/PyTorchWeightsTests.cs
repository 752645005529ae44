using TorchSharp;
using ResNetGen.TorchSharp.Tests.Oracle;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// Weights saved by PyTorch 1.13 (torch.save, and scripts/python/safetensors_torch.py) load into the
/// generated TorchSharp networks through TorchSharp.PyBridge and reproduce PyTorch's logits.
/// </summary>
public sealed class PyTorchWeightsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static nn.Module<Tensor, Tensor> Generated(string arch) => arch switch
    {
        "resnet18" => new Zoo.ResNet18(),
        "resnet50" => new Zoo.ResNet50(),
        "densenet121" => new Zoo.DenseNet121(),
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, null),
    };

    [Theory]
    [InlineData("resnet18", "pth")]
    [InlineData("resnet18", "safetensors")]
    [InlineData("resnet50", "pth")]
    [InlineData("resnet50", "safetensors")]
    [InlineData("densenet121", "safetensors")]
    public void PyTorch_weights_give_PyTorchs_logits(string arch, string format)
    {
        var export = PyTorchExport.For(arch);
        using var model = Generated(arch);
        var maxDiff = export.AssertLoadsAndMatches(model, format);
        output.WriteLine($"generated {arch} from PyTorch's .{format}: max |Δ logits| = {maxDiff:G3}");
    }
}
