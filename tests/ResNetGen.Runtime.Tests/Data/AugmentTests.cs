using ResNetGen.Data;
using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Data;

public sealed class AugmentTests
{
    /// <summary>A byte batch [n, c, h, w] with distinct-ish values (no zeros, so padding shows).</summary>
    private static Tensor Bytes(int n, int c, int h, int w, int seed = 1)
    {
        var r = new Random(seed);
        var data = new byte[n * c * h * w];
        for (var i = 0; i < data.Length; i++) data[i] = (byte)r.Next(1, 256);
        return torch.tensor<byte>(data, [n, c, h, w], ScalarType.Byte);
    }

    /// <summary>The expectation built from plain tensor ops: pad, slice one sample, flip, stack.</summary>
    private static Tensor CropFlipByHand(Tensor x, int pad, long[] offsets, bool[] flips, int outH, int outW)
    {
        using var scope = torch.NewDisposeScope();
        var padded = F.pad(x, [pad, pad, pad, pad]);
        var samples = new List<Tensor>();
        for (var n = 0; n < x.size(0); n++)
        {
            var s = padded.select(0, n).slice(1, offsets[2 * n], offsets[2 * n] + outH).slice(2, offsets[2 * n + 1], offsets[2 * n + 1] + outW);
            samples.Add(flips[n] ? s.flip(2) : s);
        }
        return torch.stack(samples).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="body"/> on the CPU kernel or on the generic tensor-op path (CUDA's).</summary>
    private static void OnPath(bool generic, Action body)
    {
        AugmentPath.ForceGeneric = generic;
        try { body(); }
        finally { AugmentPath.ForceGeneric = false; }
    }

    [Theory]
    [InlineData(2, 5, 7, false)]   // same size as the input, as RandomCrop(28, padding=4) is used
    [InlineData(2, 5, 7, true)]
    [InlineData(1, 4, 3, false)]   // a smaller crop
    [InlineData(1, 4, 3, true)]
    [InlineData(0, 5, 7, false)]   // no padding: offsets all 0
    [InlineData(0, 5, 7, true)]
    [InlineData(3, 5, 7, false)]   // padding wider than the crop offset range leaves all-padding rows
    [InlineData(3, 2, 2, true)]
    public void CropFlip_equals_slicing_a_padded_copy_then_flipping(int pad, int outH, int outW, bool generic) =>
        OnPath(generic, () => CropFlipCase(pad, outH, outW));

    private static void CropFlipCase(int pad, int outH, int outW)
    {
        using var x = Bytes(6, 2, 5, 7);
        var crop = new RandomCrop(outH, outW, pad);
        var random = new DataRandom(42);
        var offsets = crop.SampleOffsets(random, 6, 5, 7);
        var flips = new RandomHorizontalFlip().SampleFlips(random, 6);
        // Both kinds of sample, and the extreme offsets, are covered.
        offsets[0] = 0; offsets[1] = 0;
        offsets[2] = 5 + 2 * pad - outH; offsets[3] = 7 + 2 * pad - outW;
        flips[0] = true; flips[1] = false;

        using var actual = Augment.CropFlip(x, pad, offsets, flips, outH, outW);
        using var expected = CropFlipByHand(x, pad, offsets, flips, outH, outW);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.ToArray<byte>(), actual.ToArray<byte>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CropFlip_works_on_float_batches_with_a_fill_value(bool generic) => OnPath(generic, () =>
    {
        using var x = torch.randn([3, 3, 4, 4]);
        long[] offsets = [0, 0, 2, 1, 1, 2];
        bool[] flips = [false, true, true];
        using var actual = Augment.CropFlip(x, 1, offsets, flips, fill: -1);
        using var padded = F.pad(x, [1, 1, 1, 1], -1);
        using var top = padded.select(0, 0).slice(1, 0, 4).slice(2, 0, 4);
        Assert.Equal(top.ToArray<float>(), actual.select(0, 0).ToArray<float>());
        Assert.Equal(-1f, actual.ToArray<float>()[0]); // the corner of sample 0 is padding
        using var third = padded.select(0, 2).slice(1, 1, 5).slice(2, 2, 6).flip(2);
        Assert.Equal(third.ToArray<float>(), actual.select(0, 2).ToArray<float>());
    });

    [Fact]
    public void CropFlip_on_a_non_contiguous_batch_reads_it_by_its_strides()
    {
        using var x = Bytes(2, 3, 5, 5);
        using var cl = x.contiguous(MemoryFormat.ChannelsLast);
        long[] offsets = [1, 2, 0, 4];
        bool[] flips = [true, false];
        using var a = Augment.CropFlip(x, 2, offsets, flips);
        using var b = Augment.CropFlip(cl, 2, offsets, flips);
        Assert.Equal(a.ToArray<byte>(), b.ToArray<byte>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Flip_equals_torch_flip_on_the_flagged_samples(bool generic) => OnPath(generic, () =>
    {
        using var x = Bytes(4, 3, 6, 5);
        using var all = Augment.Flip(x, [true, true, true, true]);
        using var flipped = x.flip(3);
        Assert.Equal(flipped.ToArray<byte>(), all.ToArray<byte>());
        using var some = Augment.Flip(x, [false, true, false, false]);
        Assert.Equal(x.select(0, 0).ToArray<byte>(), some.select(0, 0).ToArray<byte>());
        Assert.Equal(flipped.select(0, 1).ToArray<byte>(), some.select(0, 1).ToArray<byte>());
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Erase_zeroes_exactly_the_box_in_every_channel(bool generic) => OnPath(generic, () =>
    {
        const int n = 3, c = 2, h = 6, w = 5;
        using var x = torch.rand([n, c, h, w]).add(1); // no zeros before erasing
        long[] boxes = [1, 2, 3, 2, /* no box: */ 0, 0, 0, 0, /* whole image: */ 0, 0, h, w];
        using var y = Augment.Erase(x, boxes);
        var before = x.ToArray<float>();
        var after = y.ToArray<float>();
        for (var s = 0; s < n; s++)
        for (var ch = 0; ch < c; ch++)
        for (var i = 0; i < h; i++)
        for (var j = 0; j < w; j++)
        {
            var k = ((s * c + ch) * h + i) * w + j;
            var b = boxes.AsSpan(4 * s, 4);
            var inside = i >= b[0] && i < b[0] + b[2] && j >= b[1] && j < b[1] + b[3];
            Assert.Equal(inside ? 0f : before[k], after[k]);
        }
        // Not in place unless asked.
        Assert.Equal(before, x.ToArray<float>());
        using var same = Augment.Erase(x, boxes, value: 7, inplace: true);
        Assert.Equal(7f, x.ToArray<float>()[(1 * w) + 2]);
    });

    [Fact]
    public void Normalize_equals_scaling_then_subtracting_the_mean_and_dividing_by_the_std()
    {
        using var x = Bytes(4, 3, 5, 5);
        var original = x.ToArray<byte>();
        double[] mean = [0.4914, 0.4822, 0.4465], std = [0.247, 0.243, 0.261];
        using var actual = Augment.Normalize(x, mean, std, divisor: 255);
        using var m = torch.tensor(mean.Select(v => (float)v).ToArray(), [1, 3, 1, 1]);
        using var s = torch.tensor(std.Select(v => (float)v).ToArray(), [1, 3, 1, 1]);
        using var expected = x.to(ScalarType.Float32).div(255).sub(m).div(s);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        OracleAssert.Close(expected, actual, rtol: 1e-5, atol: 1e-6);

        using var f = Augment.ToFloat(x);
        using var byHand = x.to(ScalarType.Float32).div(255);
        Assert.Equal(byHand.ToArray<float>(), f.ToArray<float>()); // exactly ToTensor()
        Assert.Equal(original, x.ToArray<byte>()); // input untouched

        using var floats = torch.rand([2, 1, 3, 3]);
        using var same = Augment.Normalize(floats, [0.5], [0.25]); // a float batch: no scaling
        using var expectedFloat = floats.sub(0.5).div(0.25);
        OracleAssert.Close(expectedFloat, same, rtol: 1e-5, atol: 1e-6);
        Assert.NotEqual(floats.ToArray<float>(), same.ToArray<float>());
    }

    [Fact]
    public void Bad_parameters_throw_with_the_reason_and_do_not_crash()
    {
        using var x = Bytes(2, 1, 4, 4);
        var e = Assert.Throws<TorchException>(() => Augment.CropFlip(x, 1, [0, 0, 3, 0], []));
        Assert.Contains("sample 1", e.Message);
        Assert.Throws<ArgumentException>(() => Augment.CropFlip(x, 1, [0, 0], []));
        Assert.Throws<TorchException>(() => Augment.Erase(x, [0, 0, 5, 1, 0, 0, 0, 0]));
        Assert.Throws<TorchException>(() => Augment.Gather(x, [0, 2]));
        Assert.Throws<TorchException>(() => Augment.Normalize(x, [0.5, 0.5], [1, 1]));
        using var flat = torch.zeros(4);
        Assert.Throws<ArgumentException>(() => Augment.CropFlip(flat, 0, [], []));
    }

    [Fact]
    public void Compose_draws_crop_then_flip_then_erase_from_one_stream_and_is_deterministic()
    {
        using var x = Bytes(8, 1, 6, 6);
        var crop = new RandomCrop(6, padding: 2);
        var flip = new RandomHorizontalFlip();
        var erase = new RandomErasing(p: 1);
        var pipeline = new Compose(crop, flip, new ToFloat(), erase);

        using var a = pipeline.Apply(x, DataRandom.ForBatch(7, 1, 3));
        using var b = pipeline.Apply(x, DataRandom.ForBatch(7, 1, 3));
        using var c = pipeline.Apply(x, DataRandom.ForBatch(7, 1, 4));
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.NotEqual(a.ToArray<float>(), c.ToArray<float>());

        // Replaying the stream by hand gives the same parameters, hence the same batch.
        var r = DataRandom.ForBatch(7, 1, 3);
        var offsets = crop.SampleOffsets(r, 8, 6, 6);
        var flips = flip.SampleFlips(r, 8);
        var boxes = erase.SampleBoxes(r, 8, 6, 6);
        using var cropped = CropFlipByHand(x, 2, offsets, flips, 6, 6);
        using var asFloat = Augment.ToFloat(cropped);
        using var expected = Augment.Erase(asFloat, boxes);
        Assert.Equal(expected.ToArray<float>(), a.ToArray<float>());
    }

    [Fact]
    public void RandomErasing_boxes_follow_torchvisions_distribution()
    {
        // The same draw procedure as torchvision's get_params; compare the statistics with torchvision's own.
        const int draws = 4000;
        var erase = new RandomErasing(p: 1);
        var r = new DataRandom(3);
        double sumArea = 0, sumH = 0;
        for (var i = 0; i < draws; i++)
        {
            var box = erase.SampleBox(r, 28, 28);
            Assert.NotNull(box);
            var (top, left, h, w) = box.Value;
            Assert.InRange(h, 1, 27);
            Assert.InRange(w, 1, 27);
            Assert.InRange(top, 0, 28 - h);
            Assert.InRange(left, 0, 28 - w);
            sumArea += h * w;
            sumH += h;
        }
        var tv = PythonOracle.Shared.Run("""
            import torchvision.transforms as T
            img = torch.zeros(1, 28, 28)
            area, hs = 0.0, 0.0
            for _ in range(params["n"]):
                i, j, h, w, v = T.RandomErasing.get_params(img, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0])
                area += h * w
                hs += h
            outputs["area"] = area / params["n"]
            outputs["h"] = hs / params["n"]
            """, parameters: new { n = draws });
        var tvArea = tv["area"].item<double>();
        var tvH = tv["h"].item<double>();
        Assert.InRange(sumArea / draws / tvArea, 0.95, 1.05);
        Assert.InRange(sumH / draws / tvH, 0.96, 1.04);

        // p: about half the samples of a large batch get a box.
        var half = new RandomErasing(p: 0.5).SampleBoxes(new DataRandom(9), 2000, 28, 28);
        var erased = Enumerable.Range(0, 2000).Count(i => half[4 * i + 2] > 0);
        Assert.InRange(erased, 900, 1100);
    }

    [Fact]
    public void Crop_flip_normalize_erase_match_torchvision_functional_per_sample()
    {
        const int n = 8, c = 3, h = 6, w = 5, pad = 2;
        using var x = Bytes(n, c, h, w, seed: 11);
        var crop = new RandomCrop(4, 5, pad);
        var flip = new RandomHorizontalFlip();
        var norm = new Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]);
        var erase = new RandomErasing(p: 0.8, value: 0);
        using var ours = new Compose(crop, flip, norm, erase).Apply(x, new DataRandom(5));

        var r = new DataRandom(5);
        var offsets = crop.SampleOffsets(r, n, h, w);
        var flips = flip.SampleFlips(r, n);
        var boxes = erase.SampleBoxes(r, n, 4, 5);
        var tv = PythonOracle.Shared.Run("""
            import torchvision.transforms.functional as TF
            p = params
            outs = []
            for k in range(x.shape[0]):
                img = TF.pad(x[k], p["pad"], fill=0)
                img = TF.crop(img, p["offsets"][2 * k], p["offsets"][2 * k + 1], p["h"], p["w"])
                if p["flips"][k]:
                    img = TF.hflip(img)
                img = TF.convert_image_dtype(img, torch.float32)
                img = TF.normalize(img, p["mean"], p["std"])
                b = p["boxes"][4 * k: 4 * k + 4]
                if b[2] > 0:
                    img = TF.erase(img, b[0], b[1], b[2], b[3], torch.tensor(0.0))
                outs.append(img)
            outputs["y"] = torch.stack(outs)
            """, [new("x", x)], new { pad, offsets, flips, boxes, h = 4, w = 5, mean = norm.Mean, std = norm.Std });
        OracleAssert.Close(tv["y"], ours, rtol: 1e-5, atol: 1e-5, what: "torchvision");
        Assert.Contains(boxes, v => v > 0); // some sample was erased
        Assert.Contains(flips, f => f);
        Assert.Contains(flips, f => !f);
    }
}
