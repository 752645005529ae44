using TorchSharp;
using static TorchSharp.torch;

namespace TorchSharpSample;

/// <summary>Trains <see cref="StripeNet"/> on synthetic data with plain TorchSharp.</summary>
public static class Training
{
    /// <summary>
    /// A synthetic task: 16×16 noise with one bright stripe, horizontal (class 0), vertical (1) or
    /// diagonal (2), at a random position.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Stripes(int count, Random random)
    {
        var pixels = new float[count * 256];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var kind = random.Next(3);
            labels[i] = kind;
            var image = pixels.AsSpan(i * 256, 256);
            for (var p = 0; p < 256; p++) image[p] = (float)(random.NextDouble() * 0.6);
            var at = random.Next(16);
            for (var k = 0; k < 16; k++)
            {
                var (row, col) = kind switch { 0 => (at, k), 1 => (k, at), _ => (k, (k + at) % 16) };
                image[row * 16 + col] += 1f;
            }
        }
        return (tensor(pixels, [count, 1, 16, 16]), tensor(labels));
    }

    /// <summary>
    /// Trains a fresh <see cref="StripeNet"/> for <paramref name="steps"/> SGD steps of 32 new images
    /// each and returns every step's cross-entropy loss; <paramref name="log"/> sees each step.
    /// </summary>
    public static IReadOnlyList<float> Run(int steps, int seed = 0, Action<int, float>? log = null)
    {
        manual_seed(seed);
        var random = new Random(seed);
        using var model = new StripeNet();
        model.train();
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.05, momentum: 0.9);
        var losses = new List<float>(steps);
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();   // frees this step's tensors deterministically
            var (images, labels) = Stripes(32, random);
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
            log?.Invoke(step, losses[^1]);
        }
        return losses;
    }
}
