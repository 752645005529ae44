using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Core;

/// <summary>pixel_shuffle against an example worked by hand (OpCases compares it and its gradient with PyTorch).</summary>
public class PixelShuffleTests
{
    [Fact]
    public void Four_channels_of_a_2x2_map_become_one_channel_of_4x4_as_worked_by_hand()
    {
        using var scope = torch.NewDisposeScope();
        // Channel k holds 10·k + p for pixel p = 0..3 of a 2×2 map (row-major).
        var values = Enumerable.Range(0, 4).SelectMany(k => Enumerable.Range(0, 4).Select(p => (float)(10 * k + p))).ToArray();
        var x = torch.tensor(values, [1, 4, 2, 2]);
        var y = F.pixel_shuffle(x, 2);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, y.shape);
        // Output pixel (2h + i, 2w + j) is channel 2i + j at (h, w).
        float[] expected =
        [
            0, 10, 1, 11,
            20, 30, 21, 31,
            2, 12, 3, 13,
            22, 32, 23, 33,
        ];
        Assert.Equal(expected, y.contiguous().ToArray<float>());
    }

    [Fact]
    public void The_module_has_no_parameters_and_the_gradient_is_the_inverse_permutation()
    {
        using var scope = torch.NewDisposeScope();
        using var shuffle = new PixelShuffle(3);
        Assert.Empty(shuffle.parameters());
        var x = torch.randn(2, 9, 2, 3);
        x.requires_grad = true;
        var y = shuffle.forward(x);
        Assert.Equal(new long[] { 2, 1, 6, 9 }, y.shape);
        // Weighting every output pixel by its own flat index: x's gradient then names where each input went.
        var weights = torch.arange(0, y.numel(), dtype: ScalarType.Float32).reshape(y.shape);
        (y * weights).sum().backward();
        var grad = x.grad!.contiguous().ToArray<float>();
        var moved = (x.detach() * 0 + torch.arange(0, x.numel(), dtype: ScalarType.Float32).reshape(x.shape));
        var positions = F.pixel_shuffle(moved, 3).contiguous().ToArray<float>();
        for (var outIndex = 0; outIndex < positions.Length; outIndex++) Assert.Equal(outIndex, grad[(int)positions[outIndex]]);
    }

    [Fact]
    public void Channels_not_divisible_by_the_square_of_the_factor_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => F.pixel_shuffle(torch.randn(1, 6, 2, 2), 2));
        Assert.Contains("divisible by 4", ex.Message);
    }
}
