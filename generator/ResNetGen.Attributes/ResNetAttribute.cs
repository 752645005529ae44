namespace ResNetGen;

/// <summary>
/// Declares a residual network. Put it on a <c>partial</c>, non-generic class together with one
/// <see cref="ResidualStageAttribute"/> per stage (in order) and optionally a <see cref="StemAttribute"/>
/// (default: <see cref="StemKind.ImageNet"/>). The source generator completes the class as a
/// <c>ResNetGen.Torch.Module&lt;Tensor, Tensor&gt;</c> with typed fields named as torchvision names them.
/// </summary>
/// <example>
/// <code>
/// [ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
/// [Stem(StemKind.Cifar, Filters = 16)]
/// [ResidualStage(filters: 16, blocks: 3)]
/// [ResidualStage(filters: 32, blocks: 3, stride: 2)]
/// [ResidualStage(filters: 64, blocks: 3, stride: 2)]
/// public partial class ResNet20 { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ResNetAttribute : Attribute
{
    /// <summary>Input channels (default 3).</summary>
    public int InChannels { get; set; } = 3;

    /// <summary>Classes of the linear head (default 1000). 0 makes a feature extractor: no head, <c>forward</c> returns the pooled features.</summary>
    public int NumClasses { get; set; } = 1000;

    /// <summary>Input height and width in pixels; 0 (default) = unknown. When known the generator checks every spatial size and emits <c>MultiplyAdds</c>.</summary>
    public int InputSize { get; set; }

    /// <summary>Block of every stage that does not override it (default <see cref="BlockKind.Basic"/>).</summary>
    public BlockKind Block { get; set; } = BlockKind.Basic;

    /// <summary>Shortcut where a block changes shape (default <see cref="ShortcutKind.Auto"/>).</summary>
    public ShortcutKind Shortcut { get; set; } = ShortcutKind.Auto;

    /// <summary>Groups of the bottleneck's 3×3 convolution (ResNeXt cardinality; default 1).</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Width per group of bottleneck blocks (default 64; 128 makes a Wide ResNet-50-2, 4 with 32 groups ResNeXt-50 32×4d).</summary>
    public int WidthPerGroup { get; set; } = 64;

    /// <summary>Initialise the last BN of every block with zero weight, so each block starts as the identity (Goyal et al.).</summary>
    public bool ZeroInitResidual { get; set; }

    /// <summary>Dropout probability before the linear head (default 0 = none).</summary>
    public double Dropout { get; set; }

    /// <summary>Stochastic depth: the drop-path rate of the last block; block <c>i</c> of <c>n</c> drops with <c>DropPath × i / (n − 1)</c> (default 0 = off).</summary>
    public double DropPath { get; set; }

    /// <summary>Bottleneck blocks put the stride on the first 1×1 convolution (original paper, Keras) instead of the 3×3 (torchvision's v1.5).</summary>
    public bool StrideOnFirstConv { get; set; }

    /// <summary>Squeeze-and-excitation reduction for every stage that does not override it (0 = off; 16 in Hu et al.).</summary>
    public int SqueezeExcite { get; set; }

    /// <summary>Input height when it differs from the width (0 = <see cref="InputSize"/>); e.g. a 1025 × 126 spectrogram.</summary>
    public int InputHeight { get; set; }

    /// <summary>Input width when it differs from the height (0 = <see cref="InputSize"/>).</summary>
    public int InputWidth { get; set; }

    /// <summary>Every convolution learns a bias (Keras's <c>Conv2D</c> default): stem, blocks and shortcuts, unless <see cref="StemAttribute.Bias"/> or <see cref="ShortcutAttribute.Bias"/> say otherwise.</summary>
    public bool ConvBias { get; set; }

    /// <summary>Dropout between the convolutions of built-in blocks, for every stage that does not override it (Wide ResNet's 0.3; default 0 = none).</summary>
    public double BlockDropout { get; set; }

    /// <summary>Bottleneck expansion: a stage outputs <c>filters × Expansion</c> channels (default 4).</summary>
    public int Expansion { get; set; } = 4;

    /// <summary>The weight initialisation (default <see cref="WeightInit.Torchvision"/>; <see cref="WeightInit.PyTorchDefault"/> for networks without batch norm, as EDSR and MSRN).</summary>
    public WeightInit Init { get; set; }
}
