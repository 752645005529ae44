using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>What the random programs of one test came to: the programs whose code compiled, the rejected ones, and how many programs raised each error.</summary>
internal sealed record RandomProgramTally(
    List<(string Source, GeneratorRun Run)> Compiled, int Rejected, SortedDictionary<string, int> Errors)
{
    public override string ToString() =>
        $"{Compiled.Count} programs generated code that compiled cleanly; {Rejected} were rejected with an error diagnostic ("
        + string.Join(", ", Errors.Select(p => $"{p.Key} × {p.Value}")) + ")";
}

/// <summary>The robustness rule every random-program test holds the generator to.</summary>
internal static class RandomPrograms
{
    /// <summary>
    /// Runs the generator on <paramref name="count"/> seeded programs: it never throws nor reports an internal
    /// error (RNG999), and each program either carries an error diagnostic or generates code that compiles
    /// without a warning. Each failure names its seed and shows the program.
    /// </summary>
    public static RandomProgramTally Check(Target target, Func<int, string> program, int count = 200)
    {
        var compiled = new List<(string, GeneratorRun)>();
        var rejected = 0;
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var seed = 0; seed < count; seed++)
        {
            var source = program(seed);
            GeneratorRun run;
            try
            {
                run = GeneratorHarness.Run(target, source); // throws if the generator threw
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {ex}\n{source}");
            }
            Assert.True(!run.GeneratorDiagnostics.Any(d => d.Id == "RNG999"), $"seed {seed}: internal error\n{GeneratorHarness.Describe(run.GeneratorDiagnostics)}\n{source}");
            foreach (var id in run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct()) errors[id] = errors.GetValueOrDefault(id) + 1;
            if (run.HasGeneratorErrors)
            {
                rejected++;
                continue;
            }
            var problems = run.GeneratedFileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, $"seed {seed}: generated code does not compile cleanly:\n{GeneratorHarness.Describe(problems)}\n{source}");
            if (run.Generated.Length > 0) compiled.Add((source, run));
        }
        return new RandomProgramTally(compiled, rejected, errors);
    }
}
