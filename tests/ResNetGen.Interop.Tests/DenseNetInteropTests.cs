using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Interop.Tests;

/// <summary>
/// torchvision's own densenet121 (random init, its BNs moved off their defaults by <c>im.randomize_</c>),
/// exported to safetensors, loaded strictly into the generated <see cref="DenseNet121"/>: eval-mode logits
/// at 224×224 within 1e-4 (max abs) of torchvision's (same libtorch underneath).
/// </summary>
public sealed class DenseNetInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-dense-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const string PyScript = """
        model = im.randomize_(tvm.densenet121(weights=None), 224)
        st.save_file(model.state_dict(), params["path"], metadata={"arch": "densenet121"})
        x = torch.randn(2, 3, 224, 224)
        model.eval()
        with torch.no_grad():
            outputs["logits"] = model(x)
        outputs["x"] = x
        """;

    [Fact]
    public void Torchvision_densenet121_weights_give_torchvisions_logits()
    {
        var path = Path.Combine(dir, "densenet121.safetensors");
        using var scope = torch.NewDisposeScope();
        var py = Interop.Py(PyScript, new Dictionary<string, object> { ["path"] = path }, seed: 121);

        using var net = new DenseNet121();
        var loaded = net.load_state_dict(Safetensors.Load(path, out var metadata), strict: true);
        Assert.Equal("densenet121", metadata["arch"]);
        Assert.Empty(loaded.missing_keys);
        Assert.Empty(loaded.unexpected_keys);
        net.eval();
        double deviation;
        using (torch.no_grad())
        {
            deviation = Interop.MaxAbsDiff(py["logits"], net.forward(py["x"]), "densenet121 eval logits");
        }
        output.WriteLine($"densenet121: eval logits max abs deviation from torchvision's {deviation:0.00e+00}");
        Assert.True(deviation <= PyTorchToResNetGenTests.LogitTolerance, $"logits differ from torchvision's by {deviation:g3} > {PyTorchToResNetGenTests.LogitTolerance:g}");
    }
}
