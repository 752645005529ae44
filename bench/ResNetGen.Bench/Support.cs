using System.Diagnostics;
using System.Globalization;

namespace ResNetGen.Bench;

internal static class Options
{
    public static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string? String(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values");
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>
/// A long-lived PyTorch process (Debian's /usr/bin/python3) that runs a setup script, then
/// evaluates one expression per request and answers with its value: the peer side of a
/// side-by-side benchmark, alternating with ours in one run.
/// </summary>
internal sealed class PythonWorker : IDisposable
{
    private readonly Process process;

    public PythonWorker(string setup)
    {
        var python = Environment.GetEnvironmentVariable("RESNETGEN_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        var script = Path.Combine(Path.GetTempPath(), $"resnetgen-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.py");
        File.WriteAllText(script, setup + """

            import sys
            for line in sys.stdin:
                try:
                    print(repr(eval(line)), flush=True)
                except Exception as e:
                    print("ERROR " + repr(e).replace("\n", " "), flush=True)
            """);
        process = Process.Start(new ProcessStartInfo(python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"cannot start {python}");
    }

    public string Eval(string expression)
    {
        process.StandardInput.WriteLine(expression);
        process.StandardInput.Flush();
        var line = process.StandardOutput.ReadLine()
                   ?? throw new InvalidOperationException("the PyTorch worker exited (is python3-torch installed?)");
        if (line.StartsWith("ERROR ", StringComparison.Ordinal)) throw new InvalidOperationException("PyTorch worker: " + line[6..]);
        return line;
    }

    public void Dispose()
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000)) process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}
