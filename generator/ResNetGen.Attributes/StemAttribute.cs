namespace ResNetGen;

/// <summary>The stem of a <see cref="ResNetAttribute"/> network (default <see cref="StemKind.ImageNet"/> when absent).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class StemAttribute : Attribute
{
    /// <summary>Creates the stem attribute.</summary>
    /// <param name="kind">Which stem.</param>
    public StemAttribute(StemKind kind) => Kind = kind;

    /// <summary>Which stem.</summary>
    public StemKind Kind { get; }

    /// <summary>Output channels of the stem (0 = the kind's default: 64, 16 for <see cref="StemKind.Cifar"/>; a deep stem uses Filters/2, Filters/2, Filters).</summary>
    public int Filters { get; set; }

    /// <summary>Kernel of the stem convolution (0 = the kind's: 7 for <see cref="StemKind.ImageNet"/>, 3 for <see cref="StemKind.Cifar"/>).</summary>
    public int KernelSize { get; set; }

    /// <summary>Stride of the stem convolution (0 = the kind's: 2 for ImageNet, 1 for CIFAR).</summary>
    public int Stride { get; set; }

    /// <summary>Padding of the stem convolution (−1, default: <c>(kernel − 1) / 2</c>, Keras's "same" for odd kernels).</summary>
    public int Padding { get; set; } = -1;

    /// <summary>The stem convolution learns a bias (unset: the network's <see cref="ResNetAttribute.ConvBias"/>).</summary>
    public bool Bias { get; set; }

    /// <summary>Batch norm after the stem convolution (unset: on, except before a pre-activation first block).</summary>
    public bool Norm { get; set; }

    /// <summary>ReLU after the stem's norm (unset: same as <see cref="Norm"/>).</summary>
    public bool Activation { get; set; }

    /// <summary>The 3×3/2 max-pool (unset: the kind's; false removes it from an ImageNet stem, as the Keras study-card ResNet).</summary>
    public bool MaxPool { get; set; }
}
