using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>Seeded random attribute programs, nonsense included: the generator never throws, and its output compiles or it reports an error.</summary>
public class RobustnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly int[] Sizes = { 0, 0, 1, 7, 16, 28, 32, 33, 64, -3, 99999 };

    public static string RandomProgram(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];
        // Two programs in five are "chaotic": any value may be nonsense. The rest use plausible values,
        // which can still combine into real errors (a basic block with dilation, a stride too many).
        var chaos = r.Next(5) < 2;
        int Int(int typical, params int[] nonsense) => chaos && r.Next(5) == 0 ? Pick(nonsense) : typical;
        string D(double v) => v.ToString(CultureInfo.InvariantCulture);

        var sb = new StringBuilder("using ResNetGen;\n");
        var ns = r.Next(3) == 0 ? null : "Random" + seed;
        if (ns is not null) sb.Append($"namespace {ns};\n");

        var blocks = new List<string>();
        for (var b = 0; b < r.Next(3); b++)
        {
            var name = $"Block{b}";
            blocks.Add(name);
            sb.Append($"[ResidualBlock(Activation = (ActivationKind){Int(r.Next(3), -1, 7)}, NegativeSlope = {D(Pick(0.01, 0.2, -3.0))})]\n");
            var layerCount = chaos ? r.Next(6) : 1 + r.Next(5);
            for (var l = 0; l < layerCount; l++)
            {
                sb.Append(r.Next(8) switch
                {
                    0 => $"[Conv({Int(Pick(1, 3, 5), 0, 99, -1)}, Expansion = {Int(Pick(1, 2, 4), 0, 100)}, Groups = {Int(Pick(1, 1, 2, 3), 0, 5000)}, Strided = {(chaos && r.Next(2) == 0 ? "true" : "false")}, Padding = {Int(-1, 0, 7, 100)}, Dilation = {Int(1, 2, 0, 20)})]\n",
                    1 => "[BatchNorm]\n",
                    2 => "[Relu]\n",
                    3 => $"[LeakyRelu({D(Pick(0.01, 0.1, 5.0))})]\n",
                    4 => $"[MaxPool({Int(3, 2, 0, 40)}, Strided = {(chaos && r.Next(3) == 0 ? "true" : "false")}, Padding = {Int(-1, 0, 5)})]\n",
                    5 => $"[AvgPool({Int(3, 2, 1)}, Stride = {Int(1, 2, 0)})]\n",
                    6 => $"[Dropout({D(Pick(0.1, 0.5, 1.5, -0.1))})]\n",
                    _ => $"[SqueezeExcite({Int(Pick(4, 16), 0, -2, 100000)})]\n",
                });
            }
            sb.Append(chaos ? Pick("public partial class", "public partial class", "public class", "public sealed partial class") : "public partial class").Append($" {name} {{ }}\n");
        }

        var args = new List<string>();
        if (r.Next(2) == 0) args.Add($"InChannels = {Int(Pick(1, 3), 0, -1, 100000)}");
        if (r.Next(2) == 0) args.Add($"NumClasses = {Int(Pick(0, 10, 1000), -5)}");
        if (r.Next(2) == 0) args.Add($"InputSize = {(chaos ? Pick(Sizes) : Pick(0, 32, 64, 224))}");
        if (r.Next(3) == 0) args.Add($"Block = (BlockKind){Int(r.Next(4), 9, -1)}");
        if (r.Next(3) == 0) args.Add($"Shortcut = (ShortcutKind){Int(r.Next(5), 12)}");
        if (r.Next(4) == 0) args.Add($"Groups = {Int(Pick(1, 2, 32), 0, 7)}");
        if (r.Next(4) == 0) args.Add($"WidthPerGroup = {Int(Pick(4, 64, 128), 0, 1)}");
        if (r.Next(4) == 0) args.Add("ZeroInitResidual = true");
        if (r.Next(4) == 0) args.Add($"Dropout = {D(Pick(0.0, 0.2, 1.0, -1.0))}");
        if (r.Next(4) == 0) args.Add($"DropPath = {D(Pick(0.1, 0.3, 2.0))}");
        if (r.Next(5) == 0) args.Add($"Init = (WeightInit){Int(r.Next(2), 2, -1)}");
        if (r.Next(5) == 0) args.Add("StrideOnFirstConv = true");
        if (r.Next(5) == 0) args.Add($"SqueezeExcite = {Int(Pick(4, 16), -1, 1000000)}");
        // The configurable forms (non-square input, Keras biases, block dropout, expansion).
        if (r.Next(5) == 0 && (chaos || !args.Any(a => a.StartsWith("InputSize", StringComparison.Ordinal))))
        {
            args.Add($"InputHeight = {Int(Pick(28, 64, 1025), 0, -2, 99999)}, InputWidth = {Int(Pick(28, 32, 126), 0, -7)}");
        }
        if (chaos && r.Next(8) == 0) args.Add($"InputWidth = {Pick(5, 40)}");
        if (r.Next(4) == 0) args.Add("ConvBias = true");
        if (r.Next(5) == 0) args.Add($"BlockDropout = {D(chaos ? Pick(0.0, 0.3, 1.5, -0.2) : Pick(0.0, 0.3))}");
        if (r.Next(5) == 0) args.Add($"Expansion = {Int(Pick(1, 2, 4), 0, 100)}");
        var hasResNet = !chaos || r.Next(6) != 0;
        if (hasResNet) sb.Append($"[ResNet({string.Join(", ", args)})]\n");
        if (r.Next(2) == 0)
        {
            var stem = new List<string> { $"Filters = {Int(Pick(0, 8, 16, 32), -3, 7)}" };
            if (r.Next(3) == 0) stem.Add($"KernelSize = {Int(Pick(3, 5, 7), 0, -1, 40)}, Stride = {Int(Pick(1, 2), 0, 12)}, Padding = {Int(-1, 0, 9, 100)}");
            if (r.Next(3) == 0) stem.Add($"Bias = {(r.Next(2) == 0 ? "true" : "false")}, Norm = {(r.Next(2) == 0 ? "true" : "false")}");
            if (r.Next(3) == 0) stem.Add($"Activation = {(r.Next(2) == 0 ? "true" : "false")}, MaxPool = {(r.Next(2) == 0 ? "true" : "false")}");
            sb.Append($"[Stem((StemKind){Int(r.Next(3), 5)}, {string.Join(", ", stem)})]\n");
        }
        if (r.Next(3) == 0)
        {
            sb.Append($"[Shortcut(KernelSize = {Int(Pick(1, 1, 3), 2, 0, 99)}, Padding = {Int(-1, 0, 4)}, Bias = {(r.Next(2) == 0 ? "true" : "false")}, ")
              .Append($"Norm = {(r.Next(2) == 0 ? "true" : "false")}, Input = (ShortcutInput){(chaos ? Pick(0, 1, 2, 9, -1) : Pick(0, 0, 1))})]\n");
        }
        if (r.Next(3) == 0)
        {
            var hidden = r.Next(3) == 0 ? "" : $", Hidden = new[] {{ {string.Join(", ", Enumerable.Range(0, 1 + r.Next(2)).Select(_ => Int(Pick(16, 128), 0, -5)))} }}";
            var pool = chaos ? Pick(0, 1, 4) : Pick(0, 0, 0, 1);
            var dropout = chaos ? Pick(0.0, 0.5, 2.0) : Pick(0.0, 0.5);
            sb.Append($"[Head((HeadPool){pool}{hidden}, Activation = (ActivationKind){Int(r.Next(3), 6)}, Dropout = {D(dropout)}, Norm = {(r.Next(2) == 0 ? "true" : "false")})]\n");
        }
        var stages = chaos && r.Next(6) == 0 ? 0 : 1 + r.Next(4);
        for (var s = 0; s < stages; s++)
        {
            var named = new List<string>();
            if (r.Next(4) == 0) named.Add($"Block = (BlockKind){Int(r.Next(4), 8)}");
            if (r.Next(4) == 0) named.Add($"Shortcut = (ShortcutKind){Int(r.Next(5), -2)}");
            if (r.Next(6) == 0) named.Add($"Groups = {Int(Pick(1, 2, 4), 0)}");
            if (r.Next(6) == 0) named.Add($"Dilation = {Int(Pick(1, 2), 0, 50)}");
            if (r.Next(6) == 0) named.Add($"SqueezeExcite = {Int(4, 0, -1)}");
            if (blocks.Count > 0 && r.Next(3) == 0) named.Add($"CustomBlock = typeof({Pick(blocks.ToArray())})");
            if (chaos && r.Next(10) == 0) named.Add("CustomBlock = typeof(int)");
            if (r.Next(8) == 0) named.Add($"Expansion = {Int(Pick(1, 4), 0, 2, 99)}");
            if (r.Next(6) == 0) named.Add($"BlockDropout = {D(chaos ? Pick(0.2, 0.5, -1.0) : Pick(0.2, 0.5))}");
            if (r.Next(10) == 0) named.Add("SkipFirstPreActivation = true");
            var head = $"{Int(Pick(4, 8, 16), 0, -4, 70000)}, {Int(1 + r.Next(2), 0, -1, 5000)}, stride: {Int(Pick(1, 2), 0, 3, 9)}";
            sb.Append($"[ResidualStage({head}{(named.Count > 0 ? ", " + string.Join(", ", named) : "")})]\n");
        }
        var modifiers = chaos ? Pick("public partial class", "internal partial class", "public class") : Pick("public partial class", "internal partial class");
        var generic = chaos && r.Next(6) == 0 ? "<T>" : "";
        var body = chaos && r.Next(5) == 0 ? "{ public int conv1; }" : r.Next(10) == 0 ? "{ public void Helper() { } }" : "{ }";
        sb.Append($"{modifiers} Net{seed}{generic} {body}\n");
        return sb.ToString();
    }

    private static readonly string[] ConfiguredForms = { "[Shortcut(", "[Head(", "KernelSize = ", "ConvBias", "BlockDropout", "InputHeight", "SkipFirstPreActivation", "MaxPool = ", "Norm = " };

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Two_hundred_random_programs_never_crash_and_compile_or_report_an_error(Target target)
    {
        var tally = RandomPrograms.Check(target, RandomProgram);
        var compiled = tally.Compiled.Count;
        var rejected = tally.Rejected;
        var configured = tally.Compiled.Count(p => ConfiguredForms.Any(p.Source.Contains));
        output.WriteLine($"{target}: {tally}.");
        // Both outcomes must actually occur, or the test proves nothing.
        Assert.True(compiled >= 20, $"only {compiled} programs produced code");
        Assert.True(rejected >= 20, $"only {rejected} programs were rejected");
        // The configurable forms ([Shortcut], [Head], stem and block options) must reach the emitter too.
        output.WriteLine($"{target}: {configured} of the compiled programs use a configurable form.");
        Assert.True(configured >= 5, $"only {configured} compiled programs use a configurable form");
    }
}
