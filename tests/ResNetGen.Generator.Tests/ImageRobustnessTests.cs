using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// Seeded random programs over the image-output attributes ([FeatureFusion], [Reconstruction]) on residual
/// networks of built-in and custom blocks (sometimes on a DenseNet, with a [Head] or NumClasses), nonsense
/// values included: the generator never throws, and its output compiles or it reports an error.
/// </summary>
public class ImageRobustnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static string RandomImageProgram(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];
        var chaos = r.Next(5) < 2;
        int Int(int typical, params int[] nonsense) => chaos && r.Next(3) == 0 ? Pick(nonsense) : typical;
        string B() => r.Next(2) == 0 ? "true" : "false";

        var sb = new StringBuilder("using ResNetGen;\n");
        if (r.Next(3) != 0) sb.Append($"namespace RandomImage{seed};\n");
        var custom = r.Next(2) == 0;
        if (custom)
        {
            sb.Append("[ResidualBlock(Activation = ActivationKind.None)]\n");
            sb.Append($"[Conv({Int(3, 1, 5)}, Bias = true{(chaos && r.Next(4) == 0 ? ", Strided = true, Stride = 2" : "")})]\n[Relu]\n[Conv(3, Bias = true)]\n");
            sb.Append($"public partial class Block{seed} {{ }}\n");
        }
        var args = new List<string>();
        if (r.Next(2) == 0) args.Add($"InChannels = {Int(Pick(1, 3), 0, -2)}");
        if (r.Next(4) == 0) args.Add($"NumClasses = {Int(Pick(0, 10), -1)}");
        if (r.Next(2) == 0) args.Add($"InputSize = {(chaos ? Pick(0, 1, 3, 7, 24, -5, 99999) : Pick(0, 12, 24, 48))}");
        if (r.Next(2) == 0) args.Add($"ConvBias = {B()}");
        if (chaos && r.Next(5) == 0) args.Add("Dropout = 0.2");
        sb.Append($"[ResNet({string.Join(", ", args)})]\n");
        if (r.Next(3) != 0) sb.Append($"[Stem((StemKind){Int(Pick(0, 1, 1), 2, 7)}, Filters = {Int(Pick(0, 8, 16), -1, 3)}, Norm = {B()})]\n");
        if (chaos && r.Next(6) == 0)
        {
            sb.Append("[DenseBlock(2, growthRate: 4)]\n");
        }
        else
        {
            var stages = chaos ? 1 + r.Next(3) : 1 + r.Next(2);
            for (var s = 0; s < stages; s++)
            {
                var stride = chaos && s > 0 && r.Next(2) == 0 ? ", stride: 2" : "";
                var block = custom ? $", CustomBlock = typeof(Block{seed})" : r.Next(3) == 0 ? ", Block = BlockKind.Bottleneck" : "";
                sb.Append($"[ResidualStage({Int(Pick(8, 16), 0, -4)}, {Int(1 + r.Next(3), 0)}{stride}{block})]\n");
            }
        }
        if (chaos && r.Next(5) == 0) sb.Append("[Head(Hidden = new[] { 16 })]\n");
        if (r.Next(3) != 0)
        {
            var named = new List<string>();
            if (r.Next(3) == 0) named.Add($"Filters = {Int(Pick(0, 8, 32), -5, 70000)}");
            if (r.Next(3) == 0) named.Add($"Bias = {B()}");
            sb.Append(named.Count == 0 ? "[FeatureFusion]\n" : $"[FeatureFusion({string.Join(", ", named)})]\n");
        }
        if (r.Next(4) != 0)
        {
            var named = new List<string>();
            if (r.Next(3) == 0) named.Add($"OutChannels = {Int(Pick(0, 1, 3), -1, 100000)}");
            if (r.Next(3) == 0) named.Add($"Filters = {(chaos ? Pick(0, 1, 6, 90, -8, 100000) : Pick(0, 36, 64, 144))}");
            if (r.Next(3) == 0) named.Add($"LeadingConv = {B()}");
            if (r.Next(3) == 0) named.Add($"KernelSize = {Int(Pick(1, 3, 5), 0, 2, -3, 99)}");
            if (r.Next(4) == 0) named.Add($"Bias = {B()}");
            var scale = chaos ? Pick(-1, 0, 1, 2, 3, 4, 5, 8, 16, 17, 1000) : Pick(2, 3, 4);
            sb.Append($"[Reconstruction({scale}{(named.Count > 0 ? ", " + string.Join(", ", named) : "")})]\n");
        }
        sb.Append($"{(chaos ? Pick("public partial class", "public partial class", "public class") : "public partial class")} Image{seed} {(chaos && r.Next(6) == 0 ? "{ public int fusion; }" : "{ }")}\n");
        return sb.ToString();
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Two_hundred_random_image_programs_never_crash_and_compile_or_report_an_error(Target target)
    {
        var tally = RandomPrograms.Check(target, RandomImageProgram);
        int compiled = tally.Compiled.Count, rejected = tally.Rejected;
        var ids = tally.Errors;
        var images = tally.Compiled.Count(p => p.Run.Generated.Any(g => g.Source.Contains("reconstruction.call(", StringComparison.Ordinal)));
        output.WriteLine($"{target}: {tally}; {images} of the compiled programs output an image.");
        // The image diagnostics are reached, not only the old ones.
        Assert.All(new[] { "RNG040", "RNG041", "RNG042" }, id => Assert.True(ids.ContainsKey(id), $"no program reported {id}"));
        Assert.True(compiled >= 40, $"only {compiled} programs produced code");
        Assert.True(images >= 20, $"only {images} programs produced an image-output network");
        Assert.True(rejected >= 20, $"only {rejected} programs were rejected");
    }
}
