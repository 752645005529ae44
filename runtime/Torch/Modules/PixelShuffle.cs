using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>Sub-pixel upsampling, as <c>torch.nn.PixelShuffle</c>: <c>[N, C·r², H, W] → [N, C, H·r, W·r]</c>; no parameters.</summary>
public sealed class PixelShuffle(long upscale_factor) : Module<Tensor, Tensor>(nameof(PixelShuffle))
{
    public long upscale_factor { get; } = upscale_factor >= 1 ? upscale_factor : throw new ArgumentOutOfRangeException(nameof(upscale_factor), upscale_factor, "the upscale factor must be at least 1");

    public override Tensor forward(Tensor input) => functional.pixel_shuffle(input, upscale_factor);
}
