namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// The backward tests of generated networks rely on onednn.runsettings: under libtorch 2.10 (TorchSharp 0.107)
/// oneDNN's padded-layout convolution backward reads memory it never wrote when a convolution's output channels
/// are not a multiple of the SIMD width, which made the input gradient NaN now and then. This fails if the
/// setting stops reaching the test process (e.g. the csproj's RunSettingsFilePath is dropped).
/// </summary>
public sealed class OneDnnEnvironmentTests
{
    [Fact]
    public void Test_process_runs_onednn_without_padded_blocked_layouts()
    {
        Assert.Equal("SSE41", Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA"));
    }
}
