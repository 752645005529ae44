using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>The image-output forms ([FeatureFusion], [Reconstruction], PixelShuffle): generated code per target, and their diagnostics, snapshotted.</summary>
public class ImageOutputSnapshotTests
{
    /// <summary>EDSR's residual block (Lim et al. 2017, res_scale 1): conv-ReLU-conv with biases, no BN, no activation after the add.</summary>
    private const string EdsrBlock = """
        [ResidualBlock(Activation = ActivationKind.None)]
        [Conv(3, Bias = true)]
        [Relu]
        [Conv(3, Bias = true)]
        public partial class EdsrBlock { }
        """;

    public static readonly IReadOnlyDictionary<string, string> Forms = new Dictionary<string, string>
    {
        ["MsrnX2"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>MSRN's multi-scale residual block (Li et al., ECCV 2018).</summary>
            [ResidualBlock(Activation = ActivationKind.None)]
            [Branch] [Conv(3, Bias = true)] [Relu]
            [Branch] [Conv(5, Bias = true)] [Relu]
            [Join(JoinKind.Concat)]
            [Branch] [Conv(3, Expansion = 2, Bias = true)] [Relu]
            [Branch] [Conv(5, Expansion = 2, Bias = true)] [Relu]
            [Join(JoinKind.Concat)]
            [Conv(1, Bias = true)]
            public partial class MultiScaleResidualBlock { }

            /// <summary>MSRN ×2: eight blocks, hierarchical feature fusion, sub-pixel reconstruction.</summary>
            [ResNet(InChannels = 3, InputSize = 48, ConvBias = true, Init = WeightInit.PyTorchDefault)]
            [Stem(StemKind.Cifar, Filters = 64, Norm = false)]
            [ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(MultiScaleResidualBlock))]
            [FeatureFusion]
            [Reconstruction(scale: 2)]
            public partial class Msrn { }
            """,
        ["FusionReconstructionX2"] = $$"""
            using ResNetGen;
            namespace Zoo;
            {{EdsrBlock}}

            /// <summary>MSRN's layout with EDSR blocks: every block's output and the stem's fused, ×2 sub-pixel tail.</summary>
            [ResNet(InChannels = 3, InputSize = 48, ConvBias = true)]
            [Stem(StemKind.Cifar, Filters = 64, Norm = false)]
            [ResidualStage(filters: 64, blocks: 4, CustomBlock = typeof(EdsrBlock))]
            [FeatureFusion]
            [Reconstruction(scale: 2)]
            public partial class FusedSr { }
            """,
        ["ReconstructionX3NoFusion"] = $$"""
            using ResNetGen;
            namespace Zoo;
            {{EdsrBlock}}

            /// <summary>EDSR-style ×3 tail (no leading conv), grayscale, input size left open.</summary>
            [ResNet(InChannels = 1, ConvBias = true)]
            [Stem(StemKind.Cifar, Filters = 32, Norm = false)]
            [ResidualStage(32, 2, CustomBlock = typeof(EdsrBlock))]
            [Reconstruction(3, LeadingConv = false)]
            public partial class SrX3 { }
            """,
        ["ReconstructionX4Filters"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Built-in basic blocks, ×4 in two ×2 steps with 128-channel convs before each shuffle, RGB out of a 1-channel input.</summary>
            [ResNet(InChannels = 1, InputSize = 16)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [ResidualStage(16, 2)]
            [Reconstruction(4, Filters = 128, OutChannels = 3, Bias = true)]
            public partial class SrX4 { }
            """,
        ["FusionBeforeClassifier"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Feature fusion feeding the usual classifier head (no reconstruction).</summary>
            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 2)]
            [ResidualStage(32, 1)]
            [FeatureFusion(Filters = 24, Bias = true)]
            public partial class FusedClassifier { }
            """,
    };

    public static readonly IReadOnlyDictionary<string, (string Id, string Source)> Diagnostics = new Dictionary<string, (string, string)>
    {
        ["RNG040_FiltersNotDivisible"] = ("RNG040", """
            using ResNetGen;
            [ResNet(InputSize = 24, ConvBias = true)]
            [Stem(StemKind.Cifar, Filters = 32, Norm = false)]
            [ResidualStage(32, 1)]
            [Reconstruction(2, Filters = 90)]
            public partial class BadShuffle { }
            """),
        ["RNG041_ScaleBelowTwo"] = ("RNG041", """
            using ResNetGen;
            [ResNet(InputSize = 24)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [Reconstruction(1)]
            public partial class NoUpscale { }
            """),
        ["RNG041_NonsenseOptions"] = ("RNG041", """
            using ResNetGen;
            [ResNet]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [FeatureFusion(Filters = -5)]
            [Reconstruction(2, OutChannels = -1, KernelSize = 4)]
            public partial class Nonsense { }
            """),
        ["RNG042_FusionAcrossStrides"] = ("RNG042", """
            using ResNetGen;
            [ResNet(InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2)]
            [FeatureFusion]
            [Reconstruction(2)]
            public partial class StridedFusion { }
            """),
        ["RNG042_DenseNet"] = ("RNG042", """
            using ResNetGen;
            [ResNet(InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [DenseBlock(2, growthRate: 12)]
            [Reconstruction(2)]
            public partial class DenseSr { }
            """),
    };

    public static TheoryData<string, Target> FormCases() => SnapshotCases.BothTargets(Forms.Keys);

    public static TheoryData<string, Target> DiagnosticCases() => SnapshotCases.BothTargets(Diagnostics.Keys);

    [Theory]
    [MemberData(nameof(FormCases))]
    public void Generated_code_matches_snapshot_and_compiles_without_warnings(string form, Target target)
    {
        SnapshotCases.VerifyForm($"Image_{form}", Forms[form], target);
    }

    [Theory]
    [MemberData(nameof(DiagnosticCases))]
    public void Diagnostic_matches_snapshot_is_located_at_the_attribute_and_stops_emission(string name, Target target)
    {
        var (id, source) = Diagnostics[name];
        var (run, _, text) = SnapshotCases.VerifyDiagnostic(name, id, source, target);
        Assert.DoesNotContain("class", text);
        Assert.False(SnapshotCases.EmittedNetwork(run));
    }

    private static (string Message, string At) Single(string name, string id)
    {
        var run = GeneratorHarness.Run(Diagnostics[name].Source);
        var d = run.GeneratorDiagnostics.Single(x => x.Id == id);
        return (d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public void PixelShuffle_message_names_the_channels_the_factor_and_the_shape_at_the_filters_argument()
    {
        var (message, at) = Single("RNG040_FiltersNotDivisible", "RNG040");
        Assert.Contains("90 channels are not divisible by 2² = 4", message);
        Assert.Contains("[N, 90, 24, 24]", message);
        Assert.Equal("Filters = 90", at);
    }

    [Fact]
    public void Scale_below_two_is_reported_at_the_scale_argument()
    {
        var (message, at) = Single("RNG041_ScaleBelowTwo", "RNG041");
        Assert.Contains("scale is 1", message);
        Assert.Equal("1", at);
    }

    [Fact]
    public void Every_nonsense_option_is_reported_at_its_own_argument()
    {
        var run = GeneratorHarness.Run(Diagnostics["RNG041_NonsenseOptions"].Source);
        var at = run.GeneratorDiagnostics.Where(d => d.Id == "RNG041")
            .Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)).OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "Filters = -5", "KernelSize = 4", "OutChannels = -1" }, at);
    }

    [Fact]
    public void Fusion_across_a_stride_names_both_shapes()
    {
        var (message, at) = Single("RNG042_FusionAcrossStrides", "RNG042");
        Assert.Contains("[N, 16, 32, 32]", message);
        Assert.Contains("[N, 32, 16, 16]", message);
        Assert.Contains("layer2.0", message);
        Assert.Equal("FeatureFusion", at);
    }

    [Fact]
    public void NumClasses_and_a_head_next_to_reconstruction_warn_that_they_have_no_effect_and_the_network_is_still_emitted()
    {
        var run = GeneratorHarness.Run("""
            using ResNetGen;
            [ResNet(NumClasses = 10, InputSize = 16)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [Head(Hidden = new[] { 32 })]
            [Reconstruction(2)]
            public partial class Warned { }
            """);
        Assert.Equal(new[] { "RNG015", "RNG015" }, run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Contains(run.GeneratorDiagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).StartsWith("NumClasses has no effect", StringComparison.Ordinal));
        var source = Assert.Single(run.Generated, g => g.HintName.EndsWith("Warned.g.cs", StringComparison.Ordinal)).Source;
        Assert.Contains("public const int NumClasses = 0;", source);
        Assert.DoesNotContain(" fc", source);
        Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Theory]
    [InlineData(2, "[N, 3, H/2, W/2]")]
    [InlineData(4, "[N, 3, H, W]")]
    [InlineData(8, "[N, 3, 2H, 2W]")]
    [InlineData(3, "[N, 3, 3H/4, 3W/4]")]
    public void Open_input_size_output_shapes_cancel_the_stems_strides_first(int scale, string expected)
    {
        // ImageNet stem: stride 2 and a stride-2 max-pool, so the features are H/4 × W/4.
        var run = GeneratorHarness.Run($$"""
            using ResNetGen;
            [ResNet]
            [ResidualStage(16, 1)]
            [Reconstruction({{scale}})]
            public partial class Open { }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        var source = run.Generated.Single(g => g.HintName == "Open.g.cs").Source;
        Assert.Contains($"output <c>{expected}</c>", source);
        Assert.Contains($"x = reconstruction.call(x); // {expected}", source);
    }

    [Theory]
    [InlineData(2, new[] { 2 })]
    [InlineData(3, new[] { 3 })]
    [InlineData(4, new[] { 2, 2 })]
    [InlineData(8, new[] { 2, 2, 2 })]
    [InlineData(5, new[] { 5 })]
    [InlineData(6, new[] { 6 })]
    public void Upsampling_steps_follow_edsr_and_msrn(int scale, int[] steps)
    {
        Assert.Equal(steps, Lowering.UpsamplingSteps(scale));
    }
}
