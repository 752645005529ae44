namespace ResNetGen;

/// <summary>
/// An image-output tail (super-resolution): the network returns an image
/// <c>[N, OutChannels, H·scale, W·scale]</c> instead of class logits; there is no classifier.
/// Sub-pixel upsampling (Shi et al. 2016) as EDSR and MSRN write it: an optional 3×3 convolution,
/// then per upsampling step a convolution to <c>F·r²</c> channels and <c>PixelShuffle(r)</c>, then a
/// convolution to <see cref="OutChannels"/>.
/// </summary>
/// <remarks>
/// <para>Steps: a scale of 2, 4 or 8 (any power of two) is that many ×2 steps; 3 is one ×3 step;
/// any other scale is one step of that factor (PixelShuffle(r) works for every r).</para>
/// <para>The layers are the <c>Sequential</c> field <c>reconstruction</c>: <c>reconstruction.0</c> the
/// leading convolution, then (convolution, PixelShuffle) per step, then the last convolution.
/// Convolutions use padding <c>KernelSize / 2</c>, so the map grows by exactly the scale.</para>
/// <para>Setting <see cref="ResNetAttribute.NumClasses"/> or a <see cref="HeadAttribute"/> as well has no effect (RNG015).</para>
/// </remarks>
/// <example>
/// <code>
/// // MSRN ×2: conv(64, 64, 3), conv(64, 256, 3), PixelShuffle(2), conv(64, 3, 3).
/// [Reconstruction(scale: 2)]
/// // EDSR's tail (no leading convolution), ×4 in two ×2 steps, grayscale out:
/// [Reconstruction(4, LeadingConv = false, OutChannels = 1)]
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ReconstructionAttribute : Attribute
{
    /// <summary>Creates the reconstruction tail.</summary>
    /// <param name="scale">Upscaling factor (at least 2).</param>
    public ReconstructionAttribute(int scale) => Scale = scale;

    /// <summary>Upscaling factor: the output is <c>scale</c> times the height and width of the last feature map.</summary>
    public int Scale { get; }

    /// <summary>Channels of the output image (0, default: <see cref="ResNetAttribute.InChannels"/>).</summary>
    public int OutChannels { get; set; }

    /// <summary>
    /// Output channels of each convolution before a PixelShuffle(r) (0, default: <c>F·r²</c>, F the channels
    /// entering the tail); must be divisible by r² (RNG040). The shuffle leaves <c>Filters / r²</c> channels.
    /// </summary>
    public int Filters { get; set; }

    /// <summary>A <c>F → F</c> convolution before the first upsampling step (default true, as MSRN; EDSR has none).</summary>
    public bool LeadingConv { get; set; } = true;

    /// <summary>Kernel of the tail's convolutions (default 3; odd, so padding <c>KernelSize / 2</c> keeps the size).</summary>
    public int KernelSize { get; set; } = 3;

    /// <summary>The tail's convolutions learn a bias (unset: the network's <see cref="ResNetAttribute.ConvBias"/>).</summary>
    public bool Bias { get; set; }
}
