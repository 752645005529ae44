namespace ResNetGen.Generator.Tests;

public class FamilySnapshotTests
{
    public static TheoryData<string> Names => new(Families.All.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_code_matches_snapshot(string family)
    {
        var run = GeneratorHarness.Run(Families.All[family]);
        Assert.NotEmpty(run.Generated);
        Snapshot.Verify($"Family_{family}", run);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_code_compiles_without_warnings(string family)
    {
        var run = GeneratorHarness.Run(Families.All[family]);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        // Any warning fails (TreatWarningsAsErrors), nullable on, documentation comments checked.
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }
}
