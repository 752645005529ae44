using System.Collections.Concurrent;
using System.Diagnostics;
using TorchSharp.PyBridge;

namespace ResNetGen.TorchSharp.Tests.Oracle;

/// <summary>
/// Files written by PyTorch (Debian's /usr/bin/python3 with python3-torch 1.13 and
/// python3-torchvision) for one torchvision architecture: its state dict saved with
/// <c>torch.save</c> and with the project's scripts/python/safetensors_torch.py, a fixed input and
/// PyTorch's eval logits for it. Made once per architecture and test run (Python/export_torchvision.py).
/// </summary>
public sealed record PyTorchExport(string Arch, string PthPath, string SafetensorsPath, string IoPath)
{
    private static readonly ConcurrentDictionary<string, Lazy<PyTorchExport>> cache = new();
    // The exports take a few hundred MB. They live beside the test binary, and each run starts by
    // removing the previous run's (the test host is often killed, so an exit hook alone would leak them).
    private static readonly string root = Path.Combine(AppContext.BaseDirectory, "pytorch-exports");

    static PyTorchExport()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        };
    }

    /// <summary>The interpreter: $RESNETGEN_PYTHON, else Debian's /usr/bin/python3 (the one with torch).</summary>
    public static string PythonPath =>
        Environment.GetEnvironmentVariable("RESNETGEN_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>The export of <paramref name="arch"/> (a torchvision.models function name), made on first use.</summary>
    public static PyTorchExport For(string arch) =>
        cache.GetOrAdd(arch, a => new Lazy<PyTorchExport>(() => Export(a))).Value;

    /// <summary>The fixed input [2, 3, 96, 96] and PyTorch's logits for it (the caller disposes both).</summary>
    public (Tensor Input, Tensor Logits) InputAndLogits()
    {
        var io = Safetensors.LoadStateDict(IoPath);
        return (io["input"], io["logits"]);
    }

    /// <summary>Key → shape of the saved state dict, read from the safetensors header's tensors.</summary>
    public SortedDictionary<string, long[]> Signature()
    {
        var state = Safetensors.LoadStateDict(SafetensorsPath);
        try
        {
            return new(state.ToDictionary(kv => kv.Key, kv => kv.Value.shape), StringComparer.Ordinal);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>PyTorch 1.13 and TorchSharp's libtorch 2.10 run different kernels: float32 rounding only.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// Checks that the saved keys and shapes are exactly <paramref name="model"/>'s (PyBridge would copy
    /// a smaller tensor into a larger one silently), loads the file of <paramref name="format"/>
    /// ("pth": <c>load_py</c>, "safetensors": <c>load_safetensors</c>) strictly, and asserts the eval
    /// logits for the fixed input are PyTorch's within <see cref="Tolerance"/>. Returns the max |Δ|.
    /// </summary>
    public double AssertLoadsAndMatches(nn.Module<Tensor, Tensor> model, string format)
    {
        StateDicts.AssertSameSignature(Signature(), StateDicts.Signature(model), $"{Arch}.{format}");
        switch (format)
        {
            case "pth": model.load_py(PthPath, strict: true); break;
            case "safetensors": model.load_safetensors(SafetensorsPath, strict: true); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, "expected pth or safetensors");
        }
        model.eval();
        var (input, expected) = InputAndLogits();
        using (input)
        using (expected)
        using (no_grad())
        using (var actual = model.call(input))
        {
            Assert.Equal(expected.shape, actual.shape);
            var maxDiff = (actual - expected).abs().max().item<float>();
            Assert.True(maxDiff <= Tolerance, $"{Arch} from .{format}: max |Δ| = {maxDiff:G6} > {Tolerance} (max |logit| {expected.abs().max().item<float>():G6})");
            return maxDiff;
        }
    }

    private static PyTorchExport Export(string arch)
    {
        var dir = Path.Combine(root, arch);
        Directory.CreateDirectory(dir);
        var script = Path.Combine(AppContext.BaseDirectory, "Python", "export_torchvision.py");
        var start = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, arch, dir, Path.Combine(RepoRoot, "scripts", "python") }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {PythonPath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"export_torchvision.py {arch} did not finish within 5 minutes");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"export_torchvision.py {arch} failed ({process.ExitCode}); PyTorch comes from python3-torch, python3-torchvision:\n{stderr.Result}");
        }
        return new PyTorchExport(arch, Path.Combine(dir, $"{arch}.pth"), Path.Combine(dir, $"{arch}.safetensors"), Path.Combine(dir, $"{arch}.io.safetensors"));
    }

    /// <summary>The repository root (the folder holding ResNetGen.sln), found from the test binary upwards.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ResNetGen.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException($"cannot find the repository root (ResNetGen.sln) above {AppContext.BaseDirectory}");
        }
    }
}
