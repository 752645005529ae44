using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit.Abstractions;

namespace ResNetGen.Generator.Tests;

/// <summary>Reference numbers of the branch networks (Oracle/branch_oracle.py: PyTorch definitions written from the papers), computed once.</summary>
public sealed class BranchOracle
{
    public BranchOracle()
    {
        using var doc = PythonOracle.Json("branch_oracle.py");
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Number) Counts[entry.Name] = entry.Value.GetInt64();
        }
        MsrbForward = doc.RootElement.GetProperty("msrb_forward").EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }

    public Dictionary<string, long> Counts { get; } = new();

    /// <summary>One MSRB's output at n = 4 for the oracle's deterministic weights and input.</summary>
    public double[] MsrbForward { get; }
}

[CollectionDefinition("branch zoo", DisableParallelization = true)]
public sealed class BranchZooCollection : ICollectionFixture<BranchOracle>;

/// <summary>
/// Custom blocks with parallel branches and pre-activation against PyTorch: MSRN's multi-scale residual
/// block (the zoo's <see cref="MultiScaleResidualBlock"/>, Literature.Branches.cs) counts, computes and
/// trains as the PyTorch definition; a custom pre-activation block counts as the built-in one.
/// </summary>
[Collection("branch zoo")]
public class BranchTests(BranchOracle oracle, ITestOutputHelper output)
{
    [Fact]
    public void Msrb_network_count_equals_the_independent_pytorch_definition()
    {
        output.WriteLine($"reference (Python) {oracle.Counts["msrb_net"]:N0}, generated {MultiScaleResidualNet.ParameterCount:N0}");
        Assert.Equal(MultiScaleResidualNet.ParameterCount, oracle.Counts["msrb_net"]);
        using var net = new MultiScaleResidualNet();
        Assert.Equal(MultiScaleResidualNet.ParameterCount, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Msrb_at_msrn_width_counts_as_the_pytorch_block()
    {
        using var block = new MultiScaleResidualBlock(64, 64);
        Assert.Equal(713_152, oracle.Counts["msrb_block64"]);
        Assert.Equal(oracle.Counts["msrb_block64"], block.parameters().Sum(p => p.numel()));
        // conv1 … conv5 in attribute order (state_dict keys), weight then bias, no batch norm.
        Assert.Equal(
            Enumerable.Range(1, 5).SelectMany(i => new[] { $"conv{i}.weight", $"conv{i}.bias" }),
            block.state_dict().Keys);
    }

    [Fact]
    public void Msrb_forward_equals_the_pytorch_block_for_the_same_weights()
    {
        using var block = new MultiScaleResidualBlock(4, 4);
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            var i = 0;
            foreach (var p in block.parameters())
            {
                var k = 0;
                var values = new float[p.numel()].Select(_ => (float)(0.2 * Math.Sin(0.37 * k++ + i))).ToArray();
                p.copy_(torch.tensor(values, p.shape));
                i++;
            }
        }
        block.eval();
        var n = 0;
        var x = torch.tensor(new float[100].Select(_ => (float)Math.Cos(0.11 * n++)).ToArray(), [1, 4, 5, 5]);
        var y = block.forward(x).ToArray<float>();
        Assert.Equal(oracle.MsrbForward.Length, y.Length);
        var worst = oracle.MsrbForward.Zip(y, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"largest difference from PyTorch over {y.Length} outputs: {worst:E2}");
        Assert.True(worst < 1e-4, $"the block's output differs from PyTorch's by up to {worst}");
    }

    [Fact]
    public void Msrb_network_runs_forward_and_backward_on_resnetgen_torch()
    {
        using var net = new MultiScaleResidualNet();
        using var scope = torch.NewDisposeScope();
        net.train();
        var x = torch.randn(2, MultiScaleResidualNet.InChannels, MultiScaleResidualNet.InputSize, MultiScaleResidualNet.InputSize);
        var y = net.forward(x);
        Assert.Equal(new long[] { 2, MultiScaleResidualNet.NumClasses }, y.shape);
        y.sum().backward();
        var parameters = net.named_parameters().ToList();
        Assert.All(parameters, p => Assert.True(p.parameter.grad is not null, $"{p.name} got no gradient"));
        Assert.All(parameters, p => Assert.True(double.IsFinite(p.parameter.grad!.abs().sum().item<double>()), $"{p.name}: non-finite gradient"));
        // The strided block's branches both stride, and its shortcut is a projection.
        Assert.Contains(parameters, p => p.name == "layer2.0.downsample.0.weight");
    }

    private const string PreActBlock = """
        [ResidualBlock(PreActivation = true)]
        [BatchNorm] [Relu] [Conv(3)]
        [BatchNorm] [Relu] [Conv(3)]
        public partial class WideBasic { }
        """;

    private static string WideNetwork(string name, string block) => $$"""
        [ResNet(NumClasses = 10, InputSize = 32{{(block.Length == 0 ? ", Block = BlockKind.PreActBasic" : "")}})]
        [Stem(StemKind.Cifar, Filters = 16)]
        [Shortcut(Norm = false)]
        [ResidualStage(32, 2{{block}})]
        [ResidualStage(64, 2, stride: 2{{block}})]
        public partial class {{name}} { }
        """;

    private static long GeneratedCount(GeneratorRun run, string network)
    {
        var source = run.Generated.Single(g => g.HintName.EndsWith(network + ".g.cs", StringComparison.Ordinal)).Source;
        var match = Regex.Match(source, @"public const long ParameterCount = ([0-9_]+);");
        Assert.True(match.Success, $"{network}: no ParameterCount");
        return long.Parse(match.Groups[1].Value.Replace("_", ""), CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Custom_pre_activation_block_counts_as_the_builtin_one_and_as_pytorch(Target target)
    {
        var run = GeneratorHarness.Run(target, "using ResNetGen;\n" + PreActBlock + "\n"
            + WideNetwork("WideCustom", ", CustomBlock = typeof(WideBasic)") + "\n" + WideNetwork("WideBuiltIn", ""));
        Assert.Empty(run.GeneratorDiagnostics);
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
        var custom = GeneratedCount(run, "WideCustom");
        var builtIn = GeneratedCount(run, "WideBuiltIn");
        output.WriteLine($"{target}: custom pre-activation {custom:N0}, built-in PreActBasic {builtIn:N0}, PyTorch {oracle.Counts["preact_wide"]:N0}");
        Assert.Equal(oracle.Counts["preact_wide"], custom);
        Assert.Equal(builtIn, custom);
        // The stem drops its BN-ReLU before the first pre-activation stage; the head adds it after the last.
        var network = run.Generated.Single(g => g.HintName.EndsWith("WideCustom.g.cs", StringComparison.Ordinal)).Source;
        Assert.DoesNotContain("bn1 = ", network);
        Assert.Contains("norm = ", network);
    }

    [Theory]
    [InlineData(Target.ResNetGenTorch)]
    [InlineData(Target.TorchSharp)]
    public void Add_joined_strided_block_counts_as_pytorch(Target target)
    {
        var run = GeneratorHarness.Run(target, BranchSnapshotTests.Forms["AddJoinStrided"]);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(oracle.Counts["two_path_net"], GeneratedCount(run, "TwoPathNet"));
    }

    [Fact]
    public void Pre_activation_shortcut_reads_the_pre_activated_input_unless_told_raw()
    {
        string Forward(string extra) => GeneratorHarness.Run($$"""
            using ResNetGen;
            [ResidualBlock(PreActivation = true{{extra}})]
            [BatchNorm] [Relu] [Conv(3)] [BatchNorm] [Relu] [Conv(3)]
            public partial class Pre { }
            """).Generated.Single(g => g.HintName.EndsWith("Pre.Block.g.cs", StringComparison.Ordinal)).Source;
        Assert.Contains("downsample.call(preact)", Forward(""));
        Assert.Contains("downsample.call(x)", Forward(", ShortcutInput = ShortcutInput.Raw"));
        // No activation after the addition unless Activation is set.
        Assert.Matches(@"y = y \+ identity;[^\n]*\n\s*return y;", Forward("").Replace("\r", ""));
        Assert.Matches(@"y = y \+ identity;[^\n]*\n\s*y = [^\n]*relu\(y", Forward(", Activation = ActivationKind.Relu").Replace("\r", ""));
    }

    [Fact]
    public void Shortcut_input_on_a_post_activation_block_warns_that_it_has_no_effect()
    {
        var run = GeneratorHarness.Run("""
            using ResNetGen;
            [ResidualBlock(ShortcutInput = ShortcutInput.Raw)]
            [Conv(3)] [BatchNorm]
            public partial class Post { }
            """);
        var warning = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RNG015", warning.Id);
        Assert.Contains(run.Generated, g => g.HintName.EndsWith("Post.Block.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Network_shortcut_input_that_disagrees_with_a_custom_pre_activation_block_warns()
    {
        var run = GeneratorHarness.Run("using ResNetGen;\n" + PreActBlock + """
            [ResNet(NumClasses = 10, InputSize = 32)]
            [Shortcut(Input = ShortcutInput.Raw)]
            [ResidualStage(32, 1, CustomBlock = typeof(WideBasic))]
            public partial class Disagrees { }
            """);
        var warning = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RNG015", warning.Id);
        Assert.Contains("ShortcutInput", warning.GetMessage(CultureInfo.InvariantCulture));
    }
}
