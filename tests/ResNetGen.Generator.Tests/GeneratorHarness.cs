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

/// <summary>What a test compilation references (and so which target the generator writes for).</summary>
public enum Target
{
    /// <summary>The attributes and ResNetGen.Runtime.</summary>
    ResNetGenTorch,
    /// <summary>The attributes, the real TorchSharp 0.107 and ResNetGen.TorchSharp.</summary>
    TorchSharp,
    /// <summary>Both runtimes (the MSBuild property must choose).</summary>
    Both,
    /// <summary>Only the attributes.</summary>
    Neither,
}

/// <summary>Builds compilations against a target's assemblies and drives <see cref="ResNetGenerator"/>.</summary>
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

    private static readonly ImmutableArray<MetadataReference> Framework = BuildFramework();

    private static ImmutableArray<MetadataReference> BuildFramework()
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        var list = tpa.Where(p => p.Length > 0 && Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        list.Add(MetadataReference.CreateFromFile(typeof(ResNetGen.ResNetAttribute).Assembly.Location));
        return list.ToImmutableArray();
    }

    private static readonly MetadataReference Runtime = MetadataReference.CreateFromFile(typeof(ResNetGen.Torch.Tensor).Assembly.Location);

    // Metadata only: compiling against TorchSharp.dll loads no native library.
    private static readonly MetadataReference TorchSharpAssembly = MetadataReference.CreateFromFile(typeof(global::TorchSharp.torch).Assembly.Location);

    // The real ResNetGen.TorchSharp (SqueezeExcite, DropPath, Layers, Functional) that TorchSharp-target code calls.
    private static readonly MetadataReference TorchSharpHelpers = MetadataReference.CreateFromFile(typeof(ResNetGen.TorchSharp.Layers).Assembly.Location);

    /// <summary>References of the ResNetGen.Torch target (the default of the tests written before TorchSharp).</summary>
    public static readonly ImmutableArray<MetadataReference> References = ReferencesFor(Target.ResNetGenTorch);

    public static ImmutableArray<MetadataReference> ReferencesFor(Target target) => target switch
    {
        Target.ResNetGenTorch => Framework.Add(Runtime),
        Target.TorchSharp => Framework.Add(TorchSharpAssembly).Add(TorchSharpHelpers),
        Target.Both => Framework.Add(Runtime).Add(TorchSharpAssembly).Add(TorchSharpHelpers),
        _ => Framework,
    };

    public static CSharpCompilation Compile(params string[] sources) => Compile(Target.ResNetGenTorch, sources);

    public static CSharpCompilation Compile(Target target, params string[] sources) =>
        CSharpCompilation.Create("TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            ReferencesFor(target), Options);

    public static GeneratorDriver CreateDriver(bool track = true, string? targetProperty = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new ResNetGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            optionsProvider: targetProperty is null ? null : new TestOptionsProvider(new Dictionary<string, string> { ["build_property.ResNetGenTarget"] = targetProperty }),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public static GeneratorRun Run(params string[] sources) => Run(Target.ResNetGenTorch, sources);

    public static GeneratorRun Run(Target target, params string[] sources) => RunWithProperty(target, null, sources);

    /// <summary>Runs with the MSBuild property <c>ResNetGenTarget</c> set (null = unset).</summary>
    public static GeneratorRun RunWithProperty(Target target, string? targetProperty, params string[] sources)
    {
        var input = Compile(target, sources);
        var driver = CreateDriver(targetProperty: targetProperty).RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
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

/// <summary>Global analyzer options (what MSBuild passes as <c>build_property.*</c>).</summary>
public sealed class TestOptionsProvider(IReadOnlyDictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
{
    private sealed class Options(IReadOnlyDictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }

    private static readonly Options Empty = new(new Dictionary<string, string>());

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;
}
