namespace ResNetGen;

/// <summary>
/// Turns a custom <see cref="ResidualBlockAttribute"/> block into a highway layer (Srivastava, Greff and
/// Schmidhuber, "Training Very Deep Networks", NeurIPS 2015): the block computes
/// <c>y = H(x)·T(x) + x·(1 − T(x))</c>, where H is the block's branch (its layer attributes) and the
/// transform gate <c>T(x) = sigmoid(conv(x))</c> is a convolution of the block input with its own bias,
/// initialised to <see cref="InitialBias"/> (negative: the layer starts by carrying its input). The gate
/// takes the stage's stride like the branch; where the block changes shape, the carry path is the
/// stage's shortcut (projection) of x. The gate's output must have the branch's shape (RNG033).
/// </summary>
/// <example><code>
/// [ResidualBlock(Activation = ActivationKind.None)]
/// [Conv(3, Bias = true)]
/// [Relu]
/// [Gate(3, InitialBias = -1)]
/// public partial class HighwayLayer { }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GateAttribute : Attribute
{
    /// <summary>Creates the transform gate.</summary>
    /// <param name="kernelSize">Square kernel of the gate's convolution ("same" padding).</param>
    public GateAttribute(int kernelSize = 3) => KernelSize = kernelSize;

    /// <summary>Square kernel of the gate's convolution.</summary>
    public int KernelSize { get; }

    /// <summary>Initial value of every gate bias (default −1; the paper uses −1 to −3, so that T starts small and the layer carries x).</summary>
    public double InitialBias { get; set; } = -1;

    /// <summary>Gate channels = stage filters × Expansion (default 1; they must equal the branch's output channels).</summary>
    public int Expansion { get; set; } = 1;

    /// <summary>Absolute gate channels (0 = use <see cref="Expansion"/>).</summary>
    public int Filters { get; set; }
}
