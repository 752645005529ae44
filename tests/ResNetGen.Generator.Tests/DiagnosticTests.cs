using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>Each diagnostic, snapshotted with its location and message; errors stop emission for the class.</summary>
public class DiagnosticTests
{
    public static readonly IReadOnlyDictionary<string, (string Id, string Source)> Cases = new Dictionary<string, (string, string)>
    {
        ["RNG001_NotPartial"] = ("RNG001", """
            using ResNetGen;
            [ResNet]
            [ResidualStage(64, 2)]
            public class NotPartial { }
            """),
        ["RNG001_ContainerNotPartial"] = ("RNG001", """
            using ResNetGen;
            public class Holder
            {
                [ResNet]
                [ResidualStage(64, 2)]
                public partial class Inner { }
            }
            """),
        ["RNG002_Generic"] = ("RNG002", """
            using ResNetGen;
            [ResNet]
            [ResidualStage(64, 2)]
            public partial class Generic<T> { }
            """),
        ["RNG002_NestedInGeneric"] = ("RNG002", """
            using ResNetGen;
            public partial class Holder<T>
            {
                [ResNet]
                [ResidualStage(64, 2)]
                public partial class Inner { }
            }
            """),
        ["RNG003_StagesWithoutResNet"] = ("RNG003", """
            using ResNetGen;
            [ResidualStage(64, 2)]
            [ResidualStage(128, 2, stride: 2)]
            public partial class Orphan { }
            """),
        ["RNG004_ResNetWithoutStages"] = ("RNG004", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            public partial class Empty { }
            """),
        ["RNG005_OutOfRange"] = ("RNG005", """
            using ResNetGen;
            [ResNet(Dropout = 1.5, Groups = 0)]
            [ResidualStage(0, 2)]
            [ResidualStage(64, -1, stride: 0)]
            [ResidualStage(64, 1, Dilation = 99, Block = BlockKind.Bottleneck)]
            public partial class Ranges { }
            """),
        ["RNG006_GroupsDoNotDivide"] = ("RNG006", """
            using ResNetGen;
            [ResidualBlock]
            [Conv(3, Groups = 3)]
            [BatchNorm]
            public partial class Grouped { }

            [ResNet(NumClasses = 10)]
            [ResidualStage(32, 1, CustomBlock = typeof(Grouped))]
            public partial class UsesGrouped { }
            """),
        ["RNG007_IdentityShapeChange"] = ("RNG007", """
            using ResNetGen;
            [ResNet(NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2, Shortcut = ShortcutKind.Identity)]
            public partial class BadIdentity { }
            """),
        ["RNG008_ZeroPadShrinks"] = ("RNG008", """
            using ResNetGen;
            [ResNet(NumClasses = 10, Shortcut = ShortcutKind.ZeroPad)]
            [Stem(StemKind.Cifar, Filters = 64)]
            [ResidualStage(64, 1)]
            [ResidualStage(32, 1, stride: 2)]
            public partial class Shrinks { }
            """),
        ["RNG009_SpatialTooSmall"] = ("RNG009", """
            using ResNetGen;
            [ResNet(InputSize = 16)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 1, stride: 2)]
            [ResidualStage(256, 1, stride: 2)]
            [ResidualStage(512, 1, stride: 8)]
            public partial class TooSmall { }
            """),
        ["RNG010_OddSizeHalved"] = ("RNG010", """
            using ResNetGen;
            [ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2)]
            [ResidualStage(64, 1, stride: 2)]
            [ResidualStage(128, 1, stride: 2)]
            public partial class Odd { }
            """),
        ["RNG011_DilationWithBasicBlock"] = ("RNG011", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 1, Dilation = 2)]
            [ResidualStage(128, 1, Groups = 4)]
            public partial class DilatedBasic { }
            """),
        ["RNG012_CustomBranchMismatch"] = ("RNG012", """
            using ResNetGen;
            /// <summary>A valid 3×3 without padding shrinks the map by 2: no shortcut can match it.</summary>
            [ResidualBlock]
            [Conv(3, Padding = 0)]
            [BatchNorm]
            public partial class Shrinking { }

            [ResidualBlock]
            [Conv(3, Expansion = 4)]
            [BatchNorm]
            public partial class Widening { }

            [ResNet(NumClasses = 10, InputSize = 32)]
            [ResidualStage(32, 1, CustomBlock = typeof(Shrinking))]
            public partial class UsesShrinking { }

            [ResNet(NumClasses = 10)]
            [ResidualStage(32, 1, CustomBlock = typeof(Widening), Shortcut = ShortcutKind.Identity)]
            public partial class UsesWidening { }
            """),
        ["RNG013_MemberClash"] = ("RNG013", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [ResidualStage(64, 1)]
            public partial class Clashing
            {
                private readonly int conv1 = 0;
                public Clashing() { }
                public int Use() => conv1;
            }
            """),
        ["RNG017_Record"] = ("RNG017", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [ResidualStage(64, 1)]
            public partial record Recorded { }
            """),
        ["RNG018_Static"] = ("RNG018", """
            using ResNetGen;
            [ResNet(NumClasses = 10)]
            [ResidualStage(64, 1)]
            public static partial class Still { }
            """),
        ["RNG019_BaseClass"] = ("RNG019", """
            using ResNetGen;
            public class Existing { }

            [ResNet(NumClasses = 10)]
            [ResidualStage(64, 1)]
            public partial class Derived : Existing { }
            """),
        ["RNG014_BadCustomBlock"] = ("RNG014", """
            using ResNetGen;
            [ResidualBlock]
            public partial class NoLayers { }

            [ResidualBlock]
            [Conv(3)]
            public sealed partial class Sealed { }

            [ResNet(NumClasses = 10)]
            [ResidualStage(32, 1, CustomBlock = typeof(string))]
            public partial class UsesString { }
            """),
        ["RNG015_UnusedSetting"] = ("RNG015", """
            using ResNetGen;
            [ResNet(NumClasses = 0, Dropout = 0.5)]
            [ResidualStage(64, 1)]
            public partial class NoHead { }
            """),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    public static TheoryData<string, Target> NamesAndTargets()
    {
        var data = new TheoryData<string, Target>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, Target.ResNetGenTorch);
            data.Add(name, Target.TorchSharp);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndTargets))]
    public void Diagnostic_matches_snapshot(string name, Target target)
    {
        var (id, source) = Cases[name];
        var run = GeneratorHarness.Run(target, source);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.All(run.GeneratorDiagnostics, d => Assert.True(d.Location.IsInSource, $"{d.Id} has no source location"));
        Snapshot.Verify(FamilySnapshotTests.Name($"Diagnostic_{name}", target), run);
    }

    [Theory]
    [MemberData(nameof(NamesAndTargets))]
    public void Errors_stop_emission_for_that_class_and_nothing_else_breaks(string name, Target target)
    {
        var (_, source) = Cases[name];
        var run = GeneratorHarness.Run(target, source);
        var errored = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var diagnostic in errored)
        {
            // The class whose declaration holds the diagnostic got no network file.
            var tree = diagnostic.Location.SourceTree!;
            var type = tree.GetRoot().FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf()
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>().FirstOrDefault();
            if (type is null) continue;
            var hasResNet = type.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "ResNet");
            if (hasResNet)
            {
                Assert.DoesNotContain(run.Generated, g => g.HintName.EndsWith("." + type.Identifier.Text + ".g.cs", StringComparison.Ordinal) || g.HintName == type.Identifier.Text + ".g.cs");
            }
        }
        // Whatever was generated still compiles: no errors inside generated files.
        Assert.Empty(run.GeneratedFileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS1591"));
    }

    [Fact]
    public void Identity_message_names_both_shapes()
    {
        var run = GeneratorHarness.Run(Cases["RNG007_IdentityShapeChange"].Source);
        var message = run.GeneratorDiagnostics.Single(d => d.Id == "RNG007").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("[N, 16, 32, 32]", message);
        Assert.Contains("[N, 32, 16, 16]", message);
    }

    [Fact]
    public void Out_of_range_is_located_at_the_argument()
    {
        var run = GeneratorHarness.Run(Cases["RNG005_OutOfRange"].Source);
        var texts = run.GeneratorDiagnostics.Where(d => d.Id == "RNG005")
            .Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)).ToList();
        Assert.Contains("Dropout = 1.5", texts);
        Assert.Contains("0", texts); // the filters argument of the first stage
        Assert.Contains("stride: 0", texts);
        Assert.Contains("Dilation = 99", texts);
    }
}
