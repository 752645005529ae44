using System.Globalization;
using System.Runtime.InteropServices;
using Xunit;

namespace ResNetGen.Faults.Tests;

/// <summary>
/// Preemption and launcher deaths: SIGTERM to a single training process, SIGTERM and SIGKILL to
/// a `--nproc-per-node 2` launcher, and a rank that dies before the first checkpoint.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed partial class SignalTests(FaultFixture fixture)
{
    public static readonly string[] Ids =
        ["sigterm-mid-epoch", "launcher-sigterm", "launcher-sigkill", "rank-dies-before-first-checkpoint"];

    private const int SIGKILL = 9, SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>1,024 training images: 128 steps of 8 per epoch (single process), enough to be stopped in the middle.</summary>
    private string BigData()
    {
        var dir = Path.Combine(fixture.Root, "data-big");
        return Directory.Exists(dir) ? dir : fixture.WriteDataset("data-big", 1024, 32, 28, 28);
    }

    private string[] Train(string output, params string[] more) =>
        ["train", "--dataset", "mnist", "--data", BigData(), "--batch-size", "8", "--threads", "1", "--seed", "5", "--plain", "-o", output, .. more];

    [Fact]
    public void Sigterm_mid_epoch_saves_that_batch_and_the_resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        var reference = Path.Combine(fixture.Root, "sig-reference");
        var interrupted = Path.Combine(fixture.Root, "sig-interrupted");
        var full = Cli.Run(Train(reference, "--epochs", "2"), fixture.Root, TimeSpan.FromMinutes(3));
        Assert.True(full.ExitCode == 0, full.ToString());

        CliRun stopped;
        using (var running = Cli.Start(Train(interrupted, "--epochs", "2"), fixture.Root))
        {
            running.WaitForOutput("step 50/128", TimeSpan.FromMinutes(2));
            Assert.Equal(0, Kill(running.Id, SIGTERM));
            stopped = running.Wait(TimeSpan.FromMinutes(1), "train (SIGTERM)");
        }
        FaultTable.Add("sigterm-mid-epoch", 2, "SIGTERM to a single training process in the middle of epoch 1 (then --resume)", stopped, fixture.Root,
            "(stdout) " + string.Join(" / ", stopped.Stdout.Split('\n').Where(l => l.StartsWith("interrupted at", StringComparison.Ordinal) || l.StartsWith("Interrupted", StringComparison.Ordinal)).Select(l => l.Trim())) +
            "; the resumed run ends bit-identical to an uninterrupted one");
        Assert.True(stopped.ExitCode == 143, $"expected 143 (128 + SIGTERM); {stopped}");
        Cli.AssertNoCrash(stopped, signalExitAllowed: true);
        var line = stopped.Stdout.Split('\n').Single(l => l.StartsWith("interrupted at epoch 1, batch ", StringComparison.Ordinal));
        var batch = int.Parse(line["interrupted at epoch 1, batch ".Length..].Split(':')[0], CultureInfo.InvariantCulture);
        Assert.InRange(batch, 50, 127); // stopped at the next step, not at the end of the epoch
        var checkpoint = Path.Combine(interrupted, "checkpoint.safetensors");
        var meta = FaultFixture.Metadata(checkpoint);
        Assert.Equal(("1", batch.ToString(CultureInfo.InvariantCulture)), (meta["epoch"], meta["next_batch"]));

        var resumed = Cli.Run(Train(interrupted, "--epochs", "2", "--resume", checkpoint), fixture.Root, TimeSpan.FromMinutes(3));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"resumed from {checkpoint} at epoch 1, batch {batch}", resumed.Stdout);

        // Weights, optimizer state and generator state: bit for bit what the uninterrupted run ended with.
        var expected = FaultFixture.TensorBytes(Path.Combine(reference, "checkpoint.safetensors"), _ => true);
        var actual = FaultFixture.TensorBytes(checkpoint, _ => true);
        Assert.True(expected.AsSpan().SequenceEqual(actual), "the resumed run's final state differs from the uninterrupted run's");
        Assert.Equal(FaultFixture.Metadata(Path.Combine(reference, "checkpoint.safetensors"))["scheduler"], FaultFixture.Metadata(checkpoint)["scheduler"]);
    }

    [Fact]
    public void Sigterm_to_the_launcher_reaches_the_workers_which_checkpoint_and_exit()
    {
        var output = Path.Combine(fixture.Root, "launcher-term");
        CliRun run;
        int[] workers;
        using (var running = Cli.Start(Train(output, "--epochs", "3", "--nproc-per-node", "2"), fixture.Root))
        {
            running.WaitForOutput("[rank 0] epoch 1/3", TimeSpan.FromMinutes(2));
            workers = Children(running.Id);
            Assert.Equal(2, workers.Length);
            Assert.Equal(0, Kill(running.Id, SIGTERM));
            run = running.Wait(TimeSpan.FromSeconds(90), "train --nproc-per-node 2 (SIGTERM)");
        }
        FaultTable.Add("launcher-sigterm", 1, "SIGTERM to the `--nproc-per-node 2` launcher during epoch 1", run, fixture.Root,
            "(stdout) " + string.Join(" / ", run.Stdout.Split('\n').Where(l => l.Contains("[launcher]", StringComparison.Ordinal) || l.Contains("interrupted at", StringComparison.Ordinal)).Select(l => l.Trim())));
        Assert.True(run.ExitCode == 143, $"expected 143; {run}");
        Cli.AssertNoCrash(run, signalExitAllowed: true);
        Assert.Contains("[rank 0] interrupted at epoch 1, batch ", run.Stdout);
        Assert.Contains("[rank 1] rank 1: interrupted", run.Stdout);
        Assert.Contains("[launcher] interrupted by SIGTERM: every worker stopped", run.Stdout);
        Assert.Contains("timeout 1800 s", run.Stdout); // not "1.8e+03 s"
        var meta = FaultFixture.Metadata(Path.Combine(output, "checkpoint.safetensors"));
        Assert.Equal("1", meta["epoch"]);
        Assert.True(int.Parse(meta["next_batch"], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("2", meta["world_size"]);
        foreach (var pid in workers) Assert.False(Alive(pid), $"worker {pid} still runs");
    }

    [Fact]
    public void Sigkill_to_the_launcher_takes_the_workers_with_it()
    {
        var output = Path.Combine(fixture.Root, "launcher-kill");
        int[] workers;
        CliRun run;
        using (var running = Cli.Start(Train(output, "--epochs", "20", "--nproc-per-node", "2"), fixture.Root))
        {
            running.WaitForOutput("[rank 0] epoch 1/20", TimeSpan.FromMinutes(2));
            workers = Children(running.Id);
            Assert.Equal(2, workers.Length);
            Assert.Equal(0, Kill(running.Id, SIGKILL));
            run = running.Wait(TimeSpan.FromSeconds(10), "train --nproc-per-node 2 (SIGKILL)");
        }
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var alive = workers.Where(Alive).ToArray();
        FaultTable.Add("launcher-sigkill", 1, "SIGKILL to the `--nproc-per-node 2` launcher: workers alive 5 s later",
            run with { Stderr = $"(killed) workers alive 5 s later: {alive.Length} of {workers.Length}" }, fixture.Root);
        Assert.True(alive.Length == 0, $"workers {string.Join(", ", alive)} outlived their launcher by 5 s");
    }

    [Fact]
    public void A_rank_that_dies_before_the_first_checkpoint_is_reported_without_a_checkpoint_to_resume()
    {
        var output = Path.Combine(fixture.Root, "rank-dies");
        CliRun run;
        using (var running = Cli.Start(Train(output, "--epochs", "3", "--nproc-per-node", "2", "--dist-timeout", "30"), fixture.Root))
        {
            running.WaitForOutput("[rank 0] epoch 1/3", TimeSpan.FromMinutes(2));
            var rank1 = Children(running.Id).Single(pid => File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains("RANK=1"));
            Assert.Equal(0, Kill(rank1, SIGKILL));
            run = running.Wait(TimeSpan.FromSeconds(90), "train --nproc-per-node 2 (rank 1 killed)");
        }
        FaultTable.Add("rank-dies-before-first-checkpoint", 10, "rank 1 SIGKILLed in epoch 1, before any checkpoint", run, fixture.Root);
        Assert.Equal(137, run.ExitCode); // the launcher reports the dead rank's status (128 + SIGKILL)
        Cli.AssertNoCrash(run, signalExitAllowed: true);
        Assert.Contains("[rank 0] error: data-parallel training stopped at epoch 1", run.Stderr);
        Assert.Contains("No checkpoint was written yet: there is nothing to resume from", run.Stderr);
        Assert.DoesNotContain("none yet", run.Stdout + run.Stderr);
        Assert.Contains("error: data-parallel job failed: worker rank 1 exited with code 137", run.Stderr);
    }

    /// <summary>The processes whose parent is <paramref name="pid"/> (from /proc).</summary>
    private static int[] Children(int pid)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child)) continue;
            var stat = Stat(child);
            if (stat is not null && stat.Value.ParentId == pid) result.Add(child);
        }
        return [.. result];
    }

    /// <summary>Running, not a zombie waiting to be reaped (a container's init may never reap it).</summary>
    private static bool Alive(int pid) => Stat(pid) is { State: not ('Z' or 'X') };

    private static (char State, int ParentId)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0][0], int.Parse(rest[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
