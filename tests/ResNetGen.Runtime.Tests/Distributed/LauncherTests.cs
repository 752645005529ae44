using ResNetGen.Distributed;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

[Collection(DistributedCollection.Name)]
public sealed class LauncherTests
{
    [Fact]
    public void Gives_each_worker_the_torchrun_environment_and_prefixes_its_output()
    {
        // The worker's own launch mode relaunches itself through LocalLauncher (as `resnetgen train --nproc-per-node`).
        var run = Workers.Launch(1, ["launch", "--nproc", "2", "--", "train", "--steps", "1", "--batch", "2", "--timeout-s", "30"],
            TimeSpan.FromSeconds(90));
        Workers.Succeeded(run);
        Assert.Contains("[rank 0] [rank 0] rank 0: trained 1 steps", run.Output);
        Assert.Contains("[rank 0] [rank 1] rank 1: trained 1 steps", run.Output);
    }

    [Fact]
    public void Stops_the_others_at_the_first_failure_and_reports_it()
    {
        // Rank 1 fails at once; rank 0 would sleep for a minute.
        var output = new StringWriter();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = LocalLauncher.Run(new LaunchOptions("/bin/sh",
            ["-c", "if [ \"$RANK\" = 1 ]; then echo \"rank $RANK of $WORLD_SIZE at $MASTER_ADDR:$MASTER_PORT local $LOCAL_RANK/$LOCAL_WORLD_SIZE threads $OMP_NUM_THREADS\"; exit 7; fi; sleep 60"], 2)
        {
            ThreadsPerProcess = 1,
            Output = TextWriter.Synchronized(output),
            Timeout = TimeSpan.FromSeconds(90),
        });
        Assert.Equal(7, result.ExitCode);
        Assert.Equal(1, result.FailedRank);
        Assert.Null(result.ExitCodes[0]); // killed, not left sleeping
        Assert.Matches(@"\[rank 1\] rank 1 of 2 at 127\.0\.0\.1:\d+ local 1/2 threads 1", output.ToString());
        Assert.Contains("[launcher] worker rank 1 exited with code 7", output.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Kills_every_worker_at_the_job_timeout()
    {
        var result = LocalLauncher.Run(new LaunchOptions("/bin/sh", ["-c", "sleep 60"], 2)
        {
            Output = TextWriter.Null,
            Timeout = TimeSpan.FromSeconds(1),
        });
        Assert.True(result.TimedOut);
        Assert.Equal(124, result.ExitCode);
        Assert.All(result.ExitCodes, Assert.Null);
    }
}
