using System.Text.Json;
using ResNetGen.Torch;
using ResNetGen.Data;
using Xunit.Abstractions;
using ResNetGen.Zoo;

namespace ResNetGen.Generator.Tests;

/// <summary>Reference counts of the graph networks (Oracle/graph_oracle.py: independent PyTorch definitions and torchvision), computed once.</summary>
public sealed class GraphOracle
{
    public GraphOracle()
    {
        using var doc = PythonOracle.Json("graph_oracle.py");
        foreach (var model in doc.RootElement.GetProperty("paper").EnumerateObject()) Paper[model.Name] = model.Value.GetInt64();
        var tv = doc.RootElement.GetProperty("torchvision").GetProperty("densenet121");
        TorchvisionDenseNet121 = tv.GetProperty("params").GetInt64();
        TorchvisionDenseNet121Keys = tv.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
    }

    /// <summary>Counts of the definitions written from the papers.</summary>
    public Dictionary<string, long> Paper { get; } = new();

    public long TorchvisionDenseNet121 { get; }

    public List<string> TorchvisionDenseNet121Keys { get; }
}

// Not parallel: the training theory seeds libtorch's process-wide generator (see LiteratureCollection).
[CollectionDefinition("graph zoo", DisableParallelization = true)]
public sealed class GraphZooCollection : ICollectionFixture<GraphOracle>;

/// <summary>The zoo's graph networks (Literature.Graph.cs) against PyTorch: counts, keys, forward/backward, a short training run.</summary>
[Collection("graph zoo")]
public class GraphZooTests(GraphOracle oracle, ITestOutputHelper output)
{
    private static (long Constant, Func<Module<Tensor, Tensor>> Create, int InChannels, int Size, int Classes) Twin(string name) => name switch
    {
        "densenet121" => (DenseNet121.ParameterCount, () => new DenseNet121(), DenseNet121.InChannels, DenseNet121.InputSize, DenseNet121.NumClasses),
        "densenet_bc100" => (DenseNetBC100.ParameterCount, () => new DenseNetBC100(), DenseNetBC100.InChannels, DenseNetBC100.InputSize, DenseNetBC100.NumClasses),
        "densenet_bc40_mnist" => (DenseNetBC40Mnist.ParameterCount, () => new DenseNetBC40Mnist(), DenseNetBC40Mnist.InChannels, DenseNetBC40Mnist.InputSize, DenseNetBC40Mnist.NumClasses),
        "highway" => (HighwayNet.ParameterCount, () => new HighwayNet(), HighwayNet.InChannels, HighwayNet.InputSize, HighwayNet.NumClasses),
        // MSRN's multi-scale residual blocks in a classifier (Literature.Branches.cs; counted against branch_oracle.py in BranchTests).
        "msrb_net" => (MultiScaleResidualNet.ParameterCount, () => new MultiScaleResidualNet(), MultiScaleResidualNet.InChannels, MultiScaleResidualNet.InputSize, MultiScaleResidualNet.NumClasses),
        _ => throw new ArgumentException(name),
    };

    public static readonly TheoryData<string> Names = new() { "densenet121", "densenet_bc100", "densenet_bc40_mnist", "highway" };

    /// <summary>The classifiers small enough to train on the CPU in a test (DenseNet-BC at depth 40; the highway net; the MSRB classifier).</summary>
    public static readonly TheoryData<string> Trainable = new() { "densenet_bc40_mnist", "highway", "msrb_net" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_and_runtime_counts_equal_the_independent_pytorch_definition(string name)
    {
        var (constant, create, _, _, _) = Twin(name);
        output.WriteLine($"{name}: reference (Python) {oracle.Paper[name]:N0}, generated {constant:N0}");
        Assert.Equal(oracle.Paper[name], constant);
        using var net = create();
        Assert.Equal(constant, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Highway_gates_start_closed_with_the_declared_bias()
    {
        using var net = new HighwayNet();
        var gates = net.named_parameters().Where(p => p.name.EndsWith(".gate.bias", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, gates.Count);
        Assert.All(gates, g => Assert.Equal(-1.0, g.parameter.ToArray<float>().Distinct().Single()));
    }

    [Fact]
    public void DenseNet121_matches_torchvision_count_and_state_dict_keys()
    {
        Assert.Equal(7_978_856, oracle.TorchvisionDenseNet121); // torchvision's documented num_params
        Assert.Equal(DenseNet121.ParameterCount, oracle.TorchvisionDenseNet121);
        using var net = new DenseNet121();
        Assert.Equal(oracle.TorchvisionDenseNet121Keys, net.state_dict().Keys.ToList()); // same keys, same order
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_backward_run_at_the_declared_input_size(string name)
    {
        var (_, create, inChannels, size, classes) = Twin(name);
        using var net = create();
        using var scope = torch.NewDisposeScope();
        net.train();
        var x = torch.randn(2, inChannels, size, size);
        var y = net.forward(x);
        Assert.Equal(new long[] { 2, classes }, y.shape);
        y.sum().backward();
        var grads = net.parameters().Where(p => p.grad is not null).ToList();
        Assert.Equal(net.parameters().Count(), grads.Count);
        Assert.All(grads, p => Assert.True(double.IsFinite(p.grad!.abs().sum().item<double>())));
    }

    [Theory]
    [MemberData(nameof(Trainable))]
    public void Trains_one_epoch_on_a_fashion_mnist_slice_and_its_loss_falls(string name)
    {
        torch.manual_seed(3);
        using var full = FashionMnist.Load(train: true);
        using var slice = full.Slice(0, 640);
        using var net = Twin(name).Create();
        using var optimizer = torch.optim.SGD(net.parameters(), lr: 0.1, momentum: 0.9);
        var losses = new List<double>();
        net.train();
        foreach (var batch in new DataLoader(slice, new DataLoaderOptions { BatchSize = 32, Shuffle = true, Seed = 3, Transform = new Normalize([0.2860], [0.3530]) }))
        {
            using (batch)
            using (var scope = torch.NewDisposeScope())
            {
                var loss = torch.nn.functional.cross_entropy(net.forward(batch.Images), batch.Labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                losses.Add(loss.item<double>());
            }
        }
        output.WriteLine(string.Join(" ", losses.Select(l => l.ToString("G4"))));
        var first = losses.Take(4).Average();
        var last = losses.TakeLast(4).Average();
        output.WriteLine($"{name}, 20 steps of 32: loss {first:0.000} (first 4) → {last:0.000} (last 4)");
        Assert.Equal(20, losses.Count);
        // Falls by more than step-to-step noise (the highway net, gates starting closed, learns slowest: 2.32 → 2.27).
        Assert.True(last < first - 0.02, $"loss should fall: first 4 steps {first:0.000}, last 4 {last:0.000}");
    }
}
