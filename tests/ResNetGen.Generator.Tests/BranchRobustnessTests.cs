using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// Seeded random custom blocks with parallel branches ([Branch] … [Join]), pre-activation and the layer
/// attributes inside branches, used by random stages; nonsense included (joins without branches,
/// unjoined or empty branches, gates in branches, unknown join kinds, unjoinable shapes): the
/// generator never throws, and its output compiles or it reports an error.
/// </summary>
public class BranchRobustnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static string RandomBranchProgram(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];
        var chaos = r.Next(5) < 2;
        int Int(int typical, params int[] nonsense) => chaos && r.Next(4) == 0 ? Pick(nonsense) : typical;
        string Bool() => r.Next(2) == 0 ? "true" : "false";

        string Layer(int expansion)
        {
            var strided = chaos && r.Next(6) == 0 ? ", Strided = true" : "";
            return r.Next(9) switch
            {
                0 or 1 or 2 => $"[Conv({Int(Pick(1, 3, 5), 0, 2, 99)}, Expansion = {Int(expansion, 0, 3)}{(r.Next(4) == 0 ? ", Bias = true" : "")}{(r.Next(6) == 0 ? $", Dilation = {Int(2, 0, 40)}" : "")}{(r.Next(8) == 0 ? $", Groups = {Int(2, 3, 0)}" : "")}{(chaos && r.Next(8) == 0 ? $", Filters = {Pick(7, 0, -1)}" : "")}{strided})]",
                3 => "[BatchNorm]",
                4 => "[Relu]",
                5 => $"[LeakyRelu({Pick("0.1", "0.2")})]",
                6 => $"[{Pick("MaxPool", "AvgPool")}({Int(3, 1, 2, 0)}{strided})]",
                7 => $"[Dropout({Pick("0.1", "0.3")})]",
                _ => $"[SqueezeExcite({Int(4, 0, 1000)})]",
            };
        }

        var sb = new StringBuilder("using ResNetGen;\n");
        if (r.Next(3) != 0) sb.Append($"namespace RandomBranch{seed};\n");
        var blockArgs = new List<string>();
        var preAct = r.Next(3) == 0;
        if (preAct) blockArgs.Add("PreActivation = true");
        if (r.Next(3) == 0) blockArgs.Add($"Activation = (ActivationKind){Int(r.Next(3), 5)}");
        if (preAct && r.Next(3) == 0) blockArgs.Add($"ShortcutInput = (ShortcutInput){Int(r.Next(3), 7)}");
        sb.Append($"[ResidualBlock({string.Join(", ", blockArgs)})]\n");

        if (chaos)
        {
            // Any sequence of layers, branches, joins and gates.
            for (var i = r.Next(9); i > 0; i--)
            {
                sb.Append(r.Next(6) switch
                {
                    0 => "[Branch]",
                    1 => $"[Join((JoinKind){Pick(0, 1, 1, 5)})]",
                    2 when r.Next(3) == 0 => "[Gate]",
                    _ => Layer(Pick(1, 2)),
                }).Append(' ');
            }
        }
        else
        {
            if (preAct || r.Next(4) == 0) sb.Append("[BatchNorm] [Relu]\n");
            for (var g = 1 + r.Next(2); g > 0; g--)
            {
                var add = r.Next(2) == 0;
                var expansion = Pick(1, 2);
                for (var k = 2 + r.Next(2); k > 0; k--)
                {
                    sb.Append("[Branch] ");
                    // An Add join needs equal shapes: every branch ends in a conv of the group's width; a concat branch may be a lone pool.
                    if (!add && r.Next(5) == 0)
                    {
                        sb.Append($"[{Pick("MaxPool", "AvgPool")}(3)]\n");
                        continue;
                    }
                    sb.Append($"[Conv({Pick(1, 3, 5)}, Expansion = {(add ? expansion : Pick(1, 2))})] ");
                    for (var l = r.Next(3); l > 0; l--) sb.Append(Pick("[BatchNorm] ", "[Relu] ", "[BatchNorm] [Relu] ", "[Dropout(0.1)] "));
                    sb.Append('\n');
                }
                sb.Append($"[Join(JoinKind.{(add ? "Add" : "Concat")})]\n");
            }
            if (r.Next(3) != 0) sb.Append($"[Conv(1, Expansion = {Pick(1, 2)})]{Pick("", " [BatchNorm]")}\n");
        }
        sb.Append($"\npublic partial class Branchy{seed} {{ }}\n");

        sb.Append($"[ResNet(NumClasses = {Int(10, 0)}, InputSize = {(chaos ? Pick(0, 1, 5, 32) : Pick(0, 32))})]\n[Stem(StemKind.Cifar, Filters = {Pick(8, 16)})]\n");
        if (r.Next(5) == 0) sb.Append($"[Shortcut(Norm = {Bool()}, Input = (ShortcutInput){Int(r.Next(3), 4)})]\n");
        for (var s = 1 + r.Next(2); s > 0; s--)
        {
            sb.Append($"[ResidualStage({Int(Pick(8, 16), 0, -1)}, {1 + r.Next(2)}, stride: {Int(Pick(1, 2), 3)}, Shortcut = (ShortcutKind){Int(r.Next(4), 9)}, CustomBlock = typeof(Branchy{seed}))]\n");
        }
        sb.Append($"public partial class BranchNet{seed} {{ }}\n");
        return sb.ToString();
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Two_hundred_random_branch_programs_never_crash_and_compile_or_report_an_error(Target target)
    {
        var tally = RandomPrograms.Check(target, RandomBranchProgram);
        var rejected = tally.Rejected;
        var ids = tally.Errors;
        var withBranches = tally.Compiled.Count(p => p.Run.Generated.Any(g => g.Source.Contains(".cat(", StringComparison.Ordinal) || g.Source.Contains("branch2", StringComparison.Ordinal)));
        output.WriteLine($"{target}: {tally}; {withBranches} of the compiled programs join branches.");
        Assert.True(withBranches >= 40, $"only {withBranches} programs with branches compiled");
        Assert.True(rejected >= 20, $"only {rejected} programs were rejected");
        // The branch rules themselves are exercised, not only older ones.
        Assert.Contains("RNG032", ids.Keys);
        Assert.Contains("RNG034", ids.Keys);
    }
}
