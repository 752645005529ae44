using System.Text;

namespace ResNetGen.TorchSharp.Tests;

/// <summary>
/// TorchSharp's native library loads from this test's output folder, patched by
/// runtime/ResNetGen.TorchSharp/build/glibcxx-compat.sh exactly where the system libstdc++ needs it.
/// </summary>
public sealed class NativeLibraryTests : IClassFixture<NativeLibraryTests.Report>
{
    /// <summary>Says in the test output whether the workaround is in use (xunit diagnostic messages are on: xunit.runner.json).</summary>
    public sealed class Report
    {
        public Report(Xunit.Abstractions.IMessageSink sink)
        {
            var marker = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Helper);
            sink.OnMessage(new Xunit.Sdk.DiagnosticMessage(File.Exists(marker)
                ? $"TorchSharp's libLibTorchSharp.so runs with the GLIBCXX_3.4.32 workaround (the system libstdc++ is older; see runtime/ResNetGen.TorchSharp/README.md)"
                : "TorchSharp's libLibTorchSharp.so runs unpatched"));
        }
    }

    private const string Version = "GLIBCXX_3.4.32";
    private const string Helper = "libresnetgen_ios_base_init.so";

    [Fact]
    public void TorchSharp_computes()
    {
        using var sum = ones(2).sum();
        Assert.Equal(2f, sum.item<float>());
    }

    [Fact]
    public void The_libstdcxx_workaround_is_applied_exactly_where_needed()
    {
        if (!OperatingSystem.IsLinux()) return;
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var library = File.ReadAllBytes(Path.Combine(native, "libLibTorchSharp.so"));
        var systemLibrary = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .First(File.Exists);
        var needed = Contains(library, Version) && !Contains(File.ReadAllBytes(systemLibrary), Version);
        Assert.Equal(needed, File.Exists(Path.Combine(native, Helper)));
        Assert.Equal(needed, Contains(library, Helper));
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;
}
