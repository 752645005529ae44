using TorchSharp;
using ResNetGen.TorchSharp.Tests.Oracle;

namespace ResNetGen.TorchSharp.Tests;

/// <summary>The harness itself, with TorchSharp's own TorchVision models: a failure here is not the generator's.</summary>
public sealed class OracleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void PyTorch_weights_give_PyTorchs_logits_in_TorchSharps_torchvision_resnet18()
    {
        using var model = torchvision.models.resnet18();
        var maxDiff = PyTorchExport.For("resnet18").AssertLoadsAndMatches(model, "pth");
        output.WriteLine($"TorchVision resnet18 from PyTorch's .pth: max |Δ logits| = {maxDiff:G3}");
    }

    [Fact]
    public void A_smaller_saved_tensor_is_reported_before_loading()
    {
        // TorchSharp would copy a 10-class head into the first 10 rows of a 1000-class one silently.
        using var tenClasses = torchvision.models.resnet18(num_classes: 10);
        using var thousand = torchvision.models.resnet18();
        var differences = StateDicts.Differences(StateDicts.Signature(tenClasses), StateDicts.Signature(thousand));
        Assert.Equal($"fc.bias: expected [10], got [1000]{Environment.NewLine}fc.weight: expected [10, 512], got [1000, 512]{Environment.NewLine}", differences);
        Assert.ThrowsAny<Exception>(() => StateDicts.CopyByName(tenClasses, thousand));
    }
}
