using ResNetGen.Distributed;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

[Collection(DistributedCollection.Name)]
public sealed class CollectiveTests
{
    [Fact]
    public void Two_gloo_ranks_all_reduce_broadcast_and_barrier_correctly()
    {
        var dir = Workers.TempDir();
        try
        {
            var run = Workers.Launch(2, ["collectives", "--out", dir, "--timeout-s", "20"], TimeSpan.FromSeconds(90));
            Workers.Succeeded(run);
            for (var rank = 0; rank < 2; rank++)
            {
                var r = Safetensors.Load(Path.Combine(dir, $"rank{rank}.safetensors"));
                // sum over ranks of (rank + 1) * arange(12) = 3 * arange(12), packed with int64s in tiny buckets
                Assert.Equal(Enumerable.Range(0, 12).Select(i => 3f * i).ToArray(), r["sum_f32"].ToArray<float>());
                Assert.Equal(new long[] { 2, 2 }, r["sum_i64"].shape);
                Assert.Equal(new long[] { 10, 12, 14, 16 }, r["sum_i64"].ToArray<long>()); // (0..3) + (10..13)
                Assert.Equal(ScalarType.Int64, r["sum_i64"].dtype);
                Assert.Equal(Enumerable.Repeat(1.5, 5).ToArray(), r["avg_f64"].ToArray<double>());
                // averaged through a transposed (non-contiguous) view: its base holds the result
                Assert.Equal(Enumerable.Repeat(1.5f, 24).ToArray(), r["avg_view_base"].ToArray<float>());
                Assert.Equal(Enumerable.Range(1, 7).Select(i => (float)i).ToArray(), r["max_f32"].ToArray<float>());
                Assert.Equal(2.0, r["metric_sum"].item()); // 0.5 + 1.5
                // broadcast from rank 1 (the last): both ranks hold rank 1's values
                Assert.Equal(Enumerable.Repeat(101f, 10).ToArray(), r["bcast_f32"].ToArray<float>());
                Assert.Equal(new long[] { 1, 1, 1 }, r["bcast_i64"].ToArray<long>());
                if (rank == 0) Assert.Equal(1L, r["barrier_markers_seen"].item<long>());
                foreach (var t in r.Values) t.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_group_of_one_works_in_process_and_reduces_to_itself()
    {
        var port = LocalLauncher.FreePort();
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", port, TimeSpan.FromSeconds(10));
        Assert.Equal((0, 1, "gloo"), (group.Rank, group.WorldSize, group.Backend));
        using var a = torch.tensor(new float[] { 1, 2, 3 }, [3]);
        using var b = torch.tensor(new long[] { 4, 5 }, [2]);
        group.AllReduce([a, b]);
        group.AllReduce([a], average: true);
        group.Broadcast([a, b], root: 0);
        group.Barrier();
        Assert.Equal(new float[] { 1, 2, 3 }, a.ToArray<float>());
        Assert.Equal(new long[] { 4, 5 }, b.ToArray<long>());
        Assert.Equal(7.5, group.AllReduce(7.5, ReduceOp.Max));
    }

    [Fact]
    public void AverageGradients_gives_a_parameter_without_a_gradient_zeros()
    {
        var port = LocalLauncher.FreePort();
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", port, TimeSpan.FromSeconds(10));
        using var layer = new ResNetGen.Torch.Modules.Linear(3, 2);
        group.BroadcastModule(layer);
        group.AverageGradients(layer);
        foreach (var p in layer.parameters())
        {
            using var g = p.grad;
            Assert.NotNull(g);
            Assert.Equal(p.shape, g.shape);
            Assert.All(g.ToArray<float>(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Bad_arguments_are_argument_errors_not_crashes()
    {
        var port = LocalLauncher.FreePort();
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", port, TimeSpan.FromSeconds(10));
        using var ints = torch.tensor(new long[] { 1, 2 }, [2]);
        var e = Assert.Throws<TorchException>(() => group.AllReduce([ints], average: true));
        Assert.Contains("floating-point", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Broadcast([ints], root: 1));
        var disposed = torch.tensor(new float[] { 1 }, [1]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => group.AllReduce([disposed]));
        Assert.Throws<ArgumentException>(() => ProcessGroup.Init("mpi", 0, 1, "127.0.0.1", port, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Init("gloo", 2, 2, "127.0.0.1", port, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", 0, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", port, TimeSpan.Zero));
        group.Dispose();
        Assert.Throws<ObjectDisposedException>(() => group.Barrier());
        group.Dispose(); // twice is fine
    }

    [Fact]
    public void Backends_report_what_this_build_has()
    {
        Assert.Contains("gloo", ProcessGroup.AvailableBackends);
        Assert.True(ProcessGroup.IsBackendAvailable("gloo"));
        if (!ProcessGroup.IsBackendAvailable("nccl"))
        {
            var port = LocalLauncher.FreePort();
            var e = Assert.Throws<DistributedException>(() => ProcessGroup.Init("nccl", 0, 1, "127.0.0.1", port, TimeSpan.FromSeconds(5)));
            Assert.Contains("'nccl' is not available", e.Message);
        }
    }
}
