using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Training;

/// <summary>
/// Keeps runtime/Training readable in parts: no method (constructor, accessor, local function,
/// lambda-bodied member included) longer than <see cref="MaxMethodLines"/> lines, and Trainer.cs at
/// most <see cref="MaxTrainerLines"/> lines. Parsed with Roslyn, so comments and strings cannot fool it.
/// </summary>
public sealed class TrainingSizeTests(ITestOutputHelper output)
{
    private const int MaxMethodLines = 60, MaxTrainerLines = 250;

    private static readonly string TrainingFolder = Path.Combine(RepositoryRoot(), "runtime", "Training");

    [Fact]
    public void No_method_in_runtime_Training_is_longer_than_60_lines()
    {
        var methods = Directory.EnumerateFiles(TrainingFolder, "*.cs", SearchOption.AllDirectories).SelectMany(Methods).ToList();
        Assert.True(methods.Count > 20, $"found only {methods.Count} methods under {TrainingFolder}");
        foreach (var (name, lines) in methods.OrderByDescending(m => m.Lines).Take(5)) output.WriteLine($"{lines,4} {name}");
        var tooLong = methods.Where(m => m.Lines > MaxMethodLines).Select(m => $"{m.Name}: {m.Lines} lines").ToList();
        Assert.True(tooLong.Count == 0, "methods over " + MaxMethodLines + " lines: " + string.Join("; ", tooLong));
    }

    [Fact]
    public void Trainer_cs_is_at_most_250_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(TrainingFolder, "Trainer.cs")).Length;
        Assert.True(lines <= MaxTrainerLines, $"Trainer.cs has {lines} lines (at most {MaxTrainerLines})");
    }

    [Fact]
    public void The_counter_sees_a_long_method_and_a_long_local_function()
    {
        var body = string.Concat(Enumerable.Repeat("        x++;\n", 61));
        var source = $"class C\n{{\n    void Long()\n    {{\n        int x = 0;\n{body}    }}\n    void Short() {{ void Local()\n {{\n{body} }} }}\n}}\n";
        var methods = Methods("C.cs", source).ToDictionary(m => m.Name, m => m.Lines);
        Assert.Equal(3 + 61 + 1, methods["C.cs: Long"]); // signature, "{", "int x = 0;", the body, "}"
        Assert.True(methods["C.cs: Local"] > MaxMethodLines);
    }

    private static IEnumerable<(string Name, int Lines)> Methods(string path) => Methods(path, File.ReadAllText(path));

    private static IEnumerable<(string Name, int Lines)> Methods(string path, string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, path: path).GetRoot();
        var file = Path.GetFileName(path);
        foreach (var node in root.DescendantNodes())
        {
            var name = node switch
            {
                BaseMethodDeclarationSyntax m => m is MethodDeclarationSyntax md ? md.Identifier.Text : m.Kind().ToString(),
                AccessorDeclarationSyntax a => a.Parent?.Parent is PropertyDeclarationSyntax p ? $"{p.Identifier.Text}.{a.Keyword.Text}" : a.Keyword.Text,
                LocalFunctionStatementSyntax l => l.Identifier.Text,
                PropertyDeclarationSyntax { ExpressionBody: not null } p => p.Identifier.Text,
                _ => null,
            };
            if (name is null) continue;
            var span = node.GetLocation().GetLineSpan();
            yield return ($"{file}: {name}", span.EndLinePosition.Line - span.StartLinePosition.Line + 1);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ResNetGen.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no ResNetGen.sln above {AppContext.BaseDirectory}");
    }
}
