using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ResNetGen.Generator;

namespace ResNetGen.Generator.Tests;

/// <summary>The outcome of running the generator over some source.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<(string HintName, string Source)> Generated,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    GeneratorDriverRunResult Result)
{
    /// <summary>Compiler diagnostics of the output compilation (warnings are errors: see <see cref="GeneratorHarness.Options"/>).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => Output.GetDiagnostics();

    /// <summary>Compiler diagnostics located in generated files.</summary>
    public ImmutableArray<Diagnostic> GeneratedFileDiagnostics =>
        CompilationDiagnostics.Where(d => d.Location.SourceTree is { } t && Generated.Any(g => t.FilePath.EndsWith(g.HintName, StringComparison.Ordinal))).ToImmutableArray();

    public bool HasGeneratorErrors => GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}

/// <summary>Builds compilations against the runtime assembly and drives <see cref="ResNetGenerator"/>.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>
    /// Nullable on, warning level 9999 (every warning). Tests treat any warning as a failure (as
    /// TreatWarningsAsErrors would), while generator diagnostics keep their own severity.
    /// </summary>
    public static readonly CSharpCompilationOptions Options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithWarningLevel(9999)
        // Missing XML docs on the test's own hand-written types are not what we check.
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress, ["CS1573"] = ReportDiagnostic.Suppress });

    public static readonly ImmutableArray<MetadataReference> References = BuildReferences();

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        var list = tpa.Where(p => p.Length > 0 && Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        list.Add(MetadataReference.CreateFromFile(typeof(ResNetGen.ResNetAttribute).Assembly.Location));
        list.Add(MetadataReference.CreateFromFile(typeof(ResNetGen.Torch.Tensor).Assembly.Location));
        return list.ToImmutableArray();
    }

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References, Options);

    public static GeneratorDriver CreateDriver(bool track = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new ResNetGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public static GeneratorRun Run(params string[] sources)
    {
        var input = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        var generated = result.Results.SelectMany(r => r.GeneratedSources)
            .Select(g => (g.HintName, g.SourceText.ToString()))
            .OrderBy(g => g.HintName, StringComparer.Ordinal)
            .ToImmutableArray();
        var exceptions = result.Results.Where(r => r.Exception is not null).Select(r => r.Exception!).ToList();
        if (exceptions.Count > 0) throw new InvalidOperationException("The generator threw", exceptions[0]);
        return new GeneratorRun(input, output, generated, result.Diagnostics, result);
    }

    /// <summary>One line per diagnostic: id, severity, position, message (stable for snapshots).</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Concat(diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(d =>
            {
                var span = d.Location.GetLineSpan();
                var where = d.Location.IsInSource || span.IsValid
                    ? $"{Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})"
                    : "(no location)";
                var text = d.Location.SourceTree?.GetText().ToString(d.Location.SourceSpan);
                return $"{d.Id} {d.Severity} {where}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}\n" +
                       (text is null ? "" : $"    at: {text.ReplaceLineEndings(" ")}\n");
            }));
}
