using System.Globalization;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>
/// The Trainer itself, data-parallel: 2 gloo worker processes on 127.0.0.1 running
/// tests/ResNetGen.DistWorker's `fit` mode (TwoBlockResNet with batch norm, the synthetic
/// quadrant task, SGD Nesterov + cosine schedule, shuffled sharded loader, evaluation, checkpoints).
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class TrainerDataParallelTests
{
    private const int Samples = 64, BatchPerRank = 8, Epochs = 2;

    private static string[] Fit(string dir, int epochs, int batch, params string[] extra) =>
        ["fit", "--out", dir, "--epochs", $"{epochs}", "--batch", $"{batch}", "--samples", $"{Samples}", "--seed", "3",
         "--weights-out", Path.Combine(dir, "w{rank}.safetensors"), "--timeout-s", "30", .. extra];

    [Fact]
    public void With_sync_batch_norm_both_ranks_end_bit_identical_and_equal_to_one_process_on_the_global_batch()
    {
        var dir = Workers.TempDir();
        try
        {
            var two = Workers.Launch(2, Fit(Path.Combine(dir, "two"), Epochs, BatchPerRank, "--sync-bn", "1"), TimeSpan.FromSeconds(120));
            Workers.Succeeded(two);
            // Alone, on the same data order, with the global batch: what the two ranks must reproduce.
            var one = Workers.Launch(1, Fit(Path.Combine(dir, "one"), Epochs, 2 * BatchPerRank), TimeSpan.FromSeconds(120));
            Workers.Succeeded(one);

            using var scope = torch.NewDisposeScope();
            var rank0 = Safetensors.Load(Path.Combine(dir, "two", "w0.safetensors"));
            var rank1 = Safetensors.Load(Path.Combine(dir, "two", "w1.safetensors"));
            var single = Safetensors.Load(Path.Combine(dir, "one", "w0.safetensors"));
            AssertBitIdentical(rank0, rank1);
            Assert.Equal(single.Keys, rank0.Keys);
            var worst = 0.0;
            foreach (var key in single.Keys)
            {
                var diff = Values(rank0[key]).Zip(Values(single[key]), (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
                worst = Math.Max(worst, diff);
                Assert.True(diff <= 1e-5, $"{key}: 2 ranks vs one process on the global batch differ by {diff:E2}");
            }
            // Both saw the same (reduced) test accuracy.
            Assert.Equal(TestTop1(two.Output, 0), TestTop1(two.Output, 1));
            Assert.Equal(TestTop1(one.Output, 0), TestTop1(two.Output, 0), 6);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Without_sync_batch_norm_ranks_still_end_bit_identical_from_different_initial_weights()
    {
        // Every rank seeds its init with seed + rank: only the Trainer's broadcast makes them equal,
        // and only the buffer broadcast keeps each rank's running statistics from following its own shard.
        var dir = Workers.TempDir();
        try
        {
            var run = Workers.Launch(2, Fit(dir, Epochs, BatchPerRank), TimeSpan.FromSeconds(120));
            Workers.Succeeded(run);
            using var scope = torch.NewDisposeScope();
            var rank0 = Safetensors.Load(Path.Combine(dir, "w0.safetensors"));
            var rank1 = Safetensors.Load(Path.Combine(dir, "w1.safetensors"));
            AssertBitIdentical(rank0, rank1);
            var checkpoint = Safetensors.Load(Path.Combine(dir, "checkpoint.safetensors"), out var meta);
            Assert.Equal("2", meta["world_size"]);
            foreach (var (key, value) in rank0)
                Assert.True(Values(value).SequenceEqual(Values(checkpoint["model." + key])), $"rank 0's checkpoint holds a different {key}");
            Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void When_a_worker_is_killed_the_other_fails_within_the_timeout_and_the_last_checkpoint_resumes_exactly()
    {
        const int Epochs3 = 3, StepsPerEpoch = Samples / 2 / BatchPerRank;
        var dir = Workers.TempDir();
        try
        {
            var killedDir = Path.Combine(dir, "killed");
            // Rank 1 dies abruptly at the 2nd step of epoch 2.
            var killed = Workers.Launch(2, Fit(killedDir, Epochs3, BatchPerRank, "--die-at-step", $"{StepsPerEpoch + 2}", "--die-rank", "1", "--timeout-s", "20"),
                TimeSpan.FromSeconds(120), grace: TimeSpan.FromSeconds(60));
            Assert.Equal(3, killed.Result.ExitCode);
            Assert.Equal(1, killed.Result.FailedRank);
            // Rank 0 left on its own (exit code 2: a distributed error) well within the grace period, with a message that says where to resume.
            Assert.True(killed.Result.ExitCodes[0] == 2, $"rank 0 exit code {killed.Result.ExitCodes[0]}:\n{killed.Output}");
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(50), $"took {killed.Elapsed}");
            Assert.Contains("[rank 0] distributed error: data-parallel training stopped at epoch 2", killed.Output);
            Assert.Contains("Last checkpoint written by rank 0: ", killed.Output);
            Assert.Contains("(end of epoch 1)", killed.Output);

            // The checkpoint is intact: the end of epoch 1.
            var checkpoint = Path.Combine(killedDir, "checkpoint.safetensors");
            using (var scope = torch.NewDisposeScope())
            {
                _ = Safetensors.Load(checkpoint, out var meta);
                Assert.Equal("2", meta["epoch"]);
                Assert.Equal("0", meta["next_batch"]);
            }

            // One process cannot pick up a two-process run: the split of each epoch would differ.
            var alone = Workers.Launch(1, Fit(Path.Combine(dir, "alone"), Epochs3, BatchPerRank, "--resume", checkpoint), TimeSpan.FromSeconds(60));
            Assert.Equal(1, alone.Result.ExitCode);
            Assert.Contains("was written by a run of 2 process(es); resume it with 2 (this run has 1)", alone.Output);

            // Resumed, it ends exactly where an uninterrupted run ends.
            var resumed = Workers.Launch(2, Fit(killedDir, Epochs3, BatchPerRank, "--resume", checkpoint), TimeSpan.FromSeconds(120));
            Workers.Succeeded(resumed);
            Assert.Contains("[rank 0] resumed from ", resumed.Output);
            var reference = Workers.Launch(2, Fit(Path.Combine(dir, "reference"), Epochs3, BatchPerRank), TimeSpan.FromSeconds(120));
            Workers.Succeeded(reference);
            using (var scope = torch.NewDisposeScope())
                AssertBitIdentical(Safetensors.Load(Path.Combine(dir, "reference", "w0.safetensors")), Safetensors.Load(Path.Combine(killedDir, "w0.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertBitIdentical(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, value) in a)
            Assert.True(Values(value).SequenceEqual(Values(b[key])), $"{key} differs");
    }

    /// <summary>The values as doubles (exact for float32 and the int64 counters).</summary>
    private static double[] Values(Tensor t) =>
        t.dtype == ScalarType.Int64 ? [.. t.ToArray<long>().Select(v => (double)v)] : t.to(ScalarType.Float64).contiguous().ToArray<double>();

    private static double TestTop1(string output, int rank)
    {
        const string Marker = "test top-1 ";
        var line = output.Split('\n').Last(l => l.Contains($"rank {rank}: fit Completed", StringComparison.Ordinal));
        return double.Parse(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim(), CultureInfo.InvariantCulture);
    }
}
