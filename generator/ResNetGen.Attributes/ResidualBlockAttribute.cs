namespace ResNetGen;

/// <summary>
/// Marks a <c>partial</c> class as a user-defined residual block. Its residual branch is the ordered list of
/// layer attributes on the class (<see cref="ConvAttribute"/>, <see cref="BatchNormAttribute"/>,
/// <see cref="ReluAttribute"/>, <see cref="LeakyReluAttribute"/>, <see cref="MaxPoolAttribute"/>,
/// <see cref="AvgPoolAttribute"/>, <see cref="DropoutAttribute"/>, <see cref="SqueezeExciteAttribute"/>),
/// optionally split into parallel branches by <see cref="BranchAttribute"/> and <see cref="JoinAttribute"/>.
/// A stage uses it with <c>[ResidualStage(…, CustomBlock = typeof(MyBlock))]</c>.
/// </summary>
/// <remarks>
/// Channel counts are relative to the stage's <c>filters</c> (see <see cref="ConvAttribute.Expansion"/>), so
/// one block serves every stage. The stage's stride goes to the convolution or pool marked
/// <c>Strided = true</c>, or else to the first convolution (when that sits in a branch group, to the
/// first convolution of every branch of the group). The generator infers the branch's output
/// shape and checks that the stage's shortcut can be added to it (RNG012). The class itself becomes the
/// block module (the generator adds its base class, layers, constructor and forward), shared by every
/// network and stage that uses it.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ResidualBlockAttribute : Attribute
{
    /// <summary>The activation after the addition (default <see cref="ActivationKind.Relu"/>; <see cref="ActivationKind.None"/> for a <see cref="PreActivation"/> block).</summary>
    public ActivationKind Activation { get; set; } = ActivationKind.Relu;

    /// <summary>
    /// A pre-activation block (ResNet v2, He et al. 2016): the layers before the block's first
    /// <see cref="ConvAttribute"/> (or its first <see cref="BranchAttribute"/>), e.g. <c>[BatchNorm] [Relu]</c>,
    /// are its pre-activation. As for <see cref="BlockKind.PreActBasic"/>: a projection shortcut reads the
    /// pre-activated input (see <see cref="ShortcutInput"/>), nothing follows the addition unless
    /// <see cref="Activation"/> is set, the stem omits its BN-ReLU before a first stage of such blocks and
    /// the head adds BN-ReLU after a last one. It needs at least one layer before the first convolution (RNG035).
    /// </summary>
    /// <example><code>
    /// [ResidualBlock(PreActivation = true)]
    /// [BatchNorm] [Relu] [Conv(3, Strided = true)]
    /// [BatchNorm] [Relu] [Conv(3)]
    /// public partial class WideBlock { }
    /// </code></example>
    public bool PreActivation { get; set; }

    /// <summary>
    /// Which tensor a <see cref="PreActivation"/> block's projection shortcut reads: <see cref="ResNetGen.ShortcutInput.Auto"/>
    /// and <see cref="ResNetGen.ShortcutInput.PreActivated"/> the pre-activated input (torchvision-style v2,
    /// Wide ResNet), <see cref="ResNetGen.ShortcutInput.Raw"/> the block's raw input (Keras's <c>resnet_v2</c>).
    /// Set here rather than on the network's <see cref="ShortcutAttribute"/>: the block class is one class
    /// shared by every network that uses it.
    /// </summary>
    public ShortcutInput ShortcutInput { get; set; }

    /// <summary>Slope of <see cref="ActivationKind.LeakyRelu"/> (default 0.01).</summary>
    public double NegativeSlope { get; set; } = 0.01;
}

/// <summary>A convolution in a custom block's branch (no bias by default, as every ResNet conv followed by BN).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvAttribute : Attribute
{
    /// <summary>Creates a convolution layer.</summary>
    /// <param name="kernelSize">Square kernel size (odd sizes keep the spatial size with the default padding).</param>
    public ConvAttribute(int kernelSize = 3) => KernelSize = kernelSize;

    /// <summary>Square kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Output channels = stage filters × Expansion (default 1). Ignored when <see cref="Filters"/> is set.</summary>
    public int Expansion { get; set; } = 1;

    /// <summary>Absolute output channels (0 = use <see cref="Expansion"/>).</summary>
    public int Filters { get; set; }

    /// <summary>A fixed stride applied in every block (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>This layer carries the stage's stride (first block of a stage).</summary>
    public bool Strided { get; set; }

    /// <summary>Padding (−1, default: <c>dilation × (kernel − 1) / 2</c>, "same" for odd kernels).</summary>
    public int Padding { get; set; } = -1;

    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Groups (default 1).</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Learn a bias (default false).</summary>
    public bool Bias { get; set; }
}

/// <summary>A 2-d batch norm over the current channels.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
    /// <summary>Zero-initialise this norm's weight when the network sets <see cref="ResNetAttribute.ZeroInitResidual"/> (default: the last norm of the branch).</summary>
    public bool ZeroInitTarget { get; set; }
}

/// <summary>A ReLU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReluAttribute : Attribute
{
}

/// <summary>A leaky ReLU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReluAttribute : Attribute
{
    /// <summary>Creates a leaky ReLU.</summary>
    /// <param name="negativeSlope">Slope for negative inputs (default 0.01).</param>
    public LeakyReluAttribute(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; }
}

/// <summary>A max pool.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : Attribute
{
    /// <summary>Creates a max pool.</summary>
    /// <param name="kernelSize">Square window.</param>
    public MaxPoolAttribute(int kernelSize = 3) => KernelSize = kernelSize;

    /// <summary>Square window.</summary>
    public int KernelSize { get; }

    /// <summary>A fixed stride (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>This layer carries the stage's stride (first block of a stage).</summary>
    public bool Strided { get; set; }

    /// <summary>Padding (−1, default: <c>(kernel − 1) / 2</c>).</summary>
    public int Padding { get; set; } = -1;
}

/// <summary>An average pool.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : Attribute
{
    /// <summary>Creates an average pool.</summary>
    /// <param name="kernelSize">Square window.</param>
    public AvgPoolAttribute(int kernelSize = 3) => KernelSize = kernelSize;

    /// <summary>Square window.</summary>
    public int KernelSize { get; }

    /// <summary>A fixed stride (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>This layer carries the stage's stride (first block of a stage).</summary>
    public bool Strided { get; set; }

    /// <summary>Padding (−1, default: <c>(kernel − 1) / 2</c>).</summary>
    public int Padding { get; set; } = -1;
}

/// <summary>Dropout (active in training mode only).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Creates a dropout layer.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    public DropoutAttribute(double p = 0.5) => P = p;

    /// <summary>Drop probability.</summary>
    public double P { get; }
}

/// <summary>Squeeze-and-excitation over the current channels (Hu et al.): pool, 1×1 conv down, ReLU, 1×1 conv up, sigmoid gate.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SqueezeExciteAttribute : Attribute
{
    /// <summary>Creates a squeeze-and-excitation layer.</summary>
    /// <param name="reduction">Channel reduction of the bottleneck (default 16).</param>
    public SqueezeExciteAttribute(int reduction = 16) => Reduction = reduction;

    /// <summary>Channel reduction.</summary>
    public int Reduction { get; }
}
