using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ResNetGen.Distributed;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>Peers that die or hang, ports in use, masters that never come: errors in bounded time, never a hang.</summary>
[Collection(DistributedCollection.Name)]
public sealed class FailureTests
{
    [Theory]
    [InlineData(1)] // a worker dies
    [InlineData(0)] // rank 0 dies, and its TCP store with it
    public void When_a_worker_dies_mid_training_the_other_exits_with_a_clear_error_within_the_timeout(int dyingRank)
    {
        var survivor = 1 - dyingRank;
        var run = Workers.Launch(2,
            ["train", "--steps", "50", "--batch", "4", "--die-after", "3", "--die-rank", $"{dyingRank}", "--timeout-s", "10"],
            jobTimeout: TimeSpan.FromSeconds(90), grace: TimeSpan.FromSeconds(30));

        Assert.Equal(3, run.Result.ExitCode);
        Assert.Equal(dyingRank, run.Result.FailedRank);
        Assert.Contains($"[rank {dyingRank}] rank {dyingRank}: dying after step 3", run.Output);
        // The survivor noticed on its own (within the grace period, so well within the timeout) and said why.
        Assert.True(run.Result.ExitCodes[survivor] == 2, $"survivor exit code {run.Result.ExitCodes[survivor]}:\n{run.Output}");
        Assert.Contains($"[rank {survivor}] distributed error: all_reduce failed (gloo rank {survivor} of 2, timeout 10 s)", run.Output);
        Assert.DoesNotContain($"rank {survivor}: step 5 ", run.Output);
        Assert.False(run.Result.TimedOut);
    }

    [Fact]
    public void When_a_worker_hangs_the_other_times_out_and_the_launcher_kills_the_hung_one()
    {
        var watch = Stopwatch.StartNew();
        var run = Workers.Launch(2,
            ["train", "--steps", "50", "--batch", "4", "--hang-after", "2", "--hang-rank", "1", "--timeout-s", "6"],
            jobTimeout: TimeSpan.FromSeconds(90));

        Assert.Equal(2, run.Result.ExitCode);
        Assert.Equal(0, run.Result.FailedRank);
        Assert.Contains("[rank 0] distributed error: all_reduce failed (gloo rank 0 of 2, timeout 6 s): no answer from the other ranks within the timeout", run.Output);
        Assert.Null(run.Result.ExitCodes[1]); // killed by the launcher, it never exits by itself
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Rendezvous_on_a_port_in_use_fails_fast_with_the_address()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Init("gloo", 0, 2, "127.0.0.1", port, TimeSpan.FromSeconds(20)));
        Assert.Contains($"rendezvous at 127.0.0.1:{port} failed (rank 0 of 2, hosting the TCP store", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}: {e.Message}");
    }

    [Fact]
    public void A_rank_whose_master_never_comes_times_out()
    {
        var port = LocalLauncher.FreePort(); // nobody listens there
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Init("gloo", 1, 2, "127.0.0.1", port, TimeSpan.FromSeconds(2)));
        Assert.Contains($"rendezvous at 127.0.0.1:{port} failed (rank 1 of 2, connecting to rank 0's TCP store, timeout 2 s)", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_master_whose_workers_never_come_times_out()
    {
        var port = LocalLauncher.FreePort();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Init("gloo", 0, 2, "127.0.0.1", port, TimeSpan.FromSeconds(2)));
        Assert.Contains($"rendezvous at 127.0.0.1:{port} failed (rank 0 of 2, timeout 2 s): timed out waiting for the other ranks to join: 1 of 2 joined", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }
}

/// <summary>A worker killed from outside (SIGKILL, as an OOM killer or a scheduler would).</summary>
[Collection(DistributedCollection.Name)]
public sealed class ExternalKillTests
{
    /// <summary>Kills the process whose pid a "hanging ... (pid N)" line names, once.</summary>
    private sealed class KillOnHang(TextWriter inner) : TextWriter
    {
        private int killed;
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) => inner.Write(value);

        public override void WriteLine(string? value)
        {
            inner.WriteLine(value);
            var m = System.Text.RegularExpressions.Regex.Match(value ?? "", @"hanging after step \d+ \(pid (\d+)\)");
            if (m.Success && Interlocked.Exchange(ref killed, 1) == 0)
                using (var victim = Process.GetProcessById(int.Parse(m.Groups[1].Value)))
                    victim.Kill();
        }
    }

    [Fact]
    public void When_a_worker_is_killed_from_outside_the_other_fails_at_once_not_at_the_timeout()
    {
        var (file, prefix) = Workers.Command;
        var output = new StringWriter();
        var watch = Stopwatch.StartNew();
        var result = LocalLauncher.Run(new LaunchOptions(file,
            [.. prefix, "train", "--steps", "50", "--batch", "4", "--hang-after", "2", "--hang-rank", "1", "--timeout-s", "120"], 2)
        {
            ThreadsPerProcess = 1,
            Output = TextWriter.Synchronized(new KillOnHang(output)),
            Timeout = TimeSpan.FromSeconds(100),
            GracePeriod = TimeSpan.FromSeconds(60),
        });
        var text = output.ToString();
        Assert.Equal(1, result.FailedRank);       // SIGKILL: 137
        Assert.Equal(2, result.ExitCodes[0]);     // the survivor reported a distributed error by itself
        Assert.Contains("[rank 0] distributed error: all_reduce failed (gloo rank 0 of 2, timeout 120 s): another rank closed its connection", text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}, as if it had waited for the timeout:\n{text}");
    }
}
