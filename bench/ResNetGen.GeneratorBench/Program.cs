// Measures ResNetGen's generator over 100 annotated networks:
//   cold  = a fresh GeneratorDriver over the compilation (every step runs);
//   warm  = the same driver after an unrelated one-file edit (the incremental case in an IDE);
//   edit  = the same driver after one network's attribute changes (one network re-emitted).
// The first cold run of the process (JIT included) is reported separately. Medians of N runs.
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ResNetGen.Generator;

var iterations = args.Length > 0 ? int.Parse(args[0]) : 30;
var parse = new CSharpParseOptions(LanguageVersion.Latest);
var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) == "netstandard.dll")
    .Select(p => MetadataReference.CreateFromFile(p)).Cast<MetadataReference>()
    .Append(MetadataReference.CreateFromFile(typeof(ResNetGen.ResNetAttribute).Assembly.Location))
    .Append(MetadataReference.CreateFromFile(typeof(ResNetGen.Torch.Tensor).Assembly.Location)).ToList();

string Network(int i, int classes)
{
    var kinds = new[] { "Basic", "Bottleneck", "PreActBasic", "PreActBottleneck" };
    var stems = new[] { "ImageNet", "Cifar", "Deep" };
    var sb = new StringBuilder("using ResNetGen;\nnamespace Bench;\n");
    sb.Append($"[ResNet(Block = BlockKind.{kinds[i % 4]}, NumClasses = {classes}, InputSize = {(i % 2 == 0 ? 224 : 32)}{(i % 5 == 0 ? ", SqueezeExcite = 16" : "")}{(i % 7 == 0 ? ", DropPath = 0.1" : "")})]\n");
    sb.Append($"[Stem(StemKind.{stems[i % 3]})]\n");
    var stages = 3 + i % 2;
    for (var s = 0; s < stages; s++) sb.Append($"[ResidualStage({16 << s}, {1 + (i + s) % 4}{(s > 0 ? ", stride: 2" : "")})]\n");
    sb.Append($"public partial class Net{i} {{ }}\n");
    return sb.ToString();
}

var trees = Enumerable.Range(0, 100).Select(i => CSharpSyntaxTree.ParseText(Network(i, 10 + i), parse, $"Net{i}.cs")).ToList();
var unrelated = CSharpSyntaxTree.ParseText("namespace Bench; public class Unrelated { public int A; }", parse, "Unrelated.cs");
var compilation = CSharpCompilation.Create("Bench", trees.Append(unrelated), references,
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary).WithNullableContextOptions(NullableContextOptions.Enable));

GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(new[] { new ResNetGenerator().AsSourceGenerator() }, parseOptions: parse);

double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

double Median(List<double> xs)
{
    xs.Sort();
    return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
}

GeneratorDriver? first = null;
var firstCold = Time(() => first = NewDriver().RunGenerators(compilation));
var files = first!.GetRunResult().GeneratedTrees.Length;
var chars = first.GetRunResult().GeneratedTrees.Sum(t => t.Length);

var cold = new List<double>();
var warm = new List<double>();
var edit = new List<double>();
for (var i = 0; i < iterations; i++)
{
    // Fresh compilations each time, so no semantic model is reused between iterations.
    var c = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(trees.Select(t => t.WithFilePath(t.FilePath)).Append(unrelated.WithFilePath(unrelated.FilePath)));
    GeneratorDriver driver = NewDriver();
    cold.Add(Time(() => driver = driver.RunGenerators(c)));

    var oldUnrelated = c.SyntaxTrees.Last();
    var warmCompilation = c.ReplaceSyntaxTree(oldUnrelated, CSharpSyntaxTree.ParseText($"namespace Bench; public class Unrelated {{ public int A{i}; }}", parse, "Unrelated.cs"));
    warm.Add(Time(() => driver = driver.RunGenerators(warmCompilation)));

    var target = warmCompilation.SyntaxTrees.First();
    var editCompilation = warmCompilation.ReplaceSyntaxTree(target, CSharpSyntaxTree.ParseText(Network(0, 500 + i), parse, target.FilePath));
    edit.Add(Time(() => driver = driver.RunGenerators(editCompilation)));
}

Console.WriteLine($"ResNetGen generator over 100 networks ({files} files, {chars / 1024} KiB generated), {iterations} iterations, medians:");
Console.WriteLine($"  first cold run in process (JIT included): {firstCold,8:F1} ms");
Console.WriteLine($"  cold (fresh driver):                      {Median(cold),8:F1} ms");
Console.WriteLine($"  warm (unrelated edit):                    {Median(warm),8:F2} ms");
Console.WriteLine($"  one network's attribute edited:           {Median(edit),8:F2} ms");
