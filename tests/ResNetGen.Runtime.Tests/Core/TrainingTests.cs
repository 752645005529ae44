using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Core;

public class TrainingTests
{
    [Fact]
    public void Hand_written_two_block_residual_net_learns_the_synthetic_task()
    {
        torch.manual_seed(0);
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: 16);
        using var optimizer = torch.optim.SGD(model.parameters(), lr: 0.1);
        var losses = new List<double>();
        for (var step = 1; step <= 120; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = SyntheticQuadrants.Batch(32, seed: step);
            var loss = F.cross_entropy(model.forward(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item());
        }
        var start = losses.Take(10).Average();
        var end = losses.TakeLast(10).Average();
        Assert.True(start > 1.2, $"an untrained 4-way classifier starts near ln 4 = 1.39, got {start:F3}");
        Assert.True(end < 0.5 * start, $"loss should at least halve: {start:F3} -> {end:F3}");

        // Held-out accuracy, in eval mode.
        model.eval();
        using var evalScope = torch.NewDisposeScope();
        var (tx, ty) = SyntheticQuadrants.Batch(256, seed: 10_000);
        using (torch.no_grad())
        {
            var correct = model.forward(tx).argmax(1).eq(ty).sum().item<long>();
            Assert.True(correct > 0.8 * 256, $"held-out accuracy {correct}/256");
        }
    }
}
