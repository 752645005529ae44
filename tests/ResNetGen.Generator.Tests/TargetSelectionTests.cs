using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>The target follows the compilation's references; the MSBuild property decides between two; none is a located error.</summary>
public class TargetSelectionTests
{
    private static string Network => Families.All["CifarOptionB"];

    private static string Header(GeneratorRun run) => run.Generated.Single(g => g.HintName.EndsWith(".g.cs", StringComparison.Ordinal)).Source.Split('\n')[1];

    [Fact]
    public void TorchSharp_only_writes_TorchSharp_code()
    {
        var run = GeneratorHarness.Run(Target.TorchSharp, Network);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("for TorchSharp", Header(run));
        Assert.Contains("global::TorchSharp.torch.nn.Module<", run.Generated[0].Source);
        Assert.DoesNotContain("ResNetGen.Torch.", run.Generated[0].Source);
    }

    [Fact]
    public void Runtime_only_writes_ResNetGen_Torch_code()
    {
        var run = GeneratorHarness.Run(Target.ResNetGenTorch, Network);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("for ResNetGen.Torch", Header(run));
        Assert.DoesNotContain("TorchSharp", run.Generated[0].Source);
    }

    [Theory]
    [InlineData("TorchSharp", "for TorchSharp")]
    [InlineData("ResNetGenTorch", "for ResNetGen.Torch")]
    [InlineData(" torchsharp ", "for TorchSharp")]
    public void Both_referenced_the_property_decides(string property, string expected)
    {
        var run = GeneratorHarness.RunWithProperty(Target.Both, property, Network);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(expected, Header(run));
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    [Theory]
    [InlineData(Target.Both, null, "references both TorchSharp and ResNetGen.Runtime")]
    [InlineData(Target.Neither, null, "TorchSharp-cpu")]
    [InlineData(Target.ResNetGenTorch, "TorchSharp", "does not reference TorchSharp")]
    [InlineData(Target.TorchSharp, "ResNetGenTorch", "does not reference ResNetGen.Runtime")]
    [InlineData(Target.Both, "Keras", "'Keras' is not a target")]
    public void No_usable_target_is_a_located_error_and_nothing_is_emitted(Target target, string? property, string message)
    {
        var run = GeneratorHarness.RunWithProperty(target, property, Network);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RNG016");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains(message, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(error.Location.IsInSource);
        Assert.StartsWith("ResNet", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan));
        Assert.Empty(run.Generated);
    }

    [Fact]
    public void Neither_target_snapshot()
    {
        var run = GeneratorHarness.Run(Target.Neither, Network);
        Snapshot.Verify("Diagnostic_RNG016_NoTarget", run);
    }
}
