using ResNetGen.Torch;

namespace ResNetGen.Samples.Synthetic;

/// <summary>A fixed synthetic task: a 16×16 image of noise with one bright 4×4 square; the label is its quadrant.</summary>
public static class SyntheticQuadrants
{
    public static (Tensor images, Tensor labels) Batch(int size, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[size * 16 * 16];
        var labels = new long[size];
        for (var i = 0; i < size; i++)
        {
            var quadrant = random.Next(4);
            labels[i] = quadrant;
            for (var p = 0; p < 256; p++) pixels[i * 256 + p] = (float)(random.NextDouble() * 0.5);
            var (top, left) = (quadrant / 2 * 8 + random.Next(5), quadrant % 2 * 8 + random.Next(5));
            for (var r = top; r < top + 4; r++)
                for (var c = left; c < left + 4; c++)
                    pixels[i * 256 + r * 16 + c] += 1f;
        }
        return (torch.tensor(pixels, [size, 1, 16, 16]), torch.tensor(labels));
    }
}
