using System.Diagnostics;
using ResNetGen.Runtime.Tests.Oracle;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>`resnetgen train --nproc-per-node 2`: the CLI launches two ranks of itself on Fashion-MNIST.</summary>
[Collection(DistributedCollection.Name)]
public sealed class CliDataParallelTests
{
    [Fact]
    public void Train_with_two_processes_per_node_trains_data_parallel_and_rank_0_writes_the_report()
    {
        var dir = Workers.TempDir();
        try
        {
            var (exitCode, output) = RunCli(["train", "--nproc-per-node", "2", "--train-subset", "512", "--epochs", "1",
                "--batch-size", "32", "--output", dir, "--plain", "--dist-timeout", "60"], TimeSpan.FromMinutes(4));
            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
            Assert.Contains("launching 2 worker processes", output);
            Assert.Contains("[rank 0] joined as rank 0 of 2 (gloo", output);
            Assert.Contains("[rank 1] joined as rank 1 of 2 (gloo", output);
            Assert.Contains("batch 32 per process, global 64", output);
            Assert.Contains("[rank 0] epoch 1/1: 8 steps", output); // 512 images / 2 ranks / 32
            Assert.Contains("[rank 0] final test accuracy:", output);
            Assert.Contains("[rank 1] rank 1: done", output);
            Assert.DoesNotContain("[rank 1] epoch", output); // only rank 0 reports
            foreach (var file in new[] { "checkpoint.safetensors", "report.html", "metrics.json", "metrics.csv" })
                Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing");
            Assert.Contains("data-parallel processes", File.ReadAllText(Path.Combine(dir, "metrics.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_broken_torchrun_environment_is_one_clear_error()
    {
        var (exitCode, output) = RunCli(["train", "--epochs", "1", "--train-subset", "64", "--plain"], TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["RANK"] = "5" });
        Assert.Equal(1, exitCode);
        Assert.Contains("error: invalid torchrun environment: LOCAL_RANK is not set", output);
        Assert.Contains("RANK=5 must be less than WORLD_SIZE=2", output);
    }

    private static (int ExitCode, string Output) RunCli(string[] args, TimeSpan limit, Dictionary<string, string>? env = null)
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(PythonOracle.RepoRoot, "samples", "ResNetGen.Cli", "bin", baseDir.Parent!.Name, baseDir.Name, "resnetgen.dll");
        Assert.True(File.Exists(dll), $"the CLI is not built: {dll}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var name in new[] { "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_WORLD_SIZE" }) info.Environment.Remove(name);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"resnetgen {string.Join(' ', args)} ran past {limit}:\n{stdout.Result}\n{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
