using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace ResNetGen.Faults.Tests;

/// <summary>What one run of the command did.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>stderr's non-empty lines.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the real `resnetgen` (samples/ResNetGen.Cli's build output) as a child process.</summary>
public static partial class Cli
{
    /// <summary>The repository root (the folder holding ResNetGen.sln), found from the test binary upwards.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ResNetGen.sln"))) return dir.FullName;
            throw new InvalidOperationException($"cannot find the repository root (ResNetGen.sln) above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The app host (or `dotnet resnetgen.dll`) of the same configuration as this test assembly.</summary>
    public static (string File, string[] Prefix) Command
    {
        get
        {
            // .../tests/ResNetGen.Faults.Tests/bin/<Configuration>/<tfm>/
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dir = Path.Combine(RepoRoot, "samples", "ResNetGen.Cli", "bin", baseDir.Parent!.Name, baseDir.Name);
            var host = Path.Combine(dir, "resnetgen");
            if (File.Exists(host)) return (host, []);
            var dll = Path.Combine(dir, "resnetgen.dll");
            if (!File.Exists(dll)) throw new InvalidOperationException($"the CLI is not built: {dll} is missing (dotnet build ResNetGen.sln)");
            return ("dotnet", [dll]);
        }
    }

    /// <summary>Starts the command (not waiting); its output is collected asynchronously.</summary>
    public static Running Start(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env = null, string? fileSizeLimitKiB = null)
    {
        var (file, prefix) = Command;
        ProcessStartInfo info;
        if (fileSizeLimitKiB is not null)
        {
            // A file-size limit stands in for a full disk (root ignores permissions, not this): past it, a write fails
            // with EFBIG. SIGXFSZ is ignored so the write fails instead of killing the process (the setting survives exec).
            info = new ProcessStartInfo("/bin/bash");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -f {fileSizeLimitKiB}; trap '' XFSZ; exec \"$@\"");
            info.ArgumentList.Add("resnetgen");
            info.ArgumentList.Add(file);
            // The runtime's W^X double mapping writes through a memory file, which the limit would also stop.
            info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }
        else
        {
            info = new ProcessStartInfo(file);
        }
        foreach (var a in prefix) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = workingDirectory;
        foreach (var name in new[] { "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_WORLD_SIZE", "RESNETGEN_LAUNCHER_PID", "RESNETGEN_DEBUG" })
            info.Environment.Remove(name);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        return new Running(Process.Start(info)!);
    }

    public static CliRun Run(IReadOnlyList<string> args, string workingDirectory, TimeSpan? limit = null,
        IReadOnlyDictionary<string, string>? env = null, string? fileSizeLimitKiB = null)
    {
        using var running = Start(args, workingDirectory, env, fileSizeLimitKiB);
        return running.Wait(limit ?? TimeSpan.FromMinutes(2), string.Join(' ', args));
    }

    /// <summary>A stack frame as .NET prints it ("   at Namespace.Type.Method(...)").</summary>
    [GeneratedRegex(@"^\s+at [\w.`<>\[\],|]+\(", RegexOptions.Multiline)]
    public static partial Regex StackFrame();

    /// <summary>A failure the user can act on: the exit code, one stderr line holding every <paramref name="expected"/> text, no crash.</summary>
    public static void AssertCleanFailure(CliRun run, int exitCode, params string[] expected)
    {
        Assert.True(run.ExitCode == exitCode, $"expected exit code {exitCode}; {run}");
        AssertNoCrash(run);
        Assert.True(run.ErrorLines.Length == 1, $"expected one line on stderr; {run}");
        foreach (var text in expected)
            Assert.True(run.ErrorLines[0].Contains(text, StringComparison.Ordinal), $"stderr lacks '{text}'; {run}");
    }

    /// <summary>No unhandled exception, stack trace or signal death (exit codes above 128 are a signal's).</summary>
    public static void AssertNoCrash(CliRun run, bool signalExitAllowed = false)
    {
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.OrdinalIgnoreCase);
            Assert.False(StackFrame().IsMatch(text), $"a stack trace was printed; {run}");
        }
        if (!signalExitAllowed) Assert.True(run.ExitCode is >= 0 and < 128, $"ended by a signal or abort; {run}");
    }
}

/// <summary>A started command: its pid, its output so far, and a bounded wait.</summary>
public sealed class Running : IDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder stdout = new(), stderr = new();
    private readonly Stopwatch watch = Stopwatch.StartNew();

    public Running(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Waits until stdout holds <paramref name="text"/>; fails the test when the process ends or the time runs out first.</summary>
    public void WaitForOutput(string text, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited) Assert.Fail($"exited (code {process.ExitCode}) before printing '{text}':\n{Stdout}\n{Stderr}");
            if (deadline.Elapsed > limit) Assert.Fail($"'{text}' not printed within {limit}:\n{Stdout}\n{Stderr}");
            Thread.Sleep(50);
        }
    }

    public CliRun Wait(TimeSpan limit, string what)
    {
        if (!process.WaitForExit(limit))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Assert.Fail($"resnetgen {what} ran past {limit}:\n{Stdout}\n{Stderr}");
        }
        process.WaitForExit(); // the redirected streams reach their end
        return new CliRun(process.ExitCode, Stdout, Stderr, watch.Elapsed);
    }

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.Dispose();
    }
}
