using System.Text.RegularExpressions;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Interop.Tests;

/// <summary>
/// Checkpoints whose keys are not ours: a DataParallel checkpoint (<c>module.</c> prefix), and a pre-activation
/// ResNet-18 under timm ResNetV2-like names (<c>stem.conv</c>, <c>stages.i.blocks.j.norm1</c>,
/// <c>downsample.conv</c>, <c>head.fc</c>, a genuinely different PyTorch module tree). With
/// <c>load_state_dict(..., keyMap)</c> they load strictly and give PyTorch's logits; our weights renamed the
/// other way load into the timm-style PyTorch network.
/// </summary>
public sealed partial class KeyMapTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-interop-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>timm ResNetV2-like names → ResNetGen's (stages count from 0, our layers from 1).</summary>
    public static string? FromTimm(string key)
    {
        key = StemConv().Replace(key, "conv1.");
        key = StageBlock().Replace(key, m => $"layer{int.Parse(m.Groups[1].Value) + 1}.{m.Groups[2].Value}.");
        key = BlockNorm().Replace(key, ".bn$1.");
        key = key.Replace(".downsample.conv.", ".downsample.0.").Replace(".downsample.norm.", ".downsample.1.");
        return HeadFc().Replace(key, "fc.");
    }

    /// <summary>ResNetGen's names → timm ResNetV2-like ones (for saving).</summary>
    public static string ToTimm(string key)
    {
        if (key.StartsWith("conv1.", StringComparison.Ordinal)) return "stem.conv." + key["conv1.".Length..];
        if (key.StartsWith("fc.", StringComparison.Ordinal)) return "head.fc." + key["fc.".Length..];
        key = Layer().Replace(key, m => $"stages.{int.Parse(m.Groups[1].Value) - 1}.blocks.{m.Groups[2].Value}.");
        key = BlockBn().Replace(key, ".norm$1.");
        return key.Replace(".downsample.0.", ".downsample.conv.").Replace(".downsample.1.", ".downsample.norm.");
    }

    [GeneratedRegex(@"^stem\.conv\.")] private static partial Regex StemConv();
    [GeneratedRegex(@"^stages\.(\d+)\.blocks\.(\d+)\.")] private static partial Regex StageBlock();
    [GeneratedRegex(@"\.norm(\d)\.")] private static partial Regex BlockNorm();
    [GeneratedRegex(@"^head\.fc\.")] private static partial Regex HeadFc();
    [GeneratedRegex(@"^layer(\d+)\.(\d+)\.")] private static partial Regex Layer();
    [GeneratedRegex(@"\.bn(\d)\.")] private static partial Regex BlockBn();

    private const string PyExport = """
        model = im.randomize_(im.build(params["name"]), params["size"])
        if params.get("data_parallel"):
            model = nn.DataParallel(model)  # CPU-only torch: keeps the module, prefixes every key with "module."
        if params.get("pth"):
            torch.save({"state_dict": model.state_dict(), "epoch": 5}, params["pth"])  # a training checkpoint
        st.save_file(model.state_dict(), params["path"])
        outputs["keys"] = len(model.state_dict())
        x = torch.randn(2, 3, params["size"], params["size"])
        model.eval()
        with torch.no_grad():
            outputs["logits"] = model(x)
        outputs["x"] = x
        """;

    [Fact]
    public void DataParallelCheckpoint_LoadsWithAPrefixStrippingKeyMap()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "dp.safetensors");
        var pth = Path.Combine(dir, "dp.pth");
        var py = Interop.Py(PyExport, new Dictionary<string, object>
        {
            ["name"] = "resnet18", ["size"] = 64, ["path"] = path, ["pth"] = pth, ["data_parallel"] = true,
        }, seed: 5);
        var checkpoint = Safetensors.Load(path);
        Assert.All(checkpoint.Keys, k => Assert.StartsWith("module.", k));
        using var net = new ResNet18();

        // As it is, every key is both missing and unexpected, and the message names them all.
        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(checkpoint));
        var (missing, unexpected, mismatched) = StrictLoadTests.Parse(e.Message);
        // (BN counters are optional in a checkpoint, as in PyTorch: not missing.)
        Assert.Equal(net.state_dict().Keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Order(), missing.Order());
        Assert.Equal(net.state_dict().Keys.Select(k => "module." + k).Order(), unexpected.Order());
        Assert.Empty(mismatched);

        net.load_state_dict(checkpoint, strict: true, keyMap: k => k.StartsWith("module.", StringComparison.Ordinal) ? k["module.".Length..] : k);
        AssertLogits(net, py, "DataParallel resnet18 with the key map");

        // The same checkpoint, exported from its .pth by the script with --strip-prefix, loads with no key map.
        var stripped = Path.Combine(dir, "stripped.safetensors");
        Interop.Cli("export", pth, stripped, "--strip-prefix", "module.");
        using var net2 = new ResNet18();
        net2.load_state_dict(Safetensors.Load(stripped), strict: true);
        AssertLogits(net2, py, "DataParallel resnet18 exported with --strip-prefix");
    }

    [Fact]
    public void TimmStyleCheckpoint_LoadsWithARenamingKeyMap()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "timm.safetensors");
        var py = Interop.Py(PyExport, new Dictionary<string, object> { ["name"] = "timm_preact_resnet18", ["size"] = 32, ["path"] = path }, seed: 6);
        var checkpoint = Safetensors.Load(path);
        Assert.Contains("stages.1.blocks.0.downsample.conv.weight", checkpoint.Keys);
        Assert.Contains("head.fc.weight", checkpoint.Keys);
        using var net = new PreActResNet18();

        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(checkpoint));
        Assert.Contains("head.fc.weight", e.Message);
        Assert.Contains("layer2.0.downsample.0.weight", e.Message);

        net.load_state_dict(checkpoint, strict: true, keyMap: FromTimm);
        AssertLogits(net, py, "timm-style pre-activation resnet18 with the key map");
    }

    /// <summary>The same rename done by the script on export (regex rules, one per stage), so the file loads with no key map.</summary>
    [Fact]
    public void TimmStyleCheckpoint_ExportedWithRenameRules_LoadsWithNoKeyMap()
    {
        using var scope = torch.NewDisposeScope();
        var pth = Path.Combine(dir, "timm.pth");
        var py = Interop.Py(PyExport, new Dictionary<string, object>
        {
            ["name"] = "timm_preact_resnet18", ["size"] = 32, ["path"] = Path.Combine(dir, "unused.safetensors"), ["pth"] = pth,
        }, seed: 8);
        var path = Path.Combine(dir, "renamed.safetensors");
        Interop.Cli("export", pth, path,
            "--rename", @"^stem\.conv\.=conv1.",
            "--rename", @"^stages\.0\.blocks\.=layer1.", "--rename", @"^stages\.1\.blocks\.=layer2.",
            "--rename", @"^stages\.2\.blocks\.=layer3.", "--rename", @"^stages\.3\.blocks\.=layer4.",
            "--rename", @"\.norm(\d)\.=.bn\1.",
            "--rename", @"\.downsample\.conv\.=.downsample.0.", "--rename", @"\.downsample\.norm\.=.downsample.1.",
            "--rename", @"^head\.fc\.=fc.");
        using var net = new PreActResNet18();
        net.load_state_dict(Safetensors.Load(path), strict: true);
        AssertLogits(net, py, "timm-style pre-activation resnet18 exported with --rename");
    }

    [Fact]
    public void ScriptRenameKeys_StripsRenamesDrops_AndRefusesCollisions()
    {
        using var scope = torch.NewDisposeScope();
        var py = Interop.Py("""
            import collections
            z = torch.zeros(1)
            sd = collections.OrderedDict([("module.fc.weight", z), ("module.fc.bias", z), ("module.aux.weight", z), ("conv1.weight", z)])
            renamed = st.rename_keys(sd, strip_prefixes=["module."], renames=[(r"^fc\.", "head.fc.")], drops=[r"^aux\."])
            outputs["keys_ok"] = list(renamed) == ["head.fc.weight", "head.fc.bias", "conv1.weight"]
            try:
                st.rename_keys({"a.x": z, "b.x": z}, renames=[(r"^\w\.", "")])
                outputs["collision_refused"] = False
            except ValueError as e:
                outputs["collision_refused"] = "two keys to 'x'" in str(e)
            """);
        Assert.True(py["keys_ok"].item<bool>());
        Assert.True(py["collision_refused"].item<bool>());
    }

    [Fact]
    public void OurWeights_RenamedToTimmStyle_LoadStrictlyIntoTheTimmStyleNetwork()
    {
        using var scope = torch.NewDisposeScope();
        var spec = Interop.Find("preact_resnet18");
        torch.manual_seed(77);
        using var net = new PreActResNet18();
        Interop.Randomize(net, spec);
        var x = torch.randn(2, 3, 32, 32);
        Tensor logits;
        using (torch.no_grad()) logits = net.forward(x);
        var path = Path.Combine(dir, "ours-as-timm.safetensors");
        Safetensors.Save(path, net.state_dict().Select(kv => KeyValuePair.Create(ToTimm(kv.Key), kv.Value)));

        var py = Interop.Py("""
            model = im.build("timm_preact_resnet18")
            model.load_state_dict(st.load_file(params["path"]), strict=True)
            model.eval()
            with torch.no_grad():
                outputs["logits"] = model(x)
            """, new Dictionary<string, object> { ["path"] = path }, [new("x", x)]);
        var d = Interop.MaxAbsDiff(logits, py["logits"], "timm-style network with our weights");
        Assert.True(d <= PyTorchToResNetGenTests.LogitTolerance, $"logits differ by {d:g3}");
        output.WriteLine($"our preact_resnet18 weights renamed to timm style, in PyTorch: eval logits max abs deviation {d:0.00e+00}");
    }

    [Fact]
    public void KeyMaps_AreEachOthersInverse_OnEveryKey()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new PreActResNet18();
        foreach (var key in net.state_dict().Keys)
        {
            Assert.Equal(key, FromTimm(ToTimm(key)));
            Assert.DoesNotMatch(@"^(conv1|fc|layer\d)\.|\.bn\d\.|downsample\.\d", ToTimm(key));
        }
    }

    private void AssertLogits(Module<Tensor, Tensor> net, OrderedDictionary<string, Tensor> py, string what)
    {
        net.eval();
        double d;
        using (torch.no_grad()) d = Interop.MaxAbsDiff(py["logits"], net.forward(py["x"]), what);
        Assert.True(d <= PyTorchToResNetGenTests.LogitTolerance, $"{what}: logits differ from PyTorch's by {d:g3}");
        output.WriteLine($"{what}: eval logits max abs deviation {d:0.00e+00}");
    }
}
