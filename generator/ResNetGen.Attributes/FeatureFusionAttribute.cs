namespace ResNetGen;

/// <summary>
/// Hierarchical feature fusion (MSRN, Li et al. 2018): the output of every residual block, then the
/// stem's output, concatenated along the channels and fused by a 1×1 convolution. What follows (a
/// <see cref="ReconstructionAttribute"/> tail, or the classifier head) reads the fused map.
/// </summary>
/// <remarks>
/// The network's forward then runs the blocks one by one (every block's output is kept); the
/// state_dict keys stay <c>layer1.0…</c>, and the 1×1 convolution is the field <c>fusion</c>.
/// The concatenation needs every block output and the stem's output at the same height and
/// width, so no stage may stride (RNG042 names the shapes otherwise).
/// </remarks>
/// <example>
/// <code>
/// // MSRN's tail starts with nn.Conv2d(64 * 9, 64, 1): eight blocks' outputs and the head's, fused to 64 channels.
/// [ResNet(InChannels = 3, InputSize = 48, ConvBias = true)]
/// [Stem(StemKind.Cifar, Filters = 64, Norm = false)]
/// [ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(Msrb))]
/// [FeatureFusion]
/// [Reconstruction(scale: 2)]
/// public partial class Msrn { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class FeatureFusionAttribute : Attribute
{
    /// <summary>Output channels of the 1×1 fusion convolution (0, default: the last stage's output channels).</summary>
    public int Filters { get; set; }

    /// <summary>The fusion convolution learns a bias (unset: the network's <see cref="ResNetAttribute.ConvBias"/>).</summary>
    public bool Bias { get; set; }
}
