using ResNetGen.Distributed;
using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>
/// Synchronized batch norm: 2 gloo ranks, each on its half of a batch, against one process with
/// plain BatchNorm2d on the whole batch (tests/ResNetGen.DistWorker/SyncBatchNormMode.cs).
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class SyncBatchNormTests(ITestOutputHelper output)
{
    private const int World = 2, PerRank = 6, InChannels = 3, Channels = 5, Size = 4, Steps = 2;
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // channels-last: the layout is kept, the numbers are the same
    public void Two_ranks_equal_one_process_with_plain_batch_norm_on_the_combined_batch(bool channelsLast)
    {
        var dir = Workers.TempDir();
        var data = MakeData();
        try
        {
            var dataPath = Path.Combine(dir, "data.safetensors");
            Safetensors.Save(dataPath, data);
            var run = Workers.Launch(World, ["syncbn", "--data", dataPath, "--out", dir, "--channels-last", channelsLast ? "1" : "0",
                "--timeout-s", "30"], TimeSpan.FromSeconds(120));
            Workers.Succeeded(run);
            var expected = OneProcess(data, channelsLast);
            var ranks = Enumerable.Range(0, World).Select(r => Safetensors.Load(Path.Combine(dir, $"rank{r}.safetensors"))).ToList();
            try
            {
                for (var rank = 0; rank < World; rank++)
                {
                    var r = ranks[rank];
                    Assert.Equal(1L, r["converted"].item<long>());
                    for (var step = 0; step < Steps; step++)
                    {
                        Close($"y.{step}", r[$"y.{step}"], Half(expected[$"y.{step}"], rank));
                        Assert.Equal(channelsLast ? 1L : 0L, r[$"y_channels_last.{step}"].item<long>());
                        // Each rank's loss is a mean over its own samples, the reference's over all of them, so
                        // Σ_ranks loss = World × reference loss: the synced backward (a sum over the ranks) gives
                        // each rank d(Σ loss)/d(its inputs) = World × the reference's input gradient, and
                        // AverageGradients' (Σ_ranks grad) / World is exactly the reference's parameter gradient.
                        Close($"x_grad.{step}", r[$"x_grad.{step}"], Half(expected[$"x_grad.{step}"], rank), World);
                        foreach (var name in new[] { "conv.weight", "conv.bias", "bn.weight", "bn.bias" })
                            Close($"grad.{name}.{step}", r[$"grad.{name}.{step}"], expected[$"grad.{name}.{step}"]);

                        // Without the sync each rank would normalize with its own statistics: far from the global ones.
                        var gap = MaxDiff(r[$"local_mean.{step}"], expected[$"global_mean.{step}"]);
                        Assert.True(gap > 0.3, $"rank {rank} step {step}: the rank's own batch mean is only {gap:G3} from the global one");
                    }
                    foreach (var key in new[] { "bn.running_mean", "bn.running_var" })
                        Close(key, r[$"state.{key}"], expected[$"state.{key}"]);
                    Assert.Equal(Steps, r["state.bn.num_batches_tracked"].item<long>());
                }
                // Evaluation, rank 0 alone (no communication): the running statistics.
                Close("y_eval", ranks[0]["y_eval"], Half(expected["y_eval"], 0));
            }
            finally
            {
                foreach (var t in ranks.SelectMany(r => r.Values).Concat(expected.Values)) t.Dispose();
            }
        }
        finally
        {
            foreach (var t in data.Values) t.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("backward")]
    public void A_peer_that_dies_before_the_sync_makes_the_other_fail_with_a_distributed_error(string dieAt)
    {
        var dir = Workers.TempDir();
        var data = MakeData();
        try
        {
            var dataPath = Path.Combine(dir, "data.safetensors");
            Safetensors.Save(dataPath, data);
            var run = Workers.Launch(World, ["syncbn", "--data", dataPath, "--out", dir, "--die-rank", "1", "--die-at", dieAt, "--timeout-s", "20"],
                TimeSpan.FromSeconds(90), grace: TimeSpan.FromSeconds(15));
            Assert.Equal(3, run.Result.ExitCodes[1]);
            Assert.True(run.Result.ExitCodes[0] == 2, $"survivor exit code {run.Result.ExitCodes[0]}:\n{run.Output}");
            var what = dieAt == "forward" ? "sync_batch_norm" : "sync_batch_norm backward";
            Assert.Contains($"[rank 0] distributed error: {what} failed (gloo rank 0 of 2, timeout 20 s)", run.Output);
            Assert.False(run.Result.TimedOut);
            // Exit code 2 says the survivor failed by itself (the launcher kills only after the grace period).
        }
        finally
        {
            foreach (var t in data.Values) t.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void With_a_group_of_one_it_is_plain_batch_norm()
    {
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", LocalLauncher.FreePort(), TimeSpan.FromSeconds(10));
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.randn(8, Channels, Size, Size).mul(3).add(1);
        using var plain = new BatchNorm2d(Channels);
        using var converted = Assert.IsType<SyncBatchNorm>(SyncBatchNorm.Convert(new BatchNorm2d(Channels), group));
        using var made = new SyncBatchNorm(Channels, group);
        Assert.Same(group, converted.Group);
        Assert.Same(group, made.Group);
        var y = plain.forward(x);
        foreach (var bn in new[] { converted, made })
        {
            Assert.Equal(0, MaxDiff(y, bn.forward(x)));
            Assert.Equal(0, MaxDiff(plain.running_mean!, bn.running_mean!));
            Assert.Equal(0, MaxDiff(plain.running_var!, bn.running_var!));
            Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
            bn.eval();
            plain.eval();
            Assert.Equal(0, MaxDiff(plain.forward(x), bn.forward(x)));
            plain.train();
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32, false)]
    [InlineData(ScalarType.Float32, true)]
    [InlineData(ScalarType.Float64, false)]
    [InlineData(ScalarType.Float16, true)]
    public void The_synced_path_on_one_rank_matches_batch_norm(ScalarType dtype, bool channelsLast)
    {
        // The native path itself (BatchNorm2d takes the plain one for a world of 1): statistics through
        // the all-reduce, the parallel-variance formula, the running statistics, the gradients.
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", LocalLauncher.FreePort(), TimeSpan.FromSeconds(10));
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var format = channelsLast ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
        var x = torch.randn(7, Channels, 3, 5).mul(2).add(1).to(dtype).contiguous(format);
        var c = torch.randn(7, Channels, 3, 5);
        var pt = dtype == ScalarType.Float64 ? dtype : ScalarType.Float32; // batch_norm wants float64 parameters for float64 input
        var (w, b) = (torch.rand(Channels).add(0.5).to(pt), torch.randn(Channels).to(pt));
        var (rm, rv) = (torch.randn(Channels).mul(0.1).to(pt), torch.rand(Channels).add(0.5).to(pt));
        var (w1, b1, rm1, rv1) = (w.clone().requires_grad_(), b.clone().requires_grad_(), rm.clone(), rv.clone());
        var (w2, b2, rm2, rv2) = (w.clone().requires_grad_(), b.clone().requires_grad_(), rm.clone(), rv.clone());
        var x1 = x.clone().requires_grad_();
        // The reference for half runs in float32 (the synced path computes in float32 too).
        var x2 = x.to(pt).requires_grad_();

        var ySynced = group.SyncedBatchNorm(x1, w1, b1, rm1, rv1, 0.1, 1e-5);
        var yPlain = torch.nn.functional.batch_norm(x2, rm2, rv2, w2, b2, training: true, momentum: 0.1, eps: 1e-5);
        Assert.Equal(dtype, ySynced.dtype);
        Assert.Equal(channelsLast, ySynced.is_contiguous(MemoryFormat.ChannelsLast));
        ySynced.to(ScalarType.Float32).mul(c).sum().backward();
        yPlain.to(ScalarType.Float32).mul(c).sum().backward();

        // Half: the output and the gradient reaching it are rounded to half (2^-11 relative).
        var loose = dtype == ScalarType.Float16 ? 2e-3 : Tolerance;
        Close("y", ySynced, yPlain, tolerance: loose);
        Close("x.grad", x1.grad!, x2.grad!, tolerance: loose);
        Close("weight.grad", w1.grad!, w2.grad!, tolerance: loose);
        Close("bias.grad", b1.grad!, b2.grad!, tolerance: loose);
        Close("running_mean", rm1, rm2);
        Close("running_var", rv1, rv2);
    }

    [Fact]
    public void Errors_too_few_values_and_a_disposed_group()
    {
        var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", LocalLauncher.FreePort(), TimeSpan.FromSeconds(10));
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => group.SyncedBatchNorm(torch.randn(1, Channels, 1, 1), null, null, null, null, 0.1, 1e-5));
        Assert.Contains("Expected more than 1 value per channel when training", e.Message);
        Assert.Throws<TorchException>(() => group.SyncedBatchNorm(torch.randn(4, Channels, 2, 2), torch.ones(Channels + 1), null, null, null, 0.1, 1e-5));
        group.Dispose();
        using var bn = new SyncBatchNorm(Channels, group);
        // A disposed group of one rank is never used: world size 1 takes the plain path.
        bn.forward(torch.randn(4, Channels, 2, 2));
        Assert.Throws<ObjectDisposedException>(() => group.SyncedBatchNorm(torch.randn(4, Channels, 2, 2), null, null, null, null, 0.1, 1e-5));
    }

    [Fact]
    public void Convert_swaps_in_a_synchronized_module_for_every_batch_norm_over_the_same_tensors()
    {
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", LocalLauncher.FreePort(), TimeSpan.FromSeconds(10));
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: 4);
        var keys = model.state_dict().Keys.ToList();
        var parameters = model.parameters().ToList();
        var buffers = model.buffers().ToList();
        var norms = model.named_modules().Select(m => m.module).OfType<BatchNorm2d>().ToList();
        Assert.Equal(6, norms.Count); // stem, 2 + 2 in the blocks, the downsample's

        Assert.Same(model, SyncBatchNorm.Convert(model, group));

        var synced = model.named_modules().Select(m => m.module).OfType<SyncBatchNorm>().ToList();
        Assert.Equal(norms.Count, synced.Count);
        Assert.Equal(norms.Count, model.named_modules().Count(m => m.module is BatchNorm2d));
        Assert.All(synced, bn => Assert.Same(group, bn.Group));
        Assert.Equal(keys, model.state_dict().Keys.ToList());
        // The same tensor objects: an optimizer built before the conversion still trains the model.
        Assert.Equal(parameters, model.parameters().ToList(), ReferenceEqualityComparer.Instance);
        Assert.Equal(buffers, model.buffers().ToList(), ReferenceEqualityComparer.Instance);
        for (var i = 0; i < norms.Count; i++) Assert.Same(norms[i].weight, synced[i].weight);
        Assert.Throws<ArgumentNullException>(() => SyncBatchNorm.Convert(null!, group));
        Assert.Throws<ArgumentNullException>(() => SyncBatchNorm.Convert(model, null!));
    }

    // ---- the data and the one-process reference ------------------------------------------------

    /// <summary>The model's state and, per step, a batch whose halves differ in mean and spread.</summary>
    private static Dictionary<string, Tensor> MakeData()
    {
        torch.manual_seed(11);
        using var model = NewModel();
        var bn = (BatchNorm2d)model.children().Last();
        using (torch.no_grad())
        {
            bn.weight!.uniform_(0.5, 1.5);
            bn.bias!.normal_(0, 0.5);
            bn.running_mean!.normal_(0, 0.2);
            bn.running_var!.uniform_(0.5, 1.5);
        }
        var state = model.state_dict();
        var data = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        foreach (var t in state.Values) t.Dispose();
        for (var step = 0; step < Steps; step++)
        {
            var x = torch.randn(World * PerRank, InChannels, Size, Size);
            using (var second = x.slice(0, PerRank, World * PerRank)) second.mul_(1 + step).add_(step == 0 ? 3 : -3);
            data[$"x.{step}"] = x;
            data[$"c.{step}"] = torch.randn(World * PerRank, Channels, Size, Size);
        }
        return data;
    }

    private static Sequential NewModel() =>
        new(("conv", new Conv2d(InChannels, Channels, 3, padding: 1)), ("bn", new BatchNorm2d(Channels)));

    /// <summary>What the ranks do, in one process with plain batch norm on the whole batches.</summary>
    private static Dictionary<string, Tensor> OneProcess(Dictionary<string, Tensor> data, bool channelsLast)
    {
        var format = channelsLast ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
        using var model = NewModel();
        model.load_state_dict(data.Where(kv => kv.Key.Contains("conv.") || kv.Key.Contains("bn.")).ToDictionary());
        model.to(format);
        var (conv, bn) = ((Conv2d)model.children().First(), (BatchNorm2d)model.children().Last());
        var result = new Dictionary<string, Tensor>();
        void Keep(string key, Tensor t) => result[key] = t.detach().contiguous().DetachFromDisposeScope();
        for (var step = 0; step < Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var x = data[$"x.{step}"].clone().contiguous(format).requires_grad_();
            var h = conv.forward(x);
            Keep($"global_mean.{step}", h.detach().mean([0, 2, 3]));
            var y = bn.forward(h);
            var loss = y.mul(data[$"c.{step}"].contiguous(format)).sum().div(World * PerRank); // mean over the samples
            model.zero_grad();
            loss.backward();
            Keep($"y.{step}", y);
            Keep($"x_grad.{step}", x.grad!);
            foreach (var (name, p) in model.named_parameters())
                using (var g = p.grad) Keep($"grad.{name}.{step}", g!);
        }
        using (var scope = torch.NewDisposeScope())
        {
            model.eval();
            Keep("y_eval", model.forward(data["x.0"].contiguous(format)));
        }
        foreach (var (key, t) in model.state_dict()) Keep($"state.{key}", t);
        return result;
    }

    private static Tensor Half(Tensor full, int rank) => full.slice(0, rank * PerRank, (rank + 1) * PerRank);

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).contiguous().ToArray<double>();

    private static double MaxDiff(Tensor a, Tensor b) => Values(a).Zip(Values(b), (x, y) => Math.Abs(x - y)).Max();

    /// <summary>max |actual - scale·expected| ≤ tolerance · max(1, max |scale·expected|): absolute for small tensors, relative for large ones.</summary>
    private void Close(string what, Tensor actual, Tensor expected, double scale = 1, double tolerance = Tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        var (a, e) = (Values(actual), Values(expected).Select(v => v * scale).ToArray());
        var diff = a.Zip(e, (x, y) => Math.Abs(x - y)).Max();
        var bound = tolerance * Math.Max(1, e.Max(Math.Abs));
        output.WriteLine($"{what}: max deviation {diff:E2} (max |expected| {e.Max(Math.Abs):G3})");
        Assert.True(diff <= bound, $"{what}: max deviation {diff:E2} exceeds {bound:E2}");
    }
}
