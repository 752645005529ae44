using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ResNetGen.Runtime.Tests.Layering;

/// <summary>A reference from a lower layer's code to a higher layer's namespace or member.</summary>
public sealed record LayerViolation(string File, int Line, string FromNamespace, string Referenced, string ReferencedNamespace)
{
    public override string ToString() => $"{File}:{Line}: {FromNamespace} uses {Referenced} ({ReferencedNamespace})";
}

/// <summary>
/// The runtime's layers, lowest first: Torch ← Data ← Distributed ← Training. Code in a layer may
/// use its own layer and the ones below it. A namespace belongs to the layer whose namespace it
/// is or lies under (ResNetGen.Torch.Native is Torch); other namespaces (System, ResNetGen itself)
/// are no layer and free to use.
/// </summary>
public static class LayerRules
{
    public static readonly IReadOnlyList<string> Layers =
        ["ResNetGen.Torch", "ResNetGen.Data", "ResNetGen.Distributed", "ResNetGen.Training"];

    /// <summary>The layer's index in <see cref="Layers"/>, or -1 for a namespace outside them.</summary>
    public static int LayerOf(string ns)
    {
        for (var i = 0; i < Layers.Count; i++)
            if (ns == Layers[i] || ns.StartsWith(Layers[i] + ".", StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>
    /// Every name in <paramref name="compilation"/>'s code (using directives, types, members, namespaces; not
    /// documentation comments) that resolves to a higher layer than the namespace the code is declared in;
    /// in the files named <paramref name="onlyFiles"/> when given.
    /// </summary>
    public static IReadOnlyList<LayerViolation> Find(Compilation compilation, params string[] onlyFiles)
    {
        var violations = new List<LayerViolation>();
        foreach (var tree in compilation.SyntaxTrees.Where(t => onlyFiles.Length == 0 || onlyFiles.Contains(t.FilePath)))
        {
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            var fileNamespace = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var from = name.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString() ?? fileNamespace;
                if (from is null || LayerOf(from) < 0) continue;
                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (NamespaceOf(symbol) is not { } target) continue;
                if (LayerOf(target) > LayerOf(from))
                    violations.Add(new(Path.GetFileName(tree.FilePath), name.GetLocation().GetLineSpan().StartLinePosition.Line + 1,
                        from, symbol!.ToDisplayString(), target));
            }
        }
        return violations;
    }

    // The namespace a symbol belongs to: a namespace's own name, a type's namespace (arrays and
    // pointers: their element's), a member's type's.
    private static string? NamespaceOf(ISymbol? symbol) => symbol switch
    {
        null => null,
        INamespaceSymbol { IsGlobalNamespace: true } => null,
        INamespaceSymbol ns => ns.ToDisplayString(),
        IArrayTypeSymbol array => NamespaceOf(array.ElementType),
        IPointerTypeSymbol pointer => NamespaceOf(pointer.PointedAtType),
        ITypeParameterSymbol or IAliasSymbol or ILocalSymbol or IParameterSymbol or IRangeVariableSymbol or ILabelSymbol
            or IDiscardSymbol => null,
        ITypeSymbol type => type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
        _ => symbol.ContainingType is { } owner ? NamespaceOf(owner) : null,
    };
}

/// <summary>
/// The runtime's own sources (runtime/, without the folders below it that are assemblies of their own,
/// as ResNetGen.TorchSharp), compiled for analysis against the assemblies the runtime references.
/// </summary>
public static class RuntimeSources
{
    private static readonly Lazy<CSharpCompilation> Shared = new(() => Compile([]));

    public static CSharpCompilation Compilation => Shared.Value;

    public static string RuntimeDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "runtime", "ResNetGen.Runtime.csproj"))) return Path.Combine(dir.FullName, "runtime");
            throw new InvalidOperationException($"no runtime/ResNetGen.Runtime.csproj above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The runtime's sources plus <paramref name="extra"/> (name, code) files.</summary>
    public static CSharpCompilation Compile(IEnumerable<(string name, string code)> extra)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var dir = RuntimeDirectory;
        var sep = Path.DirectorySeparatorChar;
        var otherProjects = Directory.EnumerateFiles(dir, "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetDirectoryName(p)! + sep)
            .Where(d => d != dir + sep)
            .ToList();
        var files = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !otherProjects.Any(p => f.StartsWith(p, StringComparison.Ordinal)) &&
                        !f.Contains($"{sep}obj{sep}") && !f.Contains($"{sep}bin{sep}"))
            .Order(StringComparer.Ordinal);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, Path.GetRelativePath(dir, f))).ToList();
        // The SDK's implicit usings, as the project compiles with them.
        trees.Add(CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", options, "GlobalUsings.g.cs"));
        trees.AddRange(extra.Select(e => CSharpSyntaxTree.ParseText(e.code, options, e.name)));
        return CSharpCompilation.Create("ResNetGen.Runtime.Layering", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    // The framework, and this project's own assemblies that the built runtime references (the
    // attributes, ...), never the runtime itself: its types come from the sources.
    private static IEnumerable<MetadataReference> References()
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("ResNetGen.", StringComparison.Ordinal));
        var own = typeof(ResNetGen.Torch.Tensor).Assembly.GetReferencedAssemblies()
            .Select(a => Path.Combine(AppContext.BaseDirectory, a.Name + ".dll"))
            .Where(p => Path.GetFileName(p).StartsWith("ResNetGen.", StringComparison.Ordinal) && File.Exists(p));
        return framework.Concat(own).Distinct().Select(p => MetadataReference.CreateFromFile(p));
    }
}
