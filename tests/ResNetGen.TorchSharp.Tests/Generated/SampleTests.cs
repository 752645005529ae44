using TorchSharpSample;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>samples/ResNetGen.TorchSharp.Sample: the generated network trains under plain TorchSharp.</summary>
public sealed class SampleTests
{
    [Fact]
    public void Training_the_sample_network_lowers_the_loss()
    {
        var losses = Training.Run(steps: 40, seed: 1);
        Assert.Equal(40, losses.Count);
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        var first = losses.Take(5).Average();
        var last = losses.TakeLast(5).Average();
        // Chance level for 3 classes is ln 3 ≈ 1.10; the stripes are easy, so the loss must fall well below it.
        Assert.True(last < 0.7 * first, $"loss did not fall: first 5 steps {first:F4}, last 5 {last:F4}");
    }
}
