using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>What every snapshot class checks of its forms and diagnostics, for both targets.</summary>
internal static class SnapshotCases
{
    /// <summary>Each name once per target.</summary>
    public static TheoryData<string, Target> BothTargets(IEnumerable<string> names)
    {
        var data = new TheoryData<string, Target>();
        foreach (var name in names)
        {
            data.Add(name, Target.ResNetGenTorch);
            data.Add(name, Target.TorchSharp);
        }
        return data;
    }

    /// <summary>A form generates code with no warning of ours or the compiler's, and the code matches its snapshot.</summary>
    public static GeneratorRun VerifyForm(string snapshot, string source, Target target)
    {
        var run = GeneratorHarness.Run(target, source);
        Assert.NotEmpty(run.Generated);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
        Snapshot.Verify(FamilySnapshotTests.Name(snapshot, target), run);
        return run;
    }

    /// <summary>
    /// The source raises <paramref name="id"/>, every diagnostic has a source location, and the output matches
    /// the snapshot <c>Diagnostic_{name}</c>. Returns the run, the first <paramref name="id"/> and the text it points at.
    /// </summary>
    public static (GeneratorRun Run, Diagnostic Diagnostic, string At) VerifyDiagnostic(string name, string id, string source, Target target)
    {
        var run = GeneratorHarness.Run(target, source);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.All(run.GeneratorDiagnostics, d => Assert.True(d.Location.IsInSource, $"{d.Id} has no source location"));
        Snapshot.Verify(FamilySnapshotTests.Name($"Diagnostic_{name}", target), run);
        var diagnostic = run.GeneratorDiagnostics.First(d => d.Id == id);
        return (run, diagnostic, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    /// <summary>No network file was emitted (block files may be).</summary>
    public static bool EmittedNetwork(GeneratorRun run) =>
        run.Generated.Any(g => g.HintName.EndsWith(".g.cs", StringComparison.Ordinal) && !g.HintName.EndsWith(".Block.g.cs", StringComparison.Ordinal));
}
