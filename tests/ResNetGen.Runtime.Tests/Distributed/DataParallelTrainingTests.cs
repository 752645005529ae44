using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Distributed;

[Collection(DistributedCollection.Name)]
public sealed class DataParallelTrainingTests
{
    private const int Steps = 6, BatchPerRank = 8, Seed = 7, Width = 8;
    private const double Lr = 0.1;

    [Fact]
    public void Two_ranks_end_bit_identical_and_equal_to_one_process_on_the_combined_batch()
    {
        var dir = Workers.TempDir();
        try
        {
            var run = Workers.Launch(2,
                ["train", "--steps", $"{Steps}", "--batch", $"{BatchPerRank}", "--lr", $"{Lr}", "--seed", $"{Seed}",
                 "--width", $"{Width}", "--out", Path.Combine(dir, "w{rank}.safetensors"), "--timeout-s", "30"],
                TimeSpan.FromSeconds(120));
            Workers.Succeeded(run);
            Assert.Contains($"rank 1: trained {Steps} steps", run.Output);

            var rank0 = Safetensors.Load(Path.Combine(dir, "w0.safetensors"));
            var rank1 = Safetensors.Load(Path.Combine(dir, "w1.safetensors"));
            var (reference, initial) = TrainOneProcess();
            try
            {
                Assert.Equal(reference.Keys.Order(), rank0.Keys.Order());
                Assert.Equal(rank0.Keys, rank1.Keys);
                var changed = 0;
                foreach (var key in rank0.Keys)
                {
                    if (rank0[key].dtype != ScalarType.Float32)
                    {
                        Assert.Equal(rank0[key].ToArray<long>(), rank1[key].ToArray<long>());
                        continue;
                    }
                    var a = rank0[key].ToArray<float>();
                    var b = rank1[key].ToArray<float>();
                    var r = reference[key].ToArray<float>();
                    // bit-identical across ranks
                    Assert.True(a.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.Select(BitConverter.SingleToInt32Bits)),
                        $"{key} differs between rank 0 and rank 1");
                    var maxDiff = a.Zip(r, (x, y) => Math.Abs(x - y)).Max();
                    Assert.True(maxDiff <= 1e-5, $"{key}: rank 0 vs one process on the combined batch differ by {maxDiff:E2}");
                    if (a.Zip(initial[key].ToArray<float>(), (x, y) => Math.Abs(x - y)).Max() > 1e-4) changed++;
                }
                Assert.True(changed >= 5, $"training should move the weights; only {changed} tensors changed");
            }
            finally
            {
                foreach (var t in rank0.Values.Concat(rank1.Values).Concat(reference.Values).Concat(initial.Values)) t.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>What the workers do, in one process on the two shards' combined batch (rank 0's init, same LR).</summary>
    private static (Dictionary<string, Tensor> final, Dictionary<string, Tensor> initial) TrainOneProcess()
    {
        torch.manual_seed(Seed);
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: Width);
        model.eval();
        var initial = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        var parameters = model.parameters().ToList();
        for (var step = 1; step <= Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = SyntheticQuadrants.Batch(2 * BatchPerRank, seed: step);
            var loss = F.cross_entropy(model.forward(x), y);
            model.zero_grad();
            loss.backward();
            using (torch.no_grad())
                foreach (var p in parameters)
                    using (var g = p.grad) p.add_(g!, alpha: -Lr);
        }
        var final = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        return (final, initial);
    }
}
