using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// The public surface of ResNetGen.TorchSharp as the generator/helper contract states it
/// (SqueezeExcite, DropPath, Layers, Functional), compiled in memory against the real TorchSharp.dll,
/// so TorchSharp-target code is compile-checked here without a dependency on the helper project.
/// The run-time tests of the TorchSharp target use the real library.
/// </summary>
public static class TorchSharpHelpers
{
    private const string Source = """
        using static TorchSharp.torch;

        namespace ResNetGen.TorchSharp;

        public sealed class SqueezeExcite : nn.Module<Tensor, Tensor>
        {
            internal SqueezeExcite() : base(nameof(SqueezeExcite)) { }
            public override Tensor forward(Tensor x) => x;
        }

        public sealed class DropPath : nn.Module<Tensor, Tensor>
        {
            internal DropPath() : base(nameof(DropPath)) { }
            public override Tensor forward(Tensor x) => x;
        }

        public static class Layers
        {
            public static SqueezeExcite SqueezeExcite(int channels, int squeezeChannels) => new();
            public static DropPath DropPath(double p) => new();
        }

        public static class Functional
        {
            public static Tensor drop_path(Tensor x, double p, bool training) => x;
            public static Tensor zero_pad_shortcut(Tensor x, int stride, int outChannels) => x;
        }
        """;

    public static readonly MetadataReference Reference = Build();

    private static MetadataReference Build()
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        var references = tpa.Where(p => p.Length > 0 && Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
        var compilation = CSharpCompilation.Create("ResNetGen.TorchSharp",
            new[] { CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest)) },
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("The ResNetGen.TorchSharp contract stub does not compile: " + string.Join("\n", result.Diagnostics));
        }
        return MetadataReference.CreateFromImage(ImmutableArray.Create(stream.ToArray()));
    }
}
