using ResNetGen.Distributed;
using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

public sealed class DistributedSamplerTests
{
    [Theory]
    [InlineData(100, 2)]
    [InlineData(60000, 4)]
    [InlineData(12, 3)]
    public void Every_index_once_per_epoch_across_ranks_when_the_length_divides(int n, int replicas)
    {
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var all = new List<long>();
            for (var rank = 0; rank < replicas; rank++)
            {
                var sampler = new DistributedSampler(n, replicas, rank, shuffle: true, seed: 42);
                sampler.SetEpoch(epoch);
                var shard = sampler.Indices();
                Assert.Equal(n / replicas, shard.Length);
                all.AddRange(shard);
            }
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), all.Order());
        }
    }

    [Fact]
    public void Shuffles_per_epoch_deterministically()
    {
        var s = new DistributedSampler(1000, 2, 0, seed: 1);
        Assert.Equal(s.Indices(0), new DistributedSampler(1000, 2, 0, seed: 1).Indices(0));
        Assert.NotEqual(s.Indices(0), s.Indices(1));
        Assert.NotEqual(s.Indices(0), new DistributedSampler(1000, 2, 0, seed: 2).Indices(0));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 2L * i + 1), new DistributedSampler(10, 2, 1, shuffle: false).Indices());
    }

    [Fact]
    public void Pads_to_equal_length_or_drops_the_tail()
    {
        // 10 over 3 ranks: padded to 12 by repeating the start, every index still covered.
        var padded = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, shuffle: false).Indices()).ToList();
        Assert.All(padded, p => Assert.Equal(4, p.Length));
        Assert.Equal(new long[] { 0, 3, 6, 9 }, padded[0]);
        Assert.Equal(new long[] { 1, 4, 7, 0 }, padded[1]);
        Assert.Equal(new long[] { 2, 5, 8, 1 }, padded[2]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), padded.SelectMany(p => p).Distinct().Order());

        // drop_last: cut to 9, each index at most once.
        var cut = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, seed: 5, dropLast: true).Indices()).ToList();
        Assert.All(cut, c => Assert.Equal(3, c.Length));
        Assert.Equal(9, cut.SelectMany(c => c).Distinct().Count());

        // fewer samples than ranks
        Assert.Equal(new long[] { 0 }, new DistributedSampler(2, 3, 2, shuffle: false).Indices());
        Assert.Empty(new DistributedSampler(2, 3, 2, shuffle: false, dropLast: true).Indices());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 2, 2));
    }

    [Theory]
    [InlineData(10, 3, 0, true, false)]
    [InlineData(10, 3, 2, true, true)]
    [InlineData(101, 4, 3, true, false)]
    [InlineData(7, 2, 1, false, false)]
    public void Matches_PyTorchs_DistributedSampler_index_for_index(int n, int replicas, int rank, bool shuffle, bool dropLast)
    {
        const int seed = 17, epoch = 3;
        var ours = new DistributedSampler(n, replicas, rank, shuffle, seed, dropLast);
        ours.SetEpoch(epoch);
        var result = PythonOracle.Shared.Run("""
            from torch.utils.data import DistributedSampler
            p = params
            s = DistributedSampler(range(p["n"]), num_replicas=p["replicas"], rank=p["rank"], shuffle=p["shuffle"],
                                   seed=p["seed"], drop_last=p["dropLast"])
            s.set_epoch(p["epoch"])
            outputs["indices"] = torch.tensor(list(s), dtype=torch.int64)
            outputs["len"] = len(s)
            """, parameters: new { n, replicas, rank, shuffle, seed, dropLast, epoch });
        try
        {
            Assert.Equal(result["indices"].ToArray<long>(), ours.Indices());
            Assert.Equal(result["len"].item<long>(), ours.NumSamples);
        }
        finally
        {
            foreach (var t in result.Values) t.Dispose();
        }
    }
}
