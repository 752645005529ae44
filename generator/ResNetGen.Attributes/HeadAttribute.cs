namespace ResNetGen;

/// <summary>How the head turns the last feature map into a vector.</summary>
public enum HeadPool
{
    /// <summary>Global average pool (torchvision's <c>avgpool</c>; Keras's <c>AveragePooling2D(8)</c> on an 8×8 map is the same).</summary>
    GlobalAverage = 0,

    /// <summary>Flatten the whole map (channels × height × width): the input size must be declared.</summary>
    Flatten = 1,
}

/// <summary>
/// The classifier head of a <see cref="ResNetAttribute"/> network, when it is more than torchvision's
/// global average pool + one linear layer: a batch norm + activation on the last feature map, flatten
/// instead of pooling, dropout, and hidden fully connected layers.
/// </summary>
/// <remarks>
/// Order: [norm → activation] → pool or flatten → dropout → (linear → activation) per hidden width →
/// linear to <see cref="ResNetAttribute.NumClasses"/>. Modules are named <c>norm</c>, <c>avgpool</c>,
/// <c>fc1</c>, <c>fc2</c>, … (<c>fc</c> alone when there is no hidden layer, as torchvision).
/// </remarks>
/// <example>
/// <code>
/// // Spec-ResNet (Alzantot et al. 2019): BN, leaky ReLU, flatten, dropout 0.5, FC 128 + leaky ReLU, FC 2.
/// [Head(HeadPool.Flatten, Norm = true, Activation = ActivationKind.LeakyRelu, Dropout = 0.5, Hidden = new[] { 128 })]
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HeadAttribute : Attribute
{
    /// <summary>Creates the head attribute.</summary>
    /// <param name="pool">Global average pool (default) or flatten.</param>
    public HeadAttribute(HeadPool pool = HeadPool.GlobalAverage) => Pool = pool;

    /// <summary>Global average pool or flatten.</summary>
    public HeadPool Pool { get; }

    /// <summary>Widths of the hidden fully connected layers, in order (default none).</summary>
    public int[]? Hidden { get; set; }

    /// <summary>Activation after the head's norm and after each hidden layer (default <see cref="ActivationKind.Relu"/>).</summary>
    public ActivationKind Activation { get; set; } = ActivationKind.Relu;

    /// <summary>Slope of <see cref="ActivationKind.LeakyRelu"/> (default 0.01).</summary>
    public double NegativeSlope { get; set; } = 0.01;

    /// <summary>Dropout after pooling / flattening, before the first linear layer (unset: the network's <see cref="ResNetAttribute.Dropout"/>).</summary>
    public double Dropout { get; set; }

    /// <summary>Batch norm + <see cref="Activation"/> on the last feature map (unset: on exactly when the last stage is pre-activation).</summary>
    public bool Norm { get; set; }
}
