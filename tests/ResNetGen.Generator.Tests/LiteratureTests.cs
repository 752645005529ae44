using System.Text.Json;
using ResNetGen.Data;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Generator.Tests;

/// <summary>Counts and output shapes of independent PyTorch definitions (Oracle/literature_oracle.py, /usr/bin/python3), computed once.</summary>
public sealed class LiteratureOracle
{
    public LiteratureOracle()
    {
        using var doc = PythonOracle.Json("literature_oracle.py");
        foreach (var model in doc.RootElement.EnumerateObject())
        {
            Params[model.Name] = model.Value.GetProperty("params").GetInt64();
            if (model.Value.TryGetProperty("out", out var shape)) Outputs[model.Name] = shape.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        }
    }

    public Dictionary<string, long> Params { get; } = new();

    public Dictionary<string, long[]> Outputs { get; } = new();
}

// Not parallel: the training theory seeds libtorch's process-wide generator, and a class drawing from it
// alongside would change the starting weights (and the loss it asserts falls) from run to run.
[CollectionDefinition("literature", DisableParallelization = true)]
public sealed class LiteratureCollection : ICollectionFixture<LiteratureOracle>;

/// <summary>
/// The networks of samples/ResNetGen.Zoo/Literature.cs on ResNetGen.Torch: generated count = runtime
/// count = the independent PyTorch definition's; forward and backward at the declared input size; an
/// epoch on a Fashion-MNIST slice lowers the loss.
/// </summary>
[Collection("literature")]
public class LiteratureTests(LiteratureOracle oracle, Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed record Case(long ParameterCount, Func<Module<Tensor, Tensor>> Create, long[] Input);

    private static readonly Dictionary<string, Case> Networks = new()
    {
        ["KerasStudyCardResNet"] = new(KerasStudyCardResNet.ParameterCount, () => new KerasStudyCardResNet(), [2, 3, 32, 32]),
        ["KerasResNet20V1"] = new(KerasResNet20V1.ParameterCount, () => new KerasResNet20V1(), [2, 3, 32, 32]),
        ["KerasResNet56V2"] = new(KerasResNet56V2.ParameterCount, () => new KerasResNet56V2(), [2, 3, 32, 32]),
        ["WideResNet28x10"] = new(WideResNet28x10.ParameterCount, () => new WideResNet28x10(), [1, 3, 32, 32]),
        ["PreActResNet110"] = new(PreActResNet110.ParameterCount, () => new PreActResNet110(), [2, 3, 32, 32]),
        ["SpecResNet"] = new(SpecResNet.ParameterCount, () => new SpecResNet(), [1, 1, SpecResNet.InputHeight, SpecResNet.InputWidth]),
    };

    public static TheoryData<string> Names() => new(Networks.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_and_runtime_counts_equal_the_independent_pytorch_definition(string name)
    {
        var network = Networks[name];
        Assert.Equal(oracle.Params[name], network.ParameterCount);
        using var model = network.Create();
        Assert.Equal(network.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Wide_resnet_28_10_has_the_published_36_479_194_parameters()
    {
        // Zagoruyko & Komodakis report 36.5M; the PyTorch implementations count 36,479,194 for 10 classes.
        Assert.Equal(36_479_194, oracle.Params["WideResNet28x10"]);
        Assert.Equal(36_479_194, WideResNet28x10.ParameterCount);
    }

    [Fact]
    public void Spec_resnet_is_non_square_and_flattens_64_features()
    {
        Assert.Equal(1025, SpecResNet.InputHeight);
        Assert.Equal(126, SpecResNet.InputWidth);
        Assert.Equal(0, SpecResNet.InputSize); // not square
        Assert.Contains("fc1 (Linear)", SpecResNet.Summary());
        Assert.Contains("[N, 64]", SpecResNet.Summary()); // 32 channels × 2 × 1 after six stride-3 blocks, as the official fc1(64, 128)
        // The official class also constructs five blocks its forward never calls (and an unused pre_bn per block).
        Assert.True(oracle.Params["SpecResNetOfficialConstructed"] > SpecResNet.ParameterCount);
    }

    [Fact]
    public void A_flatten_head_rejects_another_input_size_with_a_clear_error()
    {
        using var net = new SpecResNet();
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => net.forward(torch.rand(new long[] { 1, 1, 128, 128 })));
        Assert.Contains("[N, 1, 1025, 126]", error.Message);
        Assert.Contains("[1, 1, 128, 128]", error.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_backward_run_at_the_declared_input_size(string name)
    {
        var network = Networks[name];
        torch.manual_seed(0);
        using var model = network.Create();
        model.train();
        using var scope = torch.NewDisposeScope();
        var x = torch.rand(network.Input);
        var y = model.forward(x);
        var expected = oracle.Outputs[name].ToArray();
        expected[0] = network.Input[0];
        Assert.Equal(expected, y.shape);
        y.sum().backward();
        var withGradient = model.parameters().Count(p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        Assert.True(withGradient > 0.9 * model.parameters().Count(), $"{name}: {withGradient} of {model.parameters().Count()} parameters got a gradient");
    }

    public static TheoryData<string> Trainable() => new() { "KerasStudyCardResNet", "KerasResNet20V1", "KerasResNet56V2", "WideResNet10x2", "PreActResNet20", "SpecResNetSmall" };

    /// <summary>
    /// One epoch (512 images, batch 32) of Fashion-MNIST: 28×28 zero-padded to 32×32 and repeated to three
    /// channels for the CIFAR-shaped networks; WRN-10-2, PreAct-ResNet-20 and the 28×28 Spec-ResNet are
    /// reduced instances of the WRN-28-10, PreAct-ResNet-110 and Spec-ResNet declaration forms.
    /// </summary>
    [Theory]
    [MemberData(nameof(Trainable))]
    public void One_epoch_on_a_fashion_mnist_slice_lowers_the_loss(string name)
    {
        Module<Tensor, Tensor> Create() => name switch
        {
            "KerasStudyCardResNet" => new KerasStudyCardResNet(),
            "KerasResNet20V1" => new KerasResNet20V1(),
            "KerasResNet56V2" => new KerasResNet56V2(),
            "WideResNet10x2" => new WideResNet10x2(),
            "PreActResNet20" => new PreActResNet20(),
            _ => new SpecResNetSmall(),
        };
        var cifarShaped = name != "SpecResNetSmall";
        torch.manual_seed(0);
        using var data = FashionMnist.Load(train: true).Slice(0, 512);
        using var model = Create();
        model.train();
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 0);
        var losses = new List<double>();
        for (var start = 0; start < 512; start += 32)
        {
            using var scope = torch.NewDisposeScope();
            var images = Augment.ToFloat(data.Images.slice(0, start, start + 32));
            if (cifarShaped)
            {
                images = F.pad(images, [2, 2, 2, 2]);
                images = torch.cat([images, images, images], 1);
            }
            var loss = F.cross_entropy(model.forward(images), data.Labels.slice(0, start, start + 32));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item());
        }
        output.WriteLine($"{name}: {string.Join(", ", losses.Select(l => l.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
        var first = losses.Take(3).Average();
        var last = losses.TakeLast(3).Average();
        Assert.True(last < first, $"{name}: loss {first:F3} over the first three batches, {last:F3} over the last three ({string.Join(", ", losses.Select(l => l.ToString("F2")))})");
    }
}
