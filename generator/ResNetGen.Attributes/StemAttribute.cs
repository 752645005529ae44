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
}
