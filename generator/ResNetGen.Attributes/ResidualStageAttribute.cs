namespace ResNetGen;

/// <summary>
/// One stage of a <see cref="ResNetAttribute"/> network: <c>blocks</c> residual blocks, the first carrying
/// <c>stride</c>. Stages run in the order the attributes appear in source and become <c>layer1</c>, <c>layer2</c>, ….
/// </summary>
/// <remarks>
/// Named properties left unset inherit the network's value. A stage uses either a built-in
/// <see cref="Block"/> or a user block (<see cref="CustomBlock"/>, a class marked <see cref="ResidualBlockAttribute"/>).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualStageAttribute : Attribute
{
    /// <summary>Creates a stage.</summary>
    /// <param name="filters">The block's inner width ("planes" in torchvision); a bottleneck stage outputs <c>filters × 4</c> channels.</param>
    /// <param name="blocks">Number of blocks (≥ 1).</param>
    /// <param name="stride">Stride of the first block (1 or 2 typically).</param>
    public ResidualStageAttribute(int filters, int blocks, int stride = 1)
    {
        Filters = filters;
        Blocks = blocks;
        Stride = stride;
    }

    /// <summary>The block's inner width.</summary>
    public int Filters { get; }

    /// <summary>Number of blocks.</summary>
    public int Blocks { get; }

    /// <summary>Stride of the first block.</summary>
    public int Stride { get; }

    /// <summary>Built-in block of this stage (unset: the network's <see cref="ResNetAttribute.Block"/>).</summary>
    public BlockKind Block { get; set; }

    /// <summary>A user block: a partial class marked <see cref="ResidualBlockAttribute"/> (e.g. <c>CustomBlock = typeof(MyBlock)</c>). Overrides <see cref="Block"/>.</summary>
    public Type? CustomBlock { get; set; }

    /// <summary>Shortcut of this stage (unset: the network's).</summary>
    public ShortcutKind Shortcut { get; set; }

    /// <summary>Groups of the 3×3 convolution in bottleneck blocks (unset: the network's).</summary>
    public int Groups { get; set; }

    /// <summary>Width per group of bottleneck blocks (unset: the network's).</summary>
    public int WidthPerGroup { get; set; }

    /// <summary>Dilation of the 3×3 convolutions (default 1). Bottleneck blocks only (as torchvision).</summary>
    public int Dilation { get; set; }

    /// <summary>Squeeze-and-excitation reduction (0 = off; unset: the network's).</summary>
    public int SqueezeExcite { get; set; }

    /// <summary>Bottleneck expansion of this stage (unset: the network's <see cref="ResNetAttribute.Expansion"/>); Keras's resnet_v2 uses 4 in the first stage and 2 after.</summary>
    public int Expansion { get; set; }

    /// <summary>Dropout between the convolutions of this stage's built-in blocks (unset: the network's <see cref="ResNetAttribute.BlockDropout"/>).</summary>
    public double BlockDropout { get; set; }

    /// <summary>
    /// The first block of this stage omits its leading BN-ReLU, because its input already went through
    /// one (a stem that ends in BN-ReLU): the first unit of Keras's <c>resnet_v2</c>. Pre-activation blocks only.
    /// </summary>
    public bool SkipFirstPreActivation { get; set; }
}
