using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit;
using Xunit.Sdk;

// One network at a time: the machine is small, the PyTorch oracle is one process, and the big
// networks hold several copies of their weights while they are compared.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ResNetGen.Interop.Tests;

/// <summary>A network both sides build: its PyTorch name (interop_models.build) and our generated class.</summary>
public sealed record Net(string Name, Func<Module<Tensor, Tensor>> Create, int Size, int NumClasses, int Steps = 2, int Batch = 2)
{
    public override string ToString() => Name;
}

/// <summary>The networks of issue 5, and the plumbing the interop tests share.</summary>
public static class Interop
{
    /// <summary>
    /// torchvision's resnet18 at its native 224×224; the resnet50 family at 64×64 (the machine is small;
    /// layer4 still sees 2×2 maps, 8 values per channel for the batch statistics) and one SGD step; the CIFAR
    /// networks at 32×32. Batch 2; two SGD steps where not said otherwise (the second one uses the momentum).
    /// </summary>
    public static readonly Net[] Networks =
    [
        new("resnet18", () => new ResNet18(), 224, 1000),
        new("resnet50", () => new ResNet50(), 64, 1000, Steps: 1),
        new("resnext50_32x4d", () => new ResNeXt50_32x4d(), 64, 1000, Steps: 1),
        new("wide_resnet50_2", () => new WideResNet50_2(), 64, 1000, Steps: 1),
        new("cifar_resnet20a", () => new CifarResNet20A(), 32, 10),
        new("cifar_resnet20b", () => new CifarResNet20B(), 32, 10),
        new("preact_resnet18", () => new PreActResNet18(), 32, 10),
        new("preact_resnet164", () => new PreActResNet164(), 32, 10),
    ];

    public static Net Find(string name) => Networks.Single(n => n.Name == name);

    public static TheoryData<string> Names() => new(Networks.Select(n => n.Name));

    /// <summary>Folder of interop_models.py (copied next to the test binary).</summary>
    public static string PythonDir => Path.Combine(AppContext.BaseDirectory, "Python");

    public static string ScriptPath => Path.Combine(PythonOracle.ScriptsDirectory, "safetensors_torch.py");

    /// <summary>Every script starts with this: interop_models as <c>im</c>, safetensors_torch as <c>st</c>, torchvision models as <c>tvm</c>.</summary>
    private const string Prelude = """
        import sys, json
        if params["pydir"] not in sys.path:
            sys.path.insert(0, params["pydir"])
        import interop_models as im
        import safetensors_torch as st
        import torchvision.models as tvm

        """;

    /// <summary>Runs a script under the shared PyTorch oracle with <see cref="Prelude"/>; <c>params</c> gets <c>pydir</c> added.</summary>
    public static OrderedDictionary<string, Tensor> Py(string script, IDictionary<string, object>? parameters = null,
        IEnumerable<KeyValuePair<string, Tensor>>? inputs = null, long seed = 0)
    {
        var p = new Dictionary<string, object>(parameters ?? new Dictionary<string, object>()) { ["pydir"] = PythonDir };
        return PythonOracle.Shared.Run(Prelude + script, inputs, p, TimeSpan.FromSeconds(180), seed);
    }

    /// <summary>Runs safetensors_torch.py as a command, failing the test with its stderr if it fails.</summary>
    public static string Cli(params string[] arguments)
    {
        var (code, stdout, stderr) = PythonOracle.RunProcess([ScriptPath, .. arguments], TimeSpan.FromSeconds(120));
        if (code != 0) throw new XunitException($"safetensors_torch.py {string.Join(' ', arguments)} failed ({code}):\n{stderr}");
        return stdout;
    }

    /// <summary>max |expected − actual| (in float64), after checking shape and dtype; integer tensors must be equal (returns 0).</summary>
    public static double MaxAbsDiff(Tensor expected, Tensor actual, string what)
    {
        if (!expected.shape.SequenceEqual(actual.shape))
            throw new XunitException($"{what}: shape [{string.Join(", ", actual.shape)}], PyTorch's [{string.Join(", ", expected.shape)}]");
        if (expected.dtype != actual.dtype)
            throw new XunitException($"{what}: dtype {actual.dtype.TorchName()}, PyTorch's {expected.dtype.TorchName()}");
        if (!expected.dtype.IsFloatingPoint())
        {
            var (e, a) = (OracleAssert.ToDoubles(expected), OracleAssert.ToDoubles(actual));
            if (!e.SequenceEqual(a)) throw new XunitException($"{what}: [{string.Join(", ", a)}], PyTorch's [{string.Join(", ", e)}]");
            return 0;
        }
        using var scope = torch.NewDisposeScope();
        var d = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().amax([]).item<double>();
        return double.IsNaN(d) ? double.PositiveInfinity : d;
    }

    /// <summary>Deviations of a module's state from PyTorch's, by kind.</summary>
    public sealed record StateDeviation(double Weights, string WorstWeight, double BnStats, string WorstBnStat, long Counter, int Keys)
    {
        public override string ToString() =>
            $"weights {Weights:0.00e+00} ({WorstWeight}), BN running stats {BnStats:0.00e+00} ({WorstBnStat}), num_batches_tracked = {Counter}, {Keys} keys";
    }

    /// <summary>
    /// Compares every entry of <paramref name="module"/>'s state_dict with PyTorch's (<paramref name="expected"/>
    /// entries named <paramref name="prefix"/> + key): same keys, shapes and dtypes, num_batches_tracked equal,
    /// parameters and running statistics within <paramref name="tolerance"/> (max abs).
    /// </summary>
    public static StateDeviation CompareState(IReadOnlyDictionary<string, Tensor> expected, string prefix, Module module, double tolerance,
        string when)
    {
        using var scope = torch.NewDisposeScope();
        var ours = module.state_dict();
        var theirs = expected.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        Assert.Equal(theirs.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        double weights = 0, stats = 0;
        string worstWeight = "", worstStat = "";
        long counter = -1;
        var failures = new List<string>();
        foreach (var (key, mine) in ours)
        {
            var d = MaxAbsDiff(theirs[key], mine, $"{when}: {key}");
            if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                counter = mine.item<long>();
                continue;
            }
            var isStat = key.EndsWith(".running_mean", StringComparison.Ordinal) || key.EndsWith(".running_var", StringComparison.Ordinal);
            if (isStat && d >= stats) (stats, worstStat) = (d, key);
            if (!isStat && d >= weights) (weights, worstWeight) = (d, key);
            if (!(d <= tolerance)) failures.Add($"{key}: max abs deviation {d:g3}");
        }
        if (failures.Count > 0)
            throw new XunitException($"{when}: {failures.Count} of {ours.Count} state entries differ from PyTorch's by more than {tolerance:g3}:\n  " +
                                     string.Join("\n  ", failures.Take(20)));
        return new StateDeviation(weights, worstWeight, stats, worstStat, counter, ours.Count);
    }

    /// <summary>
    /// The BNs of a network of ours moved off their defaults, as <c>im.randomize_</c> does on the PyTorch side:
    /// weight ~ U(0.5, 1.5), bias ~ N(0, 0.1), then one train-mode forward of a random batch (running statistics
    /// and num_batches_tracked move); Linear biases ~ N(0, 0.1). Leaves the network in eval mode.
    /// </summary>
    public static void Randomize(Module<Tensor, Tensor> net, Net spec)
    {
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            var modules = net.named_modules().ToDictionary(m => m.name, m => m.module);
            foreach (var (name, p) in net.named_parameters())
            {
                var isBn = modules[name[..name.LastIndexOf('.')]] is Torch.Modules.BatchNorm2d;
                if (isBn && name.EndsWith(".weight", StringComparison.Ordinal)) p.uniform_(0.5, 1.5);
                else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.normal_(0, 0.1);
            }
            net.train();
            net.forward(torch.randn(4, 3, spec.Size, spec.Size));
            net.eval();
        }
    }
}
