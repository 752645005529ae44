namespace ResNetGen;

/// <summary>
/// A dense block (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017) of a
/// <see cref="ResNetAttribute"/> network: <c>layers</c> dense layers, each BN-ReLU-1×1 conv
/// (<c>BottleneckWidth × growthRate</c> channels) - BN-ReLU-3×3 conv (<c>growthRate</c> channels), whose
/// output is concatenated to its input. Blocks and <see cref="TransitionAttribute"/>s run in source order;
/// a network with dense blocks has no <see cref="ResidualStageAttribute"/>s. The generated module uses
/// torchvision's <c>DenseNet</c> names (<c>features.denseblock1.denselayer1.conv1</c>, ...), and ends with
/// <c>features.norm5</c>, ReLU, global average pool and <c>classifier</c>.
/// </summary>
/// <example><code>
/// [ResNet(NumClasses = 1000, InputSize = 224)]
/// [Stem(StemKind.ImageNet)]               // features.conv0/norm0/relu0/pool0
/// [DenseBlock(layers: 6, growthRate: 32)]
/// [Transition(Compression = 0.5)]
/// [DenseBlock(layers: 12, growthRate: 32)]
/// public partial class MyDenseNet { }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseBlockAttribute : Attribute
{
    /// <summary>Creates a dense block.</summary>
    /// <param name="layers">Dense layers in the block.</param>
    /// <param name="growthRate">Channels each layer adds (k in the paper).</param>
    public DenseBlockAttribute(int layers, int growthRate)
    {
        Layers = layers;
        GrowthRate = growthRate;
    }

    /// <summary>Dense layers in the block.</summary>
    public int Layers { get; }

    /// <summary>Channels each layer adds (k).</summary>
    public int GrowthRate { get; }

    /// <summary>The 1×1 bottleneck's width as a multiple of the growth rate (torchvision's <c>bn_size</c>; default 4, DenseNet-B). 0 = no bottleneck (BN-ReLU-3×3 conv only, plain DenseNet).</summary>
    public int BottleneckWidth { get; set; } = 4;

    /// <summary>Dropout after each layer's last convolution (torchvision's <c>drop_rate</c>; default 0).</summary>
    public double Dropout { get; set; }
}

/// <summary>
/// A DenseNet transition layer between two <see cref="DenseBlockAttribute"/>s: BN-ReLU-1×1 conv to
/// <c>floor(channels × Compression)</c> channels, then a 2×2 average pool with stride 2
/// (torchvision's <c>features.transitionN.norm/conv</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TransitionAttribute : Attribute
{
    /// <summary>Output channels as a fraction of the input channels (θ in the paper; default 0.5, DenseNet-C; 1 = no compression).</summary>
    public double Compression { get; set; } = 0.5;
}
