using System.Text.Json;
using System.Text.RegularExpressions;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit.Abstractions;

namespace ResNetGen.Generator.Tests;

/// <summary>Reference counts and output shapes of the image-output networks (Oracle/image_oracle.py: independent PyTorch definitions), computed once.</summary>
public sealed class ImageOracle
{
    public ImageOracle()
    {
        using var doc = PythonOracle.Json("image_oracle.py");
        foreach (var model in doc.RootElement.EnumerateObject())
        {
            Networks[model.Name] = (
                model.Value.GetProperty("params").GetInt64(),
                model.Value.GetProperty("input").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
                model.Value.GetProperty("output").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        }
    }

    public Dictionary<string, (long Params, long[] Input, long[] Output)> Networks { get; } = new();
}

// Not parallel: the forward/backward test draws from libtorch's process-wide generator.
[CollectionDefinition("image zoo", DisableParallelization = true)]
public sealed class ImageZooCollection : ICollectionFixture<ImageOracle>;

/// <summary>The image-output networks against PyTorch: counts, output shapes, forward/backward on ResNetGen.Torch.</summary>
[Collection("image zoo")]
public class ImageOutputTests(ImageOracle oracle, ITestOutputHelper output)
{
    private static (long Constant, Func<Module<Tensor, Tensor>> Create, int InChannels, int Size, int OutChannels, int Scale) Twin(string name) => name switch
    {
        "fused_edsr_x2" => (FusedEdsrX2.ParameterCount, () => new FusedEdsrX2(), FusedEdsrX2.InChannels, FusedEdsrX2.InputSize, FusedEdsrX2.OutChannels, FusedEdsrX2.Scale),
        "edsr_like_x3" => (EdsrLikeX3.ParameterCount, () => new EdsrLikeX3(), EdsrLikeX3.InChannels, EdsrLikeX3.InputSize, EdsrLikeX3.OutChannels, EdsrLikeX3.Scale),
        "msrn_x2" => (MsrnX2.ParameterCount, () => new MsrnX2(), MsrnX2.InChannels, MsrnX2.InputSize, MsrnX2.OutChannels, MsrnX2.Scale),
        "msrn_x3" => (MsrnX3.ParameterCount, () => new MsrnX3(), MsrnX3.InChannels, MsrnX3.InputSize, MsrnX3.OutChannels, MsrnX3.Scale),
        "msrn_x4" => (MsrnX4.ParameterCount, () => new MsrnX4(), MsrnX4.InChannels, MsrnX4.InputSize, MsrnX4.OutChannels, MsrnX4.Scale),
        _ => throw new ArgumentException(name),
    };

    internal static Module<Tensor, Tensor> Create(string name) => Twin(name).Create();

    internal static int InputSize(string name) => Twin(name).Size;

    public static readonly TheoryData<string> Zoo = new() { "fused_edsr_x2", "edsr_like_x3", "msrn_x2", "msrn_x3", "msrn_x4" };

    public static readonly TheoryData<string> Forms = new() { "FusionReconstructionX2", "ReconstructionX3NoFusion", "ReconstructionX4Filters" };

    [Theory]
    [MemberData(nameof(Zoo))]
    public void Zoo_counts_generated_and_at_run_time_equal_the_independent_pytorch_definition(string name)
    {
        var (constant, create, _, _, _, _) = Twin(name);
        output.WriteLine($"{name}: reference (Python) {oracle.Networks[name].Params:N0}, generated {constant:N0}");
        Assert.Equal(oracle.Networks[name].Params, constant);
        using var net = create();
        Assert.Equal(constant, net.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Snapshot_form_counts_equal_the_independent_pytorch_definition(string form)
    {
        foreach (var target in new[] { Target.ResNetGenTorch, Target.TorchSharp })
        {
            var run = GeneratorHarness.Run(target, ImageOutputSnapshotTests.Forms[form]);
            var network = run.Generated.Single(g => g.HintName.EndsWith(".g.cs", StringComparison.Ordinal) && !g.HintName.EndsWith(".Block.g.cs", StringComparison.Ordinal)).Source;
            var count = long.Parse(Regex.Match(network, @"const long ParameterCount = ([\d_]+);").Groups[1].Value.Replace("_", ""), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(oracle.Networks[form].Params, count);
            // The declared output shape in the docs: the oracle's output at its input, written symbolically when the size is open.
            var (_, input, outputShape) = oracle.Networks[form];
            var declared = Regex.Match(network, @"output <c>(\[N, [^<]+\])</c>").Groups[1].Value;
            var expected = network.Contains("public const int InputSize = 0;", StringComparison.Ordinal)
                ? $"[N, {outputShape[1]}, {outputShape[2] / input[2]}H, {outputShape[3] / input[3]}W]"
                : $"[N, {outputShape[1]}, {outputShape[2]}, {outputShape[3]}]";
            Assert.Equal(expected, declared);
        }
    }

    [Theory]
    [MemberData(nameof(Zoo))]
    public void Forward_and_backward_give_the_upscaled_image_and_finite_gradients(string name)
    {
        var (_, create, inChannels, size, outChannels, scale) = Twin(name);
        torch.manual_seed(5);
        using var net = create();
        using var scope = torch.NewDisposeScope();
        net.train();
        var x = torch.randn(2, inChannels, size, size);
        var y = net.forward(x);
        Assert.Equal(new long[] { 2, outChannels, size * scale, size * scale }, y.shape);
        Assert.Equal(oracle.Networks[name].Output, y.shape);
        // An L1 loss against a zero image (super-resolution trains with L1).
        var loss = y.abs().sum();
        loss.backward();
        var grads = net.parameters().Where(p => p.grad is not null).ToList();
        Assert.Equal(net.parameters().Count(), grads.Count);
        Assert.All(grads, p => Assert.True(double.IsFinite(p.grad!.abs().sum().item<double>())));
        // Every block's output reaches the fusion: the first block's convolutions get a gradient that is not zero.
        Assert.True(net.named_parameters().First(p => p.name == "layer1.0.conv1.weight").parameter.grad!.abs().sum().item<double>() > 0);
    }

    /// <summary>
    /// MSRN keeps PyTorch's default initialisation (Init = WeightInit.PyTorchDefault), as the authors' code: every
    /// convolution kernel lies within Kaiming uniform's bound 1/√fan-in. The EDSR-style network, left at
    /// torchvision's Kaiming normal (fan-out), exceeds that bound, so the check can tell the two apart.
    /// </summary>
    [Fact]
    public void Msrn_keeps_pytorch_default_init_and_the_torchvision_init_differs()
    {
        static (int Convs, int Beyond) Kernels(Module<Tensor, Tensor> net)
        {
            int convs = 0, beyond = 0;
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal) && p.parameter.dim() == 4))
            {
                convs++;
                var fanIn = p.shape[1] * p.shape[2] * p.shape[3];
                if (p.ToArray<float>().Max(v => Math.Abs(v)) > 1 / Math.Sqrt(fanIn) * (1 + 1e-6)) beyond++;
            }
            return (convs, beyond);
        }
        torch.manual_seed(2);
        using var msrn = new MsrnX2();
        using var edsr = new FusedEdsrX2();
        var (msrnConvs, msrnBeyond) = Kernels(msrn);
        var (edsrConvs, edsrBeyond) = Kernels(edsr);
        output.WriteLine($"MSRN: {msrnBeyond} of {msrnConvs} kernels beyond 1/√fan-in; FusedEdsrX2 (torchvision init): {edsrBeyond} of {edsrConvs}");
        Assert.Equal(45, msrnConvs); // the stem, 8 blocks × 5, the fusion, 3 in the reconstruction
        Assert.Equal(0, msrnBeyond);
        Assert.True(edsrBeyond > edsrConvs / 2, $"torchvision's init should exceed the bound in most kernels: {edsrBeyond} of {edsrConvs}");
    }

    [Fact]
    public void State_dict_keys_keep_the_stage_names_and_add_fusion_and_reconstruction()
    {
        using var net = new FusedEdsrX2();
        var keys = net.state_dict().Keys.ToList();
        Assert.Equal(new[] { "conv1.weight", "conv1.bias" }, keys.Take(2));
        Assert.Contains("layer1.7.conv2.bias", keys);
        Assert.Equal(new[]
        {
            "fusion.weight", "fusion.bias",
            "reconstruction.0.weight", "reconstruction.0.bias",
            "reconstruction.1.weight", "reconstruction.1.bias",
            "reconstruction.3.weight", "reconstruction.3.bias",
        }, keys.Skip(keys.IndexOf("fusion.weight")));
        Assert.Equal(new long[] { 64, 576, 1, 1 }, net.state_dict()["fusion.weight"].shape);
    }
}

/// <summary>
/// The generated image networks compute what the independent PyTorch definition computes: our weights,
/// input and output go to image_oracle.py (one safetensors file), which loads the weights into its own
/// model (keys mapped: conv1 → head.0, layer1.i → body.i, reconstruction.k → tail.…) strictly and compares.
/// This pins the concatenation order (blocks, then the stem) and PixelShuffle's channel order.
/// </summary>
[Collection("image zoo")]
public class ImageOutputEquivalenceTests(ITestOutputHelper output)
{
    private static string ScriptsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "python");
            if (File.Exists(Path.Combine(candidate, "safetensors_torch.py"))) return candidate;
        }
        throw new InvalidOperationException("scripts/python/safetensors_torch.py not found above the test directory");
    }

    [Theory]
    [InlineData("fused_edsr_x2")]
    [InlineData("edsr_like_x3")]
    [InlineData("msrn_x2")]
    [InlineData("msrn_x4")]
    public void PyTorch_given_our_weights_computes_our_output(string name)
    {
        torch.manual_seed(11);
        using var net = ImageOutputTests.Create(name);
        var size = ImageOutputTests.InputSize(name);
        net.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, size, size);
        Tensor y;
        using (torch.no_grad()) y = net.forward(x);
        var path = Path.Combine(Path.GetTempPath(), $"resnetgen-image-{name}-{Environment.ProcessId}.safetensors");
        try
        {
            var tensors = net.state_dict().Append(new("__input", x)).Append(new("__output", y));
            torch.save(tensors, path, new Dictionary<string, string> { ["name"] = name });
            var script = Path.Combine(AppContext.BaseDirectory, "Oracle", "image_oracle.py");
            var (exit, stdout, stderr) = PythonOracle.Run(script, "compare", path, ScriptsDirectory());
            Assert.True(exit == 0, $"image_oracle.py compare failed: {stderr}");
            using var doc = JsonDocument.Parse(stdout);
            var diff = doc.RootElement.GetProperty("max_abs_diff").GetDouble();
            var scale = doc.RootElement.GetProperty("max_abs").GetDouble();
            output.WriteLine($"{name}: max |ours − PyTorch| = {diff:G3} over outputs up to {scale:G3}");
            Assert.True(scale > 0);
            Assert.True(diff <= 1e-5 * scale, $"{name}: outputs differ by {diff} (largest output {scale})");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
