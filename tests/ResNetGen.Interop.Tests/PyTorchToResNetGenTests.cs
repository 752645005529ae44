using ResNetGen.Torch;
using Xunit;
using Xunit.Abstractions;
using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Interop.Tests;

/// <summary>
/// PyTorch → ResNetGen: a network initialised in PyTorch (torchvision's own resnet18/50, resnext50_32x4d,
/// wide_resnet50_2; the CIFAR and pre-activation networks of interop_models.py), seeded, its BNs moved off
/// their defaults, exported to safetensors by scripts/python/safetensors_torch.py, loaded strictly into the
/// generated network. Then both sides run the same input: eval-mode logits within 1e-4 (max abs), and
/// train-mode SGD steps (momentum, weight decay, cross-entropy, same labels; two, or one for the resnet50
/// family) leave the same parameters, BN running statistics (1e-5) and num_batches_tracked after each step.
/// </summary>
public sealed class PyTorchToResNetGenTests(ITestOutputHelper output) : IDisposable
{
    public const double LogitTolerance = 1e-4;
    public const double StateTolerance = 1e-5;
    public const double Lr = 0.1, Momentum = 0.9, WeightDecay = 5e-3;

    private readonly string dir = Directory.CreateTempSubdirectory("rng-interop-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const string PyScript = """
        name, size, batch = params["name"], params["size"], params["batch"]
        model = im.randomize_(im.build(name), size)
        st.save_file(model.state_dict(), params["path"], metadata={"arch": name})
        x = torch.randn(batch, 3, size, size)
        y = torch.randint(0, params["classes"], (batch,))
        model.eval()
        with torch.no_grad():
            outputs["logits"] = model(x)
        outputs["x"], outputs["y"] = x, y
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=params["lr"], momentum=params["momentum"], weight_decay=params["wd"])
        for s in range(params["steps"]):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            outputs["loss{}".format(s)] = loss.detach()
            for k, v in model.state_dict().items():
                outputs["step{}/{}".format(s, k)] = v.clone()
        """;

    [Theory]
    [MemberData(nameof(Interop.Names), MemberType = typeof(Interop))]
    public void EvalLogitsAndSgdSteps_EqualPyTorchs(string name)
    {
        var spec = Interop.Find(name);
        var path = Path.Combine(dir, name + ".safetensors");
        using var scope = torch.NewDisposeScope();
        var py = Interop.Py(PyScript, new Dictionary<string, object>
        {
            ["name"] = name, ["size"] = spec.Size, ["batch"] = spec.Batch, ["classes"] = spec.NumClasses, ["path"] = path,
            ["lr"] = Lr, ["momentum"] = Momentum, ["wd"] = WeightDecay, ["steps"] = spec.Steps,
        }, seed: 20240 + name.Length);

        using var net = spec.Create();
        var checkpoint = Safetensors.Load(path, out var metadata);
        Assert.Equal(name, metadata["arch"]);
        var loaded = net.load_state_dict(checkpoint, strict: true);
        Assert.Empty(loaded.missing_keys);
        Assert.Empty(loaded.unexpected_keys);
        var (x, y) = (py["x"], py["y"]);

        net.eval();
        double logitDev;
        using (torch.no_grad())
        using (var _ = torch.NewDisposeScope())
        {
            logitDev = Interop.MaxAbsDiff(py["logits"], net.forward(x), $"{name} eval logits");
        }
        Assert.True(logitDev <= LogitTolerance, $"{name}: eval-mode logits differ from PyTorch's by {logitDev:g3} (max abs) > {LogitTolerance:g}");
        output.WriteLine($"{name}: eval logits max abs deviation {logitDev:0.00e+00} (|logits| ≤ {MaxAbs(py["logits"]):0.00})");

        net.train();
        using var optimizer = torch.optim.SGD(net.parameters(), lr: Lr, momentum: Momentum, weight_decay: WeightDecay);
        for (var s = 0; s < spec.Steps; s++)
        {
            float loss;
            using (var _ = torch.NewDisposeScope())
            {
                var l = functional.cross_entropy(net.forward(x), y);
                net.zero_grad();
                l.backward();
                optimizer.step();
                loss = l.item<float>();
            }
            var deviation = Interop.CompareState(py, $"step{s}/", net, StateTolerance, $"{name} after SGD step {s + 1}");
            Assert.Equal(7 + s + 1, deviation.Counter);
            var pyLoss = py[$"loss{s}"].item<float>();
            output.WriteLine($"{name}: step {s + 1} loss {loss:0.000000} (PyTorch {pyLoss:0.000000}); {deviation}");
        }
    }

    /// <summary>The comparison can fail: a step without weight decay, or one weight off by 1e-3, is caught.</summary>
    [Fact]
    public void Comparison_CatchesAnOptimizerWithoutWeightDecay_AndAPerturbedWeight()
    {
        const string name = "cifar_resnet20a";
        var spec = Interop.Find(name);
        var path = Path.Combine(dir, name + ".safetensors");
        using var scope = torch.NewDisposeScope();
        var py = Interop.Py(PyScript, new Dictionary<string, object>
        {
            ["name"] = name, ["size"] = spec.Size, ["batch"] = spec.Batch, ["classes"] = spec.NumClasses, ["path"] = path,
            ["lr"] = Lr, ["momentum"] = Momentum, ["wd"] = WeightDecay, ["steps"] = 1,
        }, seed: 7);
        using var net = spec.Create();
        net.load_state_dict(Safetensors.Load(path));
        var (x, y) = (py["x"], py["y"]);

        net.eval();
        using (torch.no_grad())
        {
            var fcBias = net.named_parameters().Single(p => p.name == "fc.bias").parameter;
            fcBias.add_(1e-3);
            var d = Interop.MaxAbsDiff(py["logits"], net.forward(x), "perturbed logits");
            Assert.InRange(d, 0.9e-3, 1.1e-3);
            fcBias.sub_(1e-3);
        }

        net.train();
        using var optimizer = torch.optim.SGD(net.parameters(), lr: Lr, momentum: Momentum); // no weight decay
        var loss = functional.cross_entropy(net.forward(x), y);
        net.zero_grad();
        loss.backward();
        optimizer.step();
        var e = Assert.Throws<Xunit.Sdk.XunitException>(() => Interop.CompareState(py, "step0/", net, StateTolerance, "no weight decay"));
        Assert.Contains("conv1.weight", e.Message);
    }

    private static double MaxAbs(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.abs().amax([]).item<float>();
    }
}
