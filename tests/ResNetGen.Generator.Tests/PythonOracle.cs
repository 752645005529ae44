using System.Diagnostics;
using System.Text.Json;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// Runs a reference script of Oracle/ with Debian's /usr/bin/python3 (torch 1.13, torchvision): the
/// independent PyTorch definitions every count and output here is checked against.
/// </summary>
internal static class PythonOracle
{
    /// <summary>Runs <c>Oracle/<paramref name="script"/></c> and parses the one JSON object it prints; its stderr on failure.</summary>
    public static JsonDocument Json(string script, params string[] args)
    {
        var (exit, stdout, stderr) = Run(Path.Combine(AppContext.BaseDirectory, "Oracle", script), args);
        if (exit != 0) throw new InvalidOperationException($"{script} failed (exit {exit}): {stderr}");
        return JsonDocument.Parse(stdout);
    }

    /// <summary>Runs python3 on <paramref name="path"/> with <paramref name="args"/> (one intra-op thread: tests run side by side).</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string path, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
