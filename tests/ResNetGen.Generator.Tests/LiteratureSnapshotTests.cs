using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// The configurable forms ([Stem] options, [Shortcut], [Head], block options, non-square inputs) and
/// their diagnostics (RNG020–RNG023, and RNG005 for their nonsense values), snapshotted for both targets.
/// </summary>
public class LiteratureSnapshotTests
{
    public static readonly IReadOnlyDictionary<string, string> Forms = new Dictionary<string, string>
    {
        ["StemOptionsKerasBias"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Keras study card: ImageNet stem with bias and no max-pool; biased block and projection convolutions.</summary>
            [ResNet(NumClasses = 10, InputSize = 32, ConvBias = true)]
            [Stem(StemKind.ImageNet, MaxPool = false)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 1, stride: 2)]
            public partial class StudyCard { }
            """,
        ["StemConvolutionOptions"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(NumClasses = 10, InputSize = 64)]
            [Stem(StemKind.Cifar, Filters = 24, KernelSize = 5, Stride = 2, Bias = true, Norm = false, Activation = true, MaxPool = true)]
            [ResidualStage(24, 1)]
            public partial class StemConfigured { }
            """,
        ["PreActFirstUnitRawShortcut"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Keras resnet_v2: first unit without BN-ReLU, expansion 4 then 2, raw-input shortcut without BN.</summary>
            [ResNet(Block = BlockKind.PreActBottleneck, StrideOnFirstConv = true, NumClasses = 10, InputSize = 32, ConvBias = true)]
            [Stem(StemKind.Cifar)]
            [Shortcut(Norm = false, Input = ShortcutInput.Raw)]
            [ResidualStage(16, 2, Expansion = 4, SkipFirstPreActivation = true)]
            [ResidualStage(64, 2, stride: 2, Expansion = 2)]
            public partial class KerasV2 { }
            """,
        ["WideBlockDropout"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Wide ResNet: dropout between the convolutions, 1×1 shortcut without BN on the pre-activated input.</summary>
            [ResNet(Block = BlockKind.PreActBasic, BlockDropout = 0.3, NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [Shortcut(Norm = false)]
            [ResidualStage(32, 2)]
            [ResidualStage(64, 2, stride: 2, BlockDropout = 0.1)]
            public partial class WideNet { }
            """,
        ["FlattenHeadNonSquare"] = """
            using ResNetGen;
            namespace Zoo;
            [ResidualBlock(Activation = ActivationKind.None)]
            [Conv(3, Bias = true)]
            [BatchNorm]
            [LeakyRelu(0.01)]
            [Dropout(0.5)]
            [Conv(3, Stride = 3, Bias = true)]
            public partial class SpecBlock { }

            /// <summary>Spec-ResNet form: non-square input, strided 3×3 shortcut with bias, flatten head with a hidden layer.</summary>
            [ResNet(NumClasses = 2, InChannels = 1, InputHeight = 100, InputWidth = 40, ConvBias = true)]
            [Stem(StemKind.Cifar, Filters = 8, Norm = false)]
            [Shortcut(KernelSize = 3, Norm = false)]
            [ResidualStage(8, 2, CustomBlock = typeof(SpecBlock))]
            [Head(HeadPool.Flatten, Norm = true, Activation = ActivationKind.LeakyRelu, Dropout = 0.5, Hidden = new[] { 16 })]
            public partial class SpecNet { }
            """,
        ["PooledHeadHiddenLayers"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(NumClasses = 10)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [Head(Hidden = new[] { 64, 32 }, Dropout = 0.2)]
            public partial class MlpHead { }
            """,
    };

    public static readonly IReadOnlyDictionary<string, (string Id, string Source)> DiagnosticCases = new Dictionary<string, (string, string)>
    {
        ["RNG020_FlattenWithoutInputSize"] = ("RNG020", """
            using ResNetGen;
            [ResNet(NumClasses = 2)]
            [ResidualStage(16, 1)]
            [Head(HeadPool.Flatten)]
            public partial class UnknownFlatten { }
            """),
        ["RNG021_ShortcutCannotMatch"] = ("RNG021", """
            using ResNetGen;
            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [Shortcut(KernelSize = 3, Padding = 0)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2)]
            public partial class ValidShortcut { }
            """),
        ["RNG022_InputHeightWithoutWidth"] = ("RNG022", """
            using ResNetGen;
            [ResNet(InputHeight = 64)]
            [ResidualStage(16, 1)]
            public partial class HalfSize { }
            """),
        ["RNG022_InputSizeContradicted"] = ("RNG022", """
            using ResNetGen;
            [ResNet(InputSize = 32, InputHeight = 64, InputWidth = 48)]
            [ResidualStage(16, 1)]
            public partial class TwoSizes { }
            """),
        ["RNG023_SkipFirstPreActivationOnBasic"] = ("RNG023", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 2, SkipFirstPreActivation = true)]
            public partial class NotPreAct { }
            """),
        ["RNG023_PreActivatedShortcutOnBasic"] = ("RNG023", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [Shortcut(Input = ShortcutInput.PreActivated)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2)]
            public partial class RawOnly { }
            """),
        ["RNG005_ConfigurationOutOfRange"] = ("RNG005", """
            using ResNetGen;
            [ResNet(BlockDropout = 1.5, Expansion = 0, InputHeight = -2, InputWidth = 40, Init = (WeightInit)3)]
            [Stem(StemKind.Cifar, KernelSize = 40, Stride = 12)]
            [Shortcut(KernelSize = 0, Input = (ShortcutInput)9)]
            [ResidualStage(16, 1, Expansion = 99, BlockDropout = -1.0)]
            [Head((HeadPool)4, Hidden = new[] { -5 }, Dropout = 2.0)]
            public partial class Nonsense { }
            """),
    };

    public static TheoryData<string, Target> FormCases() => SnapshotCases.BothTargets(Forms.Keys);

    public static TheoryData<string, Target> DiagnosticNames() => SnapshotCases.BothTargets(DiagnosticCases.Keys);

    [Theory]
    [MemberData(nameof(FormCases))]
    public void Form_matches_snapshot_and_compiles_without_warnings(string name, Target target) =>
        SnapshotCases.VerifyForm($"Literature_{name}", Forms[name], target);

    [Theory]
    [MemberData(nameof(DiagnosticNames))]
    public void Diagnostic_matches_snapshot_at_a_source_location(string name, Target target)
    {
        var (id, source) = DiagnosticCases[name];
        var (run, _, _) = SnapshotCases.VerifyDiagnostic(name, id, source, target);
        Assert.DoesNotContain(run.Generated, g => g.HintName.EndsWith(".g.cs", StringComparison.Ordinal) && !g.HintName.Contains("Block", StringComparison.Ordinal));
    }

    [Fact]
    public void Shortcut_mismatch_names_both_shapes_at_the_shortcut_attribute()
    {
        var run = GeneratorHarness.Run(DiagnosticCases["RNG021_ShortcutCannotMatch"].Source);
        var diagnostic = run.GeneratorDiagnostics.Single(d => d.Id == "RNG021");
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("[N, 32, 15, 15]", message); // 3×3, padding 0, stride 2 on 32×32
        Assert.Contains("[N, 32, 16, 16]", message); // the branch
        Assert.Equal("Padding = 0", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public void A_user_member_named_like_the_non_square_constants_is_a_member_clash()
    {
        var run = GeneratorHarness.Run("""
            using ResNetGen;
            [ResNet(InputHeight = 64, InputWidth = 32)]
            [ResidualStage(16, 1)]
            public partial class Clash { public const int InputHeight = 1; }
            """);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "RNG013" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("InputHeight", StringComparison.Ordinal));
    }

    [Fact]
    public void Flatten_without_input_size_is_located_at_the_head()
    {
        var run = GeneratorHarness.Run(DiagnosticCases["RNG020_FlattenWithoutInputSize"].Source);
        var diagnostic = run.GeneratorDiagnostics.Single(d => d.Id == "RNG020");
        Assert.Equal("HeadPool.Flatten", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public void Nonsense_values_of_the_new_attributes_are_each_reported_at_their_argument()
    {
        var run = GeneratorHarness.Run(DiagnosticCases["RNG005_ConfigurationOutOfRange"].Source);
        var texts = run.GeneratorDiagnostics.Where(d => d.Id == "RNG005")
            .Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)).ToList();
        foreach (var argument in new[] { "BlockDropout = 1.5", "Expansion = 0", "InputHeight = -2", "KernelSize = 40", "Stride = 12", "KernelSize = 0",
                     "Input = (ShortcutInput)9", "Expansion = 99", "BlockDropout = -1.0", "(HeadPool)4", "Hidden = new[] { -5 }", "Dropout = 2.0",
                     "Init = (WeightInit)3" })
        {
            Assert.Contains(argument, texts);
        }
    }

    [Fact]
    public void Unrelated_edit_leaves_a_configured_network_cached_and_a_head_edit_re_emits_it()
    {
        var network = Forms["FlattenHeadNonSquare"];
        var compilation = GeneratorHarness.Compile(network, "namespace Other; public class Unrelated { public int A; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var unrelated = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int A; public int B; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in new[] { ResNetGenerator.Steps.Model, ResNetGenerator.Steps.Emit, ResNetGenerator.Steps.BlockEmit })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }

        var tree = compilation.SyntaxTrees.ElementAt(0);
        var changed = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(network.Replace("Hidden = new[] { 16 }", "Hidden = new[] { 32 }"), GeneratorHarness.ParseOptions, tree.FilePath));
        var rerun = driver.RunGenerators(changed).GetRunResult().Results.Single();
        Assert.Contains(rerun.TrackedSteps[ResNetGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("16", GeneratorHarness.Run(network).Generated.Single(g => g.HintName.Contains("SpecNet")).Source);
    }
}
