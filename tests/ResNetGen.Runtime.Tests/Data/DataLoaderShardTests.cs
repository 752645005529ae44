using ResNetGen.Data;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Data;

/// <summary>DataLoader.Shard: how a data-parallel epoch is split between ranks.</summary>
public sealed class DataLoaderShardTests
{
    private static TensorDataset Numbered(int n) =>
        new(torch.zeros([n, 1, 2, 2], ScalarType.Byte), torch.tensor(Enumerable.Range(0, n).Select(i => (long)i).ToArray()));

    private static List<long> Labels(DataLoader loader, int epoch) =>
        loader.GetEpoch(epoch).SelectMany(b => b.Labels.ToArray<long>()).ToList();

    [Theory]
    [InlineData(103, 3, 10)]
    [InlineData(64, 2, 8)]
    [InlineData(5, 4, 2)]
    public void Padded_shards_have_equal_lengths_cover_every_sample_and_interleave_the_unsharded_order(int n, int ranks, int batch)
    {
        using var ds = Numbered(n);
        var whole = new DataLoader(ds, new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = 9, Prefetch = 0 });
        var shards = Enumerable.Range(0, ranks).Select(r => whole.Shard(ranks, r)).ToList();
        var order = whole.Order(4);
        var perShard = (n + ranks - 1) / ranks;
        foreach (var s in shards)
        {
            Assert.Equal(perShard, s.SampleCount);
            Assert.Equal(shards[0].Count, s.Count); // every rank runs the same number of steps
        }
        for (var r = 0; r < ranks; r++)
        {
            var got = Labels(shards[r], 4);
            // Rank r takes positions r, r + ranks, ... of the shared epoch order, wrapping around to pad.
            var expected = Enumerable.Range(0, perShard).Select(i => order[(r + i * ranks) % n]).ToList();
            Assert.Equal(expected, got);
        }
        var all = shards.SelectMany(s => Labels(s, 4)).ToList();
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), all.Distinct().Order());
        Assert.Equal(perShard * ranks - n, all.Count - all.Distinct().Count());
    }

    [Fact]
    public void Step_i_of_two_shards_together_is_step_i_of_one_loader_with_twice_the_batch()
    {
        using var ds = Numbered(96);
        var big = new DataLoader(ds, new DataLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 2, Prefetch = 0 });
        var shard0 = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 2, Prefetch = 0 }).Shard(2, 0);
        var shard1 = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 2, Prefetch = 0 }).Shard(2, 1);
        var a = shard0.GetEpoch(1).Select(b => b.Labels.ToArray<long>()).ToList();
        var b = shard1.GetEpoch(1).Select(b => b.Labels.ToArray<long>()).ToList();
        var whole = big.GetEpoch(1).Select(b => b.Labels.ToArray<long>()).ToList();
        Assert.Equal(whole.Count, a.Count);
        for (var i = 0; i < whole.Count; i++)
            Assert.Equal(whole[i].Order(), a[i].Concat(b[i]).Order());
    }

    [Fact]
    public void Unpadded_shards_visit_each_sample_exactly_once()
    {
        using var ds = Numbered(10);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 3, Prefetch = 0 });
        var shards = Enumerable.Range(0, 4).Select(r => loader.Shard(4, r, pad: false)).ToList();
        Assert.Equal([3, 3, 2, 2], shards.Select(s => s.SampleCount));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), shards.SelectMany(s => Labels(s, 0)).Order());
    }

    [Fact]
    public void Bad_shards_are_rejected()
    {
        using var ds = Numbered(10);
        var loader = new DataLoader(ds, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Shard(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Shard(2, 2));
        Assert.Throws<InvalidOperationException>(() => loader.Shard(2, 0).Shard(2, 1));
    }
}
