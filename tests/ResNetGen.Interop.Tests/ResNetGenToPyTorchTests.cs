using ResNetGen.Torch;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Interop.Tests;

/// <summary>
/// ResNetGen → PyTorch: a generated network initialised by our runtime (its BNs moved off their defaults,
/// running statistics from one train-mode batch), saved with <c>Safetensors.Save(state_dict())</c>, loads into
/// torchvision's model (or the PyTorch twin) with <c>load_state_dict(strict=True)</c>, with the same key order,
/// and gives our eval-mode logits within 1e-4.
/// </summary>
public sealed class ResNetGenToPyTorchTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-interop-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Loads <c>params["path"]</c> (safetensors, or a torch.save'd .pt) strictly into a fresh PyTorch network and runs x.</summary>
    private const string PyScript = """
        path = params["path"]
        sd = st.load_file(path) if path.endswith(".safetensors") else torch.load(path)
        model = im.build(params["name"])
        model.load_state_dict(sd, strict=True)
        outputs["same_key_order"] = list(sd) == list(model.state_dict())
        outputs["counters"] = torch.stack([m.num_batches_tracked for m in model.modules() if isinstance(m, nn.BatchNorm2d)])
        model.eval()
        with torch.no_grad():
            outputs["logits"] = model(x)
        """;

    [Theory]
    [MemberData(nameof(Interop.Names), MemberType = typeof(Interop))]
    public void OurWeights_LoadStrictlyIntoPyTorch_AndGiveOurLogits(string name) => RoundTrip(name, viaCli: false);

    /// <summary>The other way of getting our file into PyTorch: safetensors_torch.py import → a .pt state dict → torch.load.</summary>
    [Fact]
    public void OurWeights_ThroughTheCliImport_LoadIntoTorchvision() => RoundTrip("resnet18", viaCli: true);

    private void RoundTrip(string name, bool viaCli)
    {
        var spec = Interop.Find(name);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4321);
        using var net = spec.Create();
        Interop.Randomize(net, spec);
        var x = torch.randn(spec.Batch, 3, spec.Size, spec.Size);
        Tensor logits;
        using (torch.no_grad()) logits = net.forward(x);

        var path = Path.Combine(dir, name + ".safetensors");
        Safetensors.Save(path, net.state_dict(), new Dictionary<string, string> { ["arch"] = name, ["origin"] = "ResNetGen" });
        if (viaCli)
        {
            var pt = Path.Combine(dir, name + ".pt");
            Assert.Contains($"wrote {net.state_dict().Count} tensors", Interop.Cli("import", path, pt));
            path = pt;
        }

        var py = Interop.Py(PyScript, new Dictionary<string, object> { ["name"] = name, ["path"] = path }, [new("x", x)]);
        Assert.True(py["same_key_order"].item<bool>(), "our state_dict's key order differs from PyTorch's");
        Assert.All(OracleCounters(py["counters"]), c => Assert.Equal(1L, c));
        var d = Interop.MaxAbsDiff(logits, py["logits"], $"{name} logits in PyTorch");
        Assert.True(d <= PyTorchToResNetGenTests.LogitTolerance, $"{name}: PyTorch's logits with our weights differ from ours by {d:g3}");
        output.WriteLine($"{name}{(viaCli ? " (via CLI import)" : "")}: our weights in PyTorch, eval logits max abs deviation {d:0.00e+00}");
    }

    private static long[] OracleCounters(Tensor t) => t.ToArray<long>();
}
