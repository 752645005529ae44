using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// Seeded random programs over the graph attributes ([DenseBlock], [Transition], with [Stem] and the
/// [ResNet] settings, sometimes mixed with [ResidualStage]), nonsense values included: the generator
/// never throws, and its output compiles or it reports an error.
/// </summary>
public class GraphRobustnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static string RandomDenseProgram(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];
        var chaos = r.Next(5) < 2;
        int Int(int typical, params int[] nonsense) => chaos && r.Next(4) == 0 ? Pick(nonsense) : typical;
        string D(double v) => v.ToString(CultureInfo.InvariantCulture);

        var sb = new StringBuilder("using ResNetGen;\n");
        if (r.Next(3) != 0) sb.Append($"namespace RandomDense{seed};\n");
        var args = new List<string>();
        if (r.Next(2) == 0) args.Add($"InChannels = {Int(Pick(1, 3), 0, -2)}");
        if (r.Next(2) == 0) args.Add($"NumClasses = {Int(Pick(0, 10, 100), -1)}");
        if (r.Next(2) == 0) args.Add($"InputSize = {(chaos ? Pick(0, 1, 3, 7, 28, 33, -5, 99999) : Pick(0, 28, 32, 64))}");
        if (r.Next(5) == 0) args.Add($"Dropout = {D(Pick(0.0, 0.2, 1.0))}");
        if (r.Next(4) == 0) args.Add($"Init = (WeightInit){Int(r.Next(2), 2, -1)}");
        if (chaos && r.Next(4) == 0) args.Add("Block = BlockKind.Bottleneck");
        if (!chaos || r.Next(8) != 0) sb.Append($"[ResNet({string.Join(", ", args)})]\n");
        if (r.Next(2) == 0) sb.Append($"[Stem((StemKind){Int(Pick(0, 1), 2, 7)}, Filters = {Int(Pick(0, 8, 24), -1, 3)})]\n");
        if (chaos && r.Next(6) == 0) sb.Append("[ResidualStage(16, 1)]\n");
        var items = chaos ? r.Next(6) : 1 + 2 * r.Next(3);
        for (var i = 0; i < items; i++)
        {
            var transition = chaos ? r.Next(3) == 0 : i % 2 == 1;
            if (transition)
            {
                sb.Append(r.Next(3) == 0 ? "[Transition]\n" : $"[Transition(Compression = {D(chaos ? Pick(0.5, 0.0, 1.5, -1.0, 0.01) : Pick(0.5, 1.0, 0.25))})]\n");
                continue;
            }
            var named = new List<string>();
            if (r.Next(3) == 0) named.Add($"BottleneckWidth = {Int(Pick(0, 2, 4), -1, 100)}");
            if (r.Next(4) == 0) named.Add($"Dropout = {D(chaos ? Pick(0.1, 1.0, -0.5) : 0.1)}");
            sb.Append($"[DenseBlock({Int(1 + r.Next(3), 0, -1, 5000)}, growthRate: {Int(Pick(4, 8, 12), 0, -3, 100000)}{(named.Count > 0 ? ", " + string.Join(", ", named) : "")})]\n");
        }
        var body = chaos && r.Next(5) == 0 ? "{ public int features; }" : "{ }";
        sb.Append($"{(chaos ? Pick("public partial class", "public class", "internal partial class") : "public partial class")} Dense{seed} {body}\n");
        return sb.ToString();
    }

    /// <summary>Highway blocks: a [Gate] (sometimes two, sometimes alone, nonsense sizes) on random branches, in random stages.</summary>
    public static string RandomHighwayProgram(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];
        var chaos = r.Next(5) < 2;
        int Int(int typical, params int[] nonsense) => chaos && r.Next(4) == 0 ? Pick(nonsense) : typical;
        string D(double v) => v.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder("using ResNetGen;\n");
        sb.Append($"[ResidualBlock(Activation = (ActivationKind){Int(r.Next(3), 5)})]\n");
        var layers = chaos ? r.Next(4) : 1 + r.Next(3);
        for (var l = 0; l < layers; l++)
        {
            sb.Append(r.Next(4) switch
            {
                0 => "[BatchNorm]\n",
                1 => "[Relu]\n",
                2 => $"[MaxPool({Int(3, 2, 0)}, Strided = {(chaos && r.Next(3) == 0 ? "true" : "false")})]\n",
                _ => $"[Conv({Int(Pick(1, 3), 0, 99)}, Expansion = {Int(Pick(1, 2), 0)}, Bias = true, Strided = {(chaos && r.Next(3) == 0 ? "true" : "false")})]\n",
            });
        }
        var gates = chaos ? r.Next(3) : 1;
        for (var g = 0; g < gates; g++)
        {
            sb.Append($"[Gate({Int(Pick(1, 3, 5), 0, 40)}, InitialBias = {D(Pick(-1.0, -3.0, 2.0))}, Expansion = {Int(Pick(1, 2), 0)}, Filters = {Int(0, 7, -1)})]\n");
        }
        sb.Append("public partial class Gated{0} { }\n".Replace("{0}", seed.ToString(CultureInfo.InvariantCulture)));
        sb.Append($"[ResNet(NumClasses = 10, InputSize = {(chaos ? Pick(0, 1, 5, 32) : Pick(0, 32))})]\n[Stem(StemKind.Cifar)]\n");
        for (var s = 0; s < 1 + r.Next(2); s++)
        {
            sb.Append($"[ResidualStage({Int(Pick(16, 32), 0, -1)}, {1 + r.Next(2)}, stride: {Int(Pick(1, 2), 3)}, Shortcut = (ShortcutKind){Int(r.Next(4), 9)}, CustomBlock = typeof(Gated{seed}))]\n");
        }
        sb.Append($"public partial class HighwayNet{seed} {{ }}\n");
        return sb.ToString();
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Two_hundred_random_graph_programs_never_crash_and_compile_or_report_an_error(Target target)
    {
        // Even seeds: dense networks; odd seeds: highway (gated) blocks.
        var tally = RandomPrograms.Check(target, seed => seed % 2 == 0 ? RandomDenseProgram(seed) : RandomHighwayProgram(seed));
        int compiled = tally.Compiled.Count, rejected = tally.Rejected;
        output.WriteLine($"{target}: {tally}.");
        Assert.True(compiled >= 20, $"only {compiled} programs produced code");
        Assert.True(rejected >= 20, $"only {rejected} programs were rejected");
    }
}
