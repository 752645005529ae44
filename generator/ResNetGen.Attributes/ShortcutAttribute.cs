namespace ResNetGen;

/// <summary>Which tensor a pre-activation block's projection shortcut reads.</summary>
public enum ShortcutInput
{
    /// <summary>Pre-activation blocks: the pre-activated input (torchvision-style v2, Wide ResNet); other blocks: the raw input.</summary>
    Auto = 0,

    /// <summary>The block's raw input (Keras's <c>resnet_v2</c>).</summary>
    Raw = 1,

    /// <summary>The block's input after its leading BN-ReLU (He et al.'s "both_preact"); pre-activation blocks only.</summary>
    PreActivated = 2,
}

/// <summary>
/// How projection shortcuts are built (every stage whose shortcut is a projection): the convolution's
/// kernel, padding and bias, whether a batch norm follows, and (pre-activation blocks) which input it reads.
/// Without it a projection is torchvision's <c>downsample</c>: 1×1 convolution without bias + batch norm.
/// </summary>
/// <example>
/// <code>
/// // Wide ResNet / "Identity Mappings" option B: 1×1 convolution, no batch norm.
/// [Shortcut(Norm = false)]
/// // Spec-ResNet: a strided 3×3 convolution with bias.
/// [Shortcut(KernelSize = 3, Bias = true, Norm = false)]
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ShortcutAttribute : Attribute
{
    /// <summary>Square kernel of the projection convolution (default 1).</summary>
    public int KernelSize { get; set; } = 1;

    /// <summary>Padding (−1, default: <c>(kernel − 1) / 2</c>).</summary>
    public int Padding { get; set; } = -1;

    /// <summary>Learn a bias (unset: the network's <see cref="ResNetAttribute.ConvBias"/>).</summary>
    public bool Bias { get; set; }

    /// <summary>Batch norm after the convolution (default true).</summary>
    public bool Norm { get; set; } = true;

    /// <summary>Raw or pre-activated input (default <see cref="ShortcutInput.Auto"/>).</summary>
    public ShortcutInput Input { get; set; }
}
