namespace ResNetGen;

/// <summary>How a <see cref="JoinAttribute"/> combines the outputs of its parallel branches.</summary>
public enum JoinKind
{
    /// <summary>Concatenates the branch outputs along the channels, in branch order (Inception, MSRN); they must agree in height and width.</summary>
    Concat = 0,

    /// <summary>Sums the branch outputs elementwise (ResNeXt's aggregated transformations); they must have the same shape.</summary>
    Add = 1,
}

/// <summary>
/// Starts a parallel branch inside a custom <see cref="ResidualBlockAttribute"/> block. The layer
/// attributes after it, up to the next <c>[Branch]</c> or <see cref="JoinAttribute"/>, form the branch.
/// Consecutive branches make a group: every branch of a group reads the tensor that was current at
/// the group's first <c>[Branch]</c>, and the group ends with a <c>[Join]</c> that combines their
/// outputs; the layers after the join read its result. Groups follow one another; they do not nest.
/// </summary>
/// <remarks>
/// <para>
/// Channel counts inside a branch are relative to the stage's filters, as everywhere in a custom
/// block (<see cref="ConvAttribute.Expansion"/>). After a <see cref="JoinKind.Concat"/> join the block
/// has the sum of the branches' channels; after a <see cref="JoinKind.Add"/> join, their common count.
/// </para>
/// <para>
/// Stride: the stage's stride goes to the layer marked <c>Strided = true</c>; with none marked, to the
/// block's first convolution, and when that convolution is inside a branch group, to the first
/// convolution of every branch of that group, so that the branches can still be joined.
/// </para>
/// <para>
/// A group needs at least two branches, each with at least one layer, and a <c>[Join]</c>; a
/// <see cref="GateAttribute"/> cannot sit inside a branch (RNG034). Branches whose outputs cannot be
/// joined (a different height or width, or for <see cref="JoinKind.Add"/> a different channel count)
/// are reported where a stage uses the block (RNG032), naming both shapes. Convolutions and norms
/// are named <c>conv1</c>, <c>conv2</c>, … and <c>bn1</c>, … in attribute order, across branches.
/// </para>
/// </remarks>
/// <example>
/// The multi-scale residual block of MSRN (Li et al., ECCV 2018): 3×3 and 5×5 branches concatenated,
/// twice, then a 1×1 convolution back to the stage's filters, added to the block input.
/// <code>
/// [ResidualBlock(Activation = ActivationKind.None)]
/// [Branch] [Conv(3, Bias = true)] [Relu]
/// [Branch] [Conv(5, Bias = true)] [Relu]
/// [Join(JoinKind.Concat)]
/// [Branch] [Conv(3, Expansion = 2, Bias = true)] [Relu]
/// [Branch] [Conv(5, Expansion = 2, Bias = true)] [Relu]
/// [Join(JoinKind.Concat)]
/// [Conv(1, Bias = true)]
/// public partial class MultiScaleResidualBlock { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BranchAttribute : Attribute
{
}

/// <summary>
/// Ends a group of parallel <see cref="BranchAttribute"/> branches in a custom
/// <see cref="ResidualBlockAttribute"/> block, combining their outputs as <see cref="Kind"/> says.
/// </summary>
/// <example>
/// Two 3×3 paths summed (ResNeXt-style aggregation), then a batch norm:
/// <code>
/// [ResidualBlock]
/// [Branch] [Conv(3)] [BatchNorm] [Relu] [Conv(3)]
/// [Branch] [Conv(3)] [BatchNorm] [Relu] [Conv(3)]
/// [Join(JoinKind.Add)]
/// [BatchNorm]
/// public partial class TwoPathBlock { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class JoinAttribute : Attribute
{
    /// <summary>Creates the join of the branches before it.</summary>
    /// <param name="kind">Concatenate on the channels or add elementwise.</param>
    public JoinAttribute(JoinKind kind) => Kind = kind;

    /// <summary>Concatenate on the channels or add elementwise.</summary>
    public JoinKind Kind { get; }
}
