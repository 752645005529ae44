using System.Diagnostics;
using ResNetGen.Distributed;
using ResNetGen.Runtime.Tests.Oracle;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>
/// The distributed tests start worker processes and bind ports; they run one at a time (this
/// collection), never beside each other, so a 2-core machine keeps up with their timeouts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DistributedCollection
{
    public const string Name = "Distributed (worker processes)";
}

/// <summary>Runs tests/ResNetGen.DistWorker as N ranks through <see cref="LocalLauncher"/>, which kills every worker on exit.</summary>
internal static class Workers
{
    /// <summary>The worker program built beside this test assembly's configuration (the solution build builds it).</summary>
    public static (string FileName, string[] Prefix) Command
    {
        get
        {
            // .../tests/ResNetGen.Runtime.Tests/bin/<Configuration>/<tfm>/
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = baseDir.Name;
            var configuration = baseDir.Parent!.Name;
            var dir = Path.Combine(PythonOracle.RepoRoot, "tests", "ResNetGen.DistWorker", "bin", configuration, tfm);
            var dll = Path.Combine(dir, "ResNetGen.DistWorker.dll");
            if (!File.Exists(dll))
                throw new InvalidOperationException(
                    $"the worker program is not built: {dll} is missing. Build the solution (dotnet build ResNetGen.sln -c {configuration}) first.");
            var host = Path.Combine(dir, "ResNetGen.DistWorker");
            return File.Exists(host) ? (host, []) : ("dotnet", [dll]);
        }
    }

    public sealed record Run(LaunchResult Result, string Output, TimeSpan Elapsed);

    /// <summary>Starts <paramref name="nproc"/> ranks of the worker with <paramref name="args"/>; bounded by <paramref name="jobTimeout"/>.</summary>
    public static Run Launch(int nproc, IReadOnlyList<string> args, TimeSpan jobTimeout, TimeSpan? grace = null)
    {
        var (file, prefix) = Command;
        var output = new StringWriter();
        var watch = Stopwatch.StartNew();
        var result = LocalLauncher.Run(new LaunchOptions(file, [.. prefix, .. args], nproc)
        {
            ThreadsPerProcess = 1,
            Output = TextWriter.Synchronized(output),
            Timeout = jobTimeout,
            GracePeriod = grace ?? TimeSpan.Zero,
        });
        return new Run(result, output.ToString(), watch.Elapsed);
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"resnetgen-dist-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Succeeded(Run run)
    {
        Assert.True(run.Result.Succeeded, $"workers failed ({run.Result.Message}):\n{run.Output}");
    }
}
