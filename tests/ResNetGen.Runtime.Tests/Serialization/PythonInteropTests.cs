using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Serialization;

/// <summary>
/// Files move both ways between the C# runtime and PyTorch (scripts/python/safetensors_torch.py,
/// torch only): each side checks the other's bytes against its own independently built values.
/// </summary>
public sealed class PythonInteropTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"rng-py-{Guid.NewGuid():N}");

    public PythonInteropTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Prelude => "import safetensors_torch as st\n" + SafetensorsTests.PythonEveryDtype + "\n";

    [Fact]
    public void CSharpWrites_PythonReads_EveryDtypeBitExact()
    {
        var path = Path.Combine(dir, "from-csharp.safetensors");
        var tensors = SafetensorsTests.EveryDtype();
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["origin"] = "csharp" });

        var result = PythonOracle.Shared.Run(Prelude + """
            loaded, meta = st.load_file(params["path"], with_metadata=True)
            outputs["names_match"] = list(loaded) == list(E)
            outputs["metadata_ok"] = meta == {"origin": "csharp"}
            for k in E:
                outputs["same." + k] = same(loaded[k], E[k])
            """, parameters: new { path });

        Assert.True(result["names_match"].item<bool>(), "Python sees other names or another order");
        Assert.True(result["metadata_ok"].item<bool>(), "Python sees other metadata");
        foreach (var name in tensors.Keys)
            Assert.True(result["same." + name].item<bool>(), $"Python reads tensor '{name}' differently from what C# wrote");
    }

    [Fact]
    public void PythonWrites_CSharpReads_EveryDtypeBitExact()
    {
        var path = Path.Combine(dir, "from-python.safetensors");
        PythonOracle.Shared.Run(Prelude + """
            st.save_file(E, params["path"], metadata={"origin": "python"})
            """, parameters: new { path });

        var loaded = Safetensors.Load(path, out var metadata);
        var expected = SafetensorsTests.EveryDtype();
        Assert.Equal(expected.Keys, loaded.Keys);
        foreach (var (name, t) in expected) OracleAssert.Equal(t, loaded[name], name);
        Assert.Equal("python", metadata["origin"]);
    }

    [Fact]
    public void Cli_ExportsAPyTorchCheckpoint_ThatCSharpLoads()
    {
        var pth = Path.Combine(dir, "checkpoint.pth");
        var output = Path.Combine(dir, "exported.safetensors");
        // A checkpoint dict with the state dict under "model" (found automatically) and a BN's int64 counter.
        var expected = PythonOracle.Shared.Run("""
            net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Linear(4, 3))
            net(torch.randn(2, 1, 6, 6))  # updates BN running stats and num_batches_tracked
            torch.save({"model": net.state_dict(), "epoch": 3}, params["pth"])
            for k, v in net.state_dict().items():
                outputs[k] = v
            """, parameters: new { pth });

        var (code, stdout, stderr) = PythonOracle.RunProcess(
            [Path.Combine(PythonOracle.ScriptsDirectory, "safetensors_torch.py"), "export", pth, output, "--metadata", "arch=test"]);
        Assert.True(code == 0, $"export failed ({code}): {stderr}");
        Assert.Equal(9, expected.Count); // conv (2) + batch norm (5) + linear (2)
        Assert.Contains("wrote 9 tensors", stdout);

        var loaded = Safetensors.Load(output, out var metadata);
        Assert.Equal(expected.Keys, loaded.Keys);
        Assert.Equal(ScalarType.Int64, loaded["1.num_batches_tracked"].dtype);
        Assert.Equal(1L, loaded["1.num_batches_tracked"].item<long>());
        foreach (var (name, t) in expected) OracleAssert.Equal(t, loaded[name], name);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("test", metadata["arch"]);
    }

    [Fact]
    public void Cli_ImportsACSharpFile_IntoAPyTorchStateDict()
    {
        var file = Path.Combine(dir, "weights.safetensors");
        var pt = Path.Combine(dir, "weights.pt");
        var tensors = SafetensorsTests.EveryDtype();
        Safetensors.Save(file, tensors);

        var (code, _, stderr) = PythonOracle.RunProcess(
            [Path.Combine(PythonOracle.ScriptsDirectory, "safetensors_torch.py"), "import", file, pt]);
        Assert.True(code == 0, $"import failed ({code}): {stderr}");

        var result = PythonOracle.Shared.Run(Prelude + """
            sd = torch.load(params["pt"])
            outputs["names_match"] = list(sd) == list(E)
            for k in E:
                outputs["same." + k] = same(sd[k], E[k])
            """, parameters: new { pt });
        Assert.True(result["names_match"].item<bool>());
        foreach (var name in tensors.Keys) Assert.True(result["same." + name].item<bool>(), name);
    }

    [Fact]
    public void Cli_ReportsACorruptFile_WithItsName()
    {
        var file = Path.Combine(dir, "broken.safetensors");
        File.WriteAllBytes(file, [9, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        var (code, _, stderr) = PythonOracle.RunProcess(
            [Path.Combine(PythonOracle.ScriptsDirectory, "safetensors_torch.py"), "show", file]);
        Assert.Equal(2, code);
        Assert.Contains(file, stderr);
    }
}
