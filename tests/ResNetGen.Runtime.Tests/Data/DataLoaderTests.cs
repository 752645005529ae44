using ResNetGen.Data;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>n samples [1, 3, 4]; every pixel of sample i is i % 256 and its label is i.</summary>
    private static TensorDataset Numbered(int n)
    {
        var pixels = new byte[n * 12];
        for (var i = 0; i < n; i++) pixels.AsSpan(i * 12, 12).Fill((byte)(i % 256));
        return new TensorDataset(torch.tensor<byte>(pixels, [n, 1, 3, 4], ScalarType.Byte),
            torch.tensor(Enumerable.Range(0, n).Select(i => (long)i).ToArray()));
    }

    private static List<long[]> LabelsOf(IEnumerable<Batch> batches) => batches.Select(b => b.Labels.ToArray<long>()).ToList();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Every_sample_comes_exactly_once_per_epoch_with_its_own_label(int prefetch)
    {
        using var ds = Numbered(103);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 10, Shuffle = true, Seed = 1, Prefetch = prefetch });
        Assert.Equal(11, loader.Count);
        var seen = new List<long>();
        foreach (var batch in loader.GetEpoch(0))
        {
            var labels = batch.Labels.ToArray<long>();
            var images = batch.Images.ToArray<float>();
            Assert.Equal(ScalarType.Float32, batch.Images.dtype);
            Assert.Equal(new long[] { labels.Length, 1, 3, 4 }, batch.Images.shape);
            Assert.Equal(labels, batch.Indices);
            for (var k = 0; k < labels.Length; k++)
                Assert.All(images.AsSpan(k * 12, 12).ToArray(), v => Assert.Equal(labels[k] % 256 / 255f, v));
            seen.AddRange(labels);
        }
        Assert.Equal(103, seen.Count);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 103).Select(i => (long)i), seen); // shuffled
    }

    [Fact]
    public void Order_differs_across_epochs_and_seeds_and_repeats_for_the_same_seed()
    {
        using var ds = Numbered(50);
        var a = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 5 });
        var b = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 5 });
        var other = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 6 });
        var a0 = LabelsOf(a.GetEpoch(0)).SelectMany(l => l).ToArray();
        var a1 = LabelsOf(a.GetEpoch(1)).SelectMany(l => l).ToArray();
        Assert.NotEqual(a0, a1);
        Assert.Equal(a0, LabelsOf(b.GetEpoch(0)).SelectMany(l => l).ToArray());
        Assert.Equal(a1, LabelsOf(b.GetEpoch(1)).SelectMany(l => l).ToArray());
        Assert.NotEqual(a0, LabelsOf(other.GetEpoch(0)).SelectMany(l => l).ToArray());
        Assert.Equal(a0, a.Order(0));

        // A plain foreach walks epoch 0, then 1, ... (set_epoch style).
        var plain = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 5 });
        Assert.Equal(a0, LabelsOf(plain).SelectMany(l => l).ToArray());
        Assert.Equal(a1, LabelsOf(plain).SelectMany(l => l).ToArray());
        Assert.Equal(2, plain.Epoch);

        var unshuffled = new DataLoader(ds, 8);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), LabelsOf(unshuffled.GetEpoch(3)).SelectMany(l => l));
    }

    [Fact]
    public void DropLast_drops_the_short_batch()
    {
        using var ds = Numbered(23);
        var keep = new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 2 });
        var drop = new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 2, DropLast = true });
        Assert.Equal(5, keep.Count);
        Assert.Equal(4, drop.Count);
        var kept = LabelsOf(keep.GetEpoch(0));
        var dropped = LabelsOf(drop.GetEpoch(0));
        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, kept.Select(l => l.Length));
        Assert.Equal(new[] { 5, 5, 5, 5 }, dropped.Select(l => l.Length));
        Assert.Equal(kept.Take(4), dropped); // the same order, the tail left out
    }

    [Fact]
    public void Prefetch_gives_the_same_batches_as_no_prefetch_augmentations_included()
    {
        using var ds = Numbered(200);
        var transform = new Compose(new RandomCrop(3, 4, padding: 1), new RandomHorizontalFlip(), new ToFloat(),
            new RandomErasing(p: 0.5, scale: (0.1, 0.5)));
        var sync = new DataLoader(ds, new DataLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 9, Transform = transform, Prefetch = 0 });
        var ahead = new DataLoader(ds, new DataLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 9, Transform = transform, Prefetch = 3 });
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var expected = sync.GetEpoch(epoch).Select(b => (b.Images.ToArray<float>(), b.Labels.ToArray<long>())).ToList();
            var actual = ahead.GetEpoch(epoch).Select(b => (b.Images.ToArray<float>(), b.Labels.ToArray<long>())).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Item2, actual[i].Item2);
                Assert.Equal(expected[i].Item1, actual[i].Item1);
            }
            // The augmentations did something: some pixel differs from its sample's constant value.
            Assert.Contains(expected.SelectMany(e => e.Item1), v => v == 0f);
        }
        // A single batch made on demand is the same again.
        using var one = sync.GetBatch(1, 3);
        float[]? third = null;
        foreach (var b in ahead.GetEpoch(1))
            if (b.Index == 3) third = b.Images.ToArray<float>();
        Assert.Equal(third, one.Images.ToArray<float>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Resuming_mid_epoch_gives_the_rest_of_the_epoch(int prefetch)
    {
        using var ds = Numbered(64);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 4, Prefetch = prefetch, Transform = new Compose(new RandomCrop(3, 4, padding: 2), new RandomHorizontalFlip()) });
        var full = loader.GetEpoch(2).Select(b => b.Images.ToArray<float>()).ToList();
        var rest = loader.GetEpoch(2, startBatch: 5).Select(b => b.Images.ToArray<float>()).ToList();
        Assert.Equal(full.Skip(5), rest);
        Assert.Empty(loader.GetEpoch(2, startBatch: 8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_failure_while_making_a_batch_surfaces_on_the_consumer_after_the_batches_before_it(int prefetch)
    {
        using var ds = Numbered(40);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Transform = new FailAt(3), Prefetch = prefetch });
        var got = new List<int>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var b in loader.GetEpoch(0)) got.Add(b.Index);
        });
        Assert.Equal("boom at batch 3", e.Message);
        Assert.Equal(new[] { 0, 1, 2 }, got);
    }

    private sealed class FailAt(int batch) : IBatchTransform
    {
        public Tensor Apply(Tensor images, DataRandom random)
        {
            if (images.ToArray<byte>()[0] == batch * 4) throw new InvalidOperationException($"boom at batch {batch}");
            return images;
        }
    }

    [Fact]
    public void Leaving_early_stops_the_worker_and_frees_batches_unless_detached()
    {
        using var ds = Numbered(400);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = 4 });
        Batch? first = null, kept = null;
        foreach (var b in loader.GetEpoch(0))
        {
            if (b.Index == 0) first = b;
            if (b.Index == 1) kept = b.Detach();
            if (b.Index == 2) break;
        }
        Assert.True(first!.Images.IsDisposed);      // freed when the enumeration moved on
        Assert.False(kept!.Images.IsDisposed);      // detached: ours now
        Assert.Equal(new long[] { 4, 5, 6, 7 }, kept.Labels.ToArray<long>());
        kept.Dispose();
        // The next enumeration starts cleanly (no stuck worker).
        Assert.Equal(100, loader.GetEpoch(1).Count());
    }

    [Fact]
    public void Batches_stay_out_of_the_consumers_dispose_scope()
    {
        using var ds = Numbered(12);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Prefetch = 0, Transform = new Compose(new RandomCrop(3, 4, 1), new RandomHorizontalFlip()) });
        using var scope = torch.NewDisposeScope();
        foreach (var b in loader.GetEpoch(0))
        {
            Assert.Equal(0, scope.Count); // the batch and its intermediates are in no scope of ours
            Assert.False(b.Images.IsDisposed);
        }
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public void Normalize_in_the_loader_gives_zero_mean_unit_std_on_the_real_data()
    {
        using var full = FashionMnist.Load(train: false);
        using var ds = full.Slice(0, 2000);
        Assert.Equal(2000, ds.Count);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 500, Transform = new Normalize([0.2860], [0.3530]) });
        double sum = 0, sumSq = 0, count = 0;
        foreach (var (x, _) in loader.GetEpoch(0))
        {
            var v = x.ToArray<float>();
            foreach (var f in v) { sum += f; sumSq += (double)f * f; }
            count += v.Length;
        }
        var mean = sum / count;
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(Math.Sqrt(sumSq / count - mean * mean), 0.95, 1.05);
    }

    [Fact]
    public void Batches_come_in_the_requested_dtype_and_memory_format()
    {
        using var ds = Numbered(8);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, DType = ScalarType.BFloat16, MemoryFormat = MemoryFormat.ChannelsLast, Transform = new Compose(new RandomCrop(3, 4, 1), new RandomHorizontalFlip()) });
        var plain = new DataLoader(ds, new DataLoaderOptions { BatchSize = 4, Transform = new Compose(new RandomCrop(3, 4, 1), new RandomHorizontalFlip()) });
        using var a = loader.GetBatch(0, 1);
        using var b = plain.GetBatch(0, 1);
        Assert.Equal(ScalarType.BFloat16, a.Images.dtype);
        Assert.True(a.Images.is_contiguous(MemoryFormat.ChannelsLast));
        using var back = a.Images.to(ScalarType.Float32);
        // bfloat16 keeps 8 bits of mantissa: the values agree to that precision.
        var x = back.ToArray<float>();
        var y = b.Images.ToArray<float>();
        for (var i = 0; i < x.Length; i++) Assert.Equal(y[i], x[i], 0.004f);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        using var ds = Numbered(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Prefetch = -1 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, DType = ScalarType.Int64 }));
        var loader = new DataLoader(ds, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetEpoch(0, startBatch: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetBatch(0, 3));
    }
}

public sealed class TensorDatasetTests
{
    [Fact]
    public void ChannelStats_slices_and_subsets()
    {
        // Channel 0: all 0 or 255 in equal numbers (mean 0.5, std 0.5); channel 1: constant 51 (0.2, 0).
        var pixels = new byte[4 * 2 * 2 * 2];
        for (var n = 0; n < 4; n++)
        for (var k = 0; k < 4; k++)
        {
            pixels[(n * 2 + 0) * 4 + k] = (byte)((n + k) % 2 == 0 ? 0 : 255);
            pixels[(n * 2 + 1) * 4 + k] = 51;
        }
        using var ds = new TensorDataset(torch.tensor<byte>(pixels, [4, 2, 2, 2], ScalarType.Byte), torch.tensor(new long[] { 0, 1, 1, 3 }));
        var (mean, std) = ds.ChannelStats();
        Assert.Equal(0.5, mean[0], 12);
        Assert.Equal(0.2, mean[1], 12);
        Assert.Equal(0.5, std[0], 12);
        Assert.Equal(0.0, std[1], 6);
        Assert.Equal(new long[] { 1, 2, 0, 1 }, ds.LabelCounts());
        Assert.Equal(4, ds.NumClasses);

        using var slice = ds.Slice(1, 2);
        Assert.Equal(new long[] { 1, 1 }, slice.Labels.ToArray<long>());
        using var subset = ds.Subset([3, 0]);
        Assert.Equal(new long[] { 3, 0 }, subset.Labels.ToArray<long>());
        Assert.Equal(pixels.AsSpan(3 * 8, 8).ToArray(), subset.Images.ToArray<byte>()[..8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Slice(3, 2));
        Assert.Throws<ArgumentException>(() => new TensorDataset(torch.zeros(3, 1, 2, 2), torch.zeros(3)));
        Assert.Throws<ArgumentException>(() => new TensorDataset(torch.zeros(3, 1, 2, 2), torch.tensor(new long[] { 1, 2 })));
    }
}
