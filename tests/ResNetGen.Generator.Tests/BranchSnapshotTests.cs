using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>Custom blocks with parallel branches ([Branch] … [Join]) and pre-activation: generated code per target, and their diagnostics, snapshotted.</summary>
public class BranchSnapshotTests
{
    /// <summary>MSRN's multi-scale residual block (Li et al., ECCV 2018), as issue 12 declares it.</summary>
    public const string MultiScaleBlock = """
        /// <summary>Multi-scale residual block (MSRB) of MSRN.</summary>
        [ResidualBlock(Activation = ActivationKind.None)]
        [Branch] [Conv(3, Bias = true)] [Relu]
        [Branch] [Conv(5, Bias = true)] [Relu]
        [Join(JoinKind.Concat)]
        [Branch] [Conv(3, Expansion = 2, Bias = true)] [Relu]
        [Branch] [Conv(5, Expansion = 2, Bias = true)] [Relu]
        [Join(JoinKind.Concat)]
        [Conv(1, Bias = true)]
        public partial class MultiScaleResidualBlock { }
        """;

    public static readonly IReadOnlyDictionary<string, string> Forms = new Dictionary<string, string>
    {
        ["MultiScaleResidual"] = $$"""
            using ResNetGen;
            namespace Zoo;
            {{MultiScaleBlock}}

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [ResidualStage(16, 2, CustomBlock = typeof(MultiScaleResidualBlock))]
            public partial class MsrbCifar { }
            """,
        ["AddJoinStrided"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Two paths summed (a plain and a dilated one); the stride goes to the first convolution of both; stage 2's first block projects its shortcut.</summary>
            [ResidualBlock]
            [Branch] [Conv(3)] [BatchNorm] [Relu] [Conv(3)]
            [Branch] [Conv(3, Dilation = 2)] [BatchNorm] [Relu] [Conv(3)]
            [Join(JoinKind.Add)]
            [BatchNorm]
            public partial class TwoPathBlock { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [ResidualStage(16, 1, CustomBlock = typeof(TwoPathBlock))]
            [ResidualStage(32, 2, stride: 2, CustomBlock = typeof(TwoPathBlock))]
            public partial class TwoPathNet { }
            """,
        ["ConcatWithPoolBranch"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Inception-style: a shared BN-ReLU, then a 3×3 path (planes) and a pooling path (in_channels), concatenated and mapped to 2 × planes by a 1×1 convolution.</summary>
            [ResidualBlock]
            [BatchNorm] [Relu]
            [Branch] [Conv(3)] [BatchNorm] [Relu]
            [Branch] [MaxPool(3)]
            [Join(JoinKind.Concat)]
            [Conv(1, Expansion = 2)] [BatchNorm]
            public partial class PoolPathBlock { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [ResidualStage(16, 2, CustomBlock = typeof(PoolPathBlock))]
            public partial class PoolPathNet { }
            """,
        ["PreActivationWide"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Wide ResNet's pre-activation basic block written as a custom block.</summary>
            [ResidualBlock(PreActivation = true)]
            [BatchNorm] [Relu] [Conv(3)]
            [BatchNorm] [Relu] [Conv(3)]
            public partial class WideBasic { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [Shortcut(Norm = false)]
            [ResidualStage(32, 2, CustomBlock = typeof(WideBasic))]
            [ResidualStage(64, 2, stride: 2, CustomBlock = typeof(WideBasic))]
            public partial class WideCustom { }
            """,
    };

    public static readonly IReadOnlyDictionary<string, (string Id, string Source)> Diagnostics = new Dictionary<string, (string, string)>
    {
        ["RNG032_AddChannelsDiffer"] = ("RNG032", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)]
            [Branch] [Conv(3, Expansion = 2)]
            [Join(JoinKind.Add)]
            public partial class Uneven { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(64, 1, CustomBlock = typeof(Uneven))]
            public partial class UsesUneven { }
            """),
        ["RNG032_ConcatSizesDiffer"] = ("RNG032", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)]
            [Branch] [Conv(3, Stride = 2)]
            [Join(JoinKind.Concat)]
            [Conv(1)]
            public partial class HalfSize { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1, CustomBlock = typeof(HalfSize))]
            public partial class UsesHalfSize { }
            """),
        ["RNG034_JoinWithoutBranches"] = ("RNG034", """
            using ResNetGen;
            [ResidualBlock]
            [Conv(3)]
            [Join(JoinKind.Concat)]
            public partial class LoneJoin { }
            """),
        ["RNG034_SingleBranch"] = ("RNG034", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)]
            [Join(JoinKind.Add)]
            public partial class OneBranch { }
            """),
        ["RNG034_NeverJoined"] = ("RNG034", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)]
            [Branch] [Conv(5)]
            public partial class Unjoined { }
            """),
        ["RNG034_EmptyBranch"] = ("RNG034", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)]
            [Branch]
            [Join(JoinKind.Add)]
            public partial class EmptyBranch { }
            """),
        ["RNG034_GateInBranch"] = ("RNG034", """
            using ResNetGen;
            [ResidualBlock]
            [Branch] [Conv(3)] [Gate]
            [Branch] [Conv(3)]
            [Join(JoinKind.Add)]
            public partial class GatedBranch { }
            """),
        ["RNG035_PreActivationWithoutLayers"] = ("RNG035", """
            using ResNetGen;
            [ResidualBlock(PreActivation = true)]
            [Conv(3)] [BatchNorm] [Relu] [Conv(3)]
            public partial class NoPreAct { }
            """),
    };

    public static TheoryData<string, Target> FormCases() => SnapshotCases.BothTargets(Forms.Keys);

    public static TheoryData<string, Target> DiagnosticCases() => SnapshotCases.BothTargets(Diagnostics.Keys);

    [Theory]
    [MemberData(nameof(FormCases))]
    public void Generated_code_matches_snapshot_and_compiles_without_warnings(string form, Target target)
    {
        var run = SnapshotCases.VerifyForm($"Branch_{form}", Forms[form], target);
        Assert.Empty(run.GeneratorDiagnostics); // not even an informational one
    }

    [Theory]
    [MemberData(nameof(DiagnosticCases))]
    public void Diagnostic_matches_snapshot_and_is_located_at_the_attribute(string name, Target target)
    {
        var (id, source) = Diagnostics[name];
        var (run, _, text) = SnapshotCases.VerifyDiagnostic(name, id, source, target);
        Assert.Single(run.GeneratorDiagnostics);
        // At the stage's CustomBlock argument (RNG032), the offending [Branch]/[Join]/[Gate] (RNG034) or the [ResidualBlock] (RNG035): never the class name.
        Assert.DoesNotContain("class", text);
        var expected = id switch
        {
            "RNG032" => "CustomBlock = typeof(",
            "RNG035" => "ResidualBlock(PreActivation = true)",
            _ when name is "RNG034_JoinWithoutBranches" or "RNG034_SingleBranch" => "Join",
            _ when name is "RNG034_GateInBranch" => "Gate",
            _ => "Branch", // the group never joined (its first [Branch]), the empty branch's [Branch]
        };
        Assert.StartsWith(expected, text, StringComparison.Ordinal);
        // Nothing of the broken network is emitted (RNG032), nor the invalid block's class (RNG034, RNG035).
        Assert.DoesNotContain(run.Generated, g => g.HintName.Contains(id == "RNG032" ? "Uses" : ".Block.", StringComparison.Ordinal));
    }

    [Fact]
    public void Join_messages_name_the_block_the_join_and_both_shapes()
    {
        string Message(string name) => GeneratorHarness.Run(Diagnostics[name].Source).GeneratorDiagnostics.Single().GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            "Stage 1 block 1 (Uneven): [Join(Add)] of branch 1 [N, 64, 32, 32] and branch 2 [N, 128, 32, 32]: an addition needs the same channels, height and width",
            Message("RNG032_AddChannelsDiffer"));
        Assert.Equal(
            "Stage 1 block 1 (HalfSize): [Join(Concat)] of branch 1 [N, 16, 32, 32] and branch 2 [N, 16, 16, 16]: a concatenation needs the same height and width",
            Message("RNG032_ConcatSizesDiffer"));
    }
}
