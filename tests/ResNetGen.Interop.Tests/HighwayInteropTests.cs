using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Interop.Tests;

/// <summary>
/// The generated <see cref="HighwayNet"/> against a highway network written here in PyTorch from the
/// paper's formula (y = relu(H(x))·T(x) + x·(1 − T(x)), T = sigmoid(gate(x))), with our module names:
/// its weights (BNs moved off their defaults) loaded strictly into ours give its eval logits within 1e-4.
/// </summary>
public sealed class HighwayInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-highway-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const string PyScript = """
        class HighwayLayer(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=True)
                self.gate = nn.Conv2d(c, c, 3, padding=1, bias=True)

            def forward(self, x):
                t = torch.sigmoid(self.gate(x))
                return F.relu(self.conv1(x)) * t + x * (1 - t)

        class Highway(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(32)
                self.layer1 = nn.Sequential(*[HighwayLayer(32) for _ in range(9)])
                self.fc = nn.Linear(32, 10)

            def forward(self, x):
                x = F.relu(self.bn1(self.conv1(x)))
                return self.fc(F.adaptive_avg_pool2d(self.layer1(x), 1).flatten(1))

        model = im.randomize_(Highway(), 28, in_channels=1)
        st.save_file(model.state_dict(), params["path"])
        x = torch.randn(4, 1, 28, 28)
        model.eval()
        with torch.no_grad():
            outputs["logits"] = model(x)
        outputs["x"] = x
        """;

    [Fact]
    public void A_pytorch_highway_network_with_the_papers_formula_gives_our_logits()
    {
        var path = Path.Combine(dir, "highway.safetensors");
        using var scope = torch.NewDisposeScope();
        var py = Interop.Py(PyScript, new Dictionary<string, object> { ["path"] = path }, seed: 2015);
        using var net = new HighwayNet();
        var loaded = net.load_state_dict(Safetensors.Load(path), strict: true);
        Assert.Empty(loaded.missing_keys);
        Assert.Empty(loaded.unexpected_keys);
        net.eval();
        double deviation;
        using (torch.no_grad())
        {
            deviation = Interop.MaxAbsDiff(py["logits"], net.forward(py["x"]), "highway eval logits");
        }
        output.WriteLine($"highway: eval logits max abs deviation from PyTorch's {deviation:0.00e+00}");
        Assert.True(deviation <= PyTorchToResNetGenTests.LogitTolerance, $"logits differ from PyTorch's by {deviation:g3}");
    }
}
