using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Oracle;

public sealed class PythonOracleTests
{
    [Fact]
    public void Run_PassesInputsAndParams_AndFlattensOutputs()
    {
        using var x = torch.tensor(new float[] { -1, 2, -3 }, [3]);
        var r = PythonOracle.Shared.Run("""
            outputs["relu"] = F.relu(x)
            outputs["scaled"] = inputs["x"] * params["k"]
            outputs["pair"] = (x.sum(), 7)
            outputs["flag"] = True
            outputs["ratio"] = 0.25
            """, [new("x", x)], new { k = 3 });
        Assert.Equal(["relu", "scaled", "pair.0", "pair.1", "flag", "ratio"], r.Keys);
        Assert.Equal(new float[] { 0, 2, 0 }, r["relu"].ToArray<float>());
        Assert.Equal(new float[] { -3, 6, -9 }, r["scaled"].ToArray<float>());
        Assert.Equal(-2f, r["pair.0"].item<float>());
        Assert.Equal(ScalarType.Int64, r["pair.1"].dtype);
        Assert.True(r["flag"].item<bool>());
        Assert.Equal(ScalarType.Float64, r["ratio"].dtype);
    }

    [Fact]
    public void Run_IsSeededPerCall()
    {
        var a = PythonOracle.Shared.Run("outputs['r'] = torch.randn(4)", seed: 5)["r"].ToArray<float>();
        var b = PythonOracle.Shared.Run("outputs['r'] = torch.randn(4)", seed: 5)["r"].ToArray<float>();
        var c = PythonOracle.Shared.Run("outputs['r'] = torch.randn(4)", seed: 6)["r"].ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void FailingScript_ThrowsWithTracebackAndStderr_AndTheOracleKeepsWorking()
    {
        var e = Assert.Throws<PythonOracleException>(() => PythonOracle.Shared.Run("""
            print("diagnostic from the script")
            torch.zeros(2, 3) @ torch.zeros(4, 5)
            """));
        Assert.Contains("RuntimeError", e.Message);
        Assert.Contains("<oracle script>", e.Message); // the traceback points into the script
        Assert.Contains("diagnostic from the script", e.Message);
        Assert.Equal(1.0, PythonOracle.Shared.Run("outputs['one'] = 1.0")["one"].item());
    }

    [Fact]
    public void Timeout_KillsTheScript_AndAFreshProcessServesTheNextCall()
    {
        using var oracle = new PythonOracle(); // its own process, so the shared one is not disturbed
        Assert.Equal(2.0, oracle.Run("outputs['v'] = 2.0")["v"].item());
        var e = Assert.Throws<PythonOracleException>(() =>
            oracle.Run("import time\ntime.sleep(60)", timeout: TimeSpan.FromMilliseconds(500)));
        Assert.Contains("did not finish", e.Message);
        Assert.Equal(3.0, oracle.Run("outputs['v'] = 3.0")["v"].item());
    }
}
