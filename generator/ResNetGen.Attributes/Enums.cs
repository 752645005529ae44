namespace ResNetGen;

/// <summary>The residual block a stage is built from.</summary>
public enum BlockKind
{
    /// <summary>Two 3×3 convolutions (ResNet-18/34, CIFAR ResNets); expansion 1. Post-activation (v1).</summary>
    Basic = 0,

    /// <summary>
    /// 1×1 → 3×3 → 1×1 with expansion 4 (ResNet-50/101/152, ResNeXt, Wide ResNet). The stride sits on
    /// the 3×3 ("v1.5", as torchvision) unless <see cref="ResNetAttribute.StrideOnFirstConv"/> is set
    /// (the original paper's and Keras's placement on the first 1×1).
    /// </summary>
    Bottleneck = 1,

    /// <summary>Pre-activation basic block (ResNet v2): BN-ReLU-conv twice; the network ends with BN-ReLU.</summary>
    PreActBasic = 2,

    /// <summary>Pre-activation bottleneck block (ResNet v2); the network ends with BN-ReLU.</summary>
    PreActBottleneck = 3,
}

/// <summary>How a block's input reaches the addition when the residual branch changes its shape.</summary>
/// <remarks>
/// A block whose branch keeps the input's shape always uses the identity; the kind chosen here applies to
/// blocks whose branch changes the channel count or the spatial size.
/// </remarks>
public enum ShortcutKind
{
    /// <summary>Identity where the shapes match, otherwise <see cref="Projection"/>.</summary>
    Auto = 0,

    /// <summary>Always the identity. A compile-time error (RNG007) where the branch changes the shape.</summary>
    Identity = 1,

    /// <summary>1×1 convolution (carrying the stride) + batch norm: option B of the paper, torchvision's <c>downsample</c>.</summary>
    Projection = 2,

    /// <summary>Option A of the paper: subsample by the stride and pad the new channels with zeros; no parameters.</summary>
    ZeroPad = 3,

    /// <summary>ResNet-D: 2×2 average pool (when strided) then 1×1 convolution + batch norm (timm's <c>downsample_avg</c>).</summary>
    AvgDown = 4,
}

/// <summary>The layers before the first stage.</summary>
public enum StemKind
{
    /// <summary>7×7/2 convolution (64), BN, ReLU, 3×3/2 max-pool: torchvision's ResNet stem.</summary>
    ImageNet = 0,

    /// <summary>3×3/1 convolution (16), BN, ReLU: the CIFAR ResNets of He et al. (2015), section 4.2.</summary>
    Cifar = 1,

    /// <summary>Three 3×3 convolutions 32-32-64 (the first strided), BN, ReLU, 3×3/2 max-pool: ResNet-C/D (timm's deep stem).</summary>
    Deep = 2,
}

/// <summary>How a network initialises its weights.</summary>
public enum WeightInit
{
    /// <summary>
    /// torchvision's ResNet initialisation: Kaiming normal (fan-out, ReLU gain) for every convolution, batch norms
    /// weight 1 and bias 0 (DenseNets: Kaiming normal fan-in, as torchvision's DenseNet).
    /// </summary>
    Torchvision = 0,

    /// <summary>
    /// Each layer's own default, as a PyTorch model that never re-initialises (EDSR's and MSRN's code): a
    /// convolution draws its kernel from Kaiming uniform with a = √5 (bound 1/√fan-in) and its bias from
    /// ±1/√fan-in. Without batch norm to rescale them, residual sums of Kaiming-normal blocks grow block by block.
    /// </summary>
    PyTorchDefault = 1,
}

/// <summary>The activation a custom block applies after the addition.</summary>
public enum ActivationKind
{
    /// <summary>No activation after the addition.</summary>
    None = 0,

    /// <summary>ReLU after the addition (ResNet v1).</summary>
    Relu = 1,

    /// <summary>Leaky ReLU after the addition, slope <see cref="ResidualBlockAttribute.NegativeSlope"/>.</summary>
    LeakyRelu = 2,
}
