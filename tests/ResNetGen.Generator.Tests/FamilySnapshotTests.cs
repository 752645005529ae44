namespace ResNetGen.Generator.Tests;

public class FamilySnapshotTests
{
    public static TheoryData<string, Target> Cases() => SnapshotCases.BothTargets(Families.All.Keys);

    /// <summary>Snapshot name: the ResNetGen.Torch files keep their names; TorchSharp's carry a suffix.</summary>
    public static string Name(string test, Target target) => target == Target.TorchSharp ? test + ".TorchSharp" : test;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_code_matches_snapshot(string family, Target target)
    {
        var run = GeneratorHarness.Run(target, Families.All[family]);
        Assert.NotEmpty(run.Generated);
        Snapshot.Verify(Name($"Family_{family}", target), run);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_code_compiles_without_warnings(string family, Target target)
    {
        var run = GeneratorHarness.Run(target, Families.All[family]);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        // Any warning fails (TreatWarningsAsErrors), nullable on, documentation comments checked.
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void ResNet50_file_is_at_most_60_percent_of_the_old_823_lines(Target target)
    {
        var run = GeneratorHarness.Run(target, Families.All["ResNet50"]);
        var lines = run.Generated.Single(g => g.HintName.EndsWith("ResNet50.g.cs", StringComparison.Ordinal)).Source.Split('\n').Length - 1;
        Assert.True(lines <= 493, $"{target}: {lines} lines");
    }
}
