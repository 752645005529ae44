// Networks of the literature whose graphs are not a plain chain of residual blocks, declared with
// attributes. Parameter counts are checked against independent PyTorch definitions
// (tests/ResNetGen.Generator.Tests/Oracle/graph_oracle.py) and, for densenet121, torchvision itself.
namespace ResNetGen.Zoo;

/// <summary>
/// torchvision.models.densenet121 (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017;
/// torchvision/models/densenet.py): growth rate 32, blocks of 6-12-24-16 layers, bottleneck 4k,
/// compression 0.5, 64 initial features; 7,978,856 parameters; torchvision's state_dict keys.
/// </summary>
[ResNet(InputSize = 224)]
[Stem(StemKind.ImageNet)]
[DenseBlock(6, growthRate: 32)]
[Transition(Compression = 0.5)]
[DenseBlock(12, growthRate: 32)]
[Transition(Compression = 0.5)]
[DenseBlock(24, growthRate: 32)]
[Transition(Compression = 0.5)]
[DenseBlock(16, growthRate: 32)]
public partial class DenseNet121 { }

/// <summary>
/// DenseNet-BC-100 with k = 12 for CIFAR-10 (Huang et al. 2017, table 2; the authors' code
/// liuzhuang13/DenseNet): a 3×3 convolution to 2k = 24 channels, three dense blocks of 16 bottleneck
/// layers ((100 − 4) / 6), transitions with compression 0.5, final BN-ReLU, global pool, 10 classes.
/// </summary>
[ResNet(NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[DenseBlock(16, growthRate: 12)]
[Transition(Compression = 0.5)]
[DenseBlock(16, growthRate: 12)]
[Transition(Compression = 0.5)]
[DenseBlock(16, growthRate: 12)]
public partial class DenseNetBC100 { }

/// <summary>
/// DenseNet-BC with k = 12 at reduced depth (40: three blocks of 6 bottleneck layers) for 28×28 grayscale
/// Fashion-MNIST: the DenseNet-BC-100 structure at a size a CPU trains in seconds.
/// </summary>
[ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
[Stem(StemKind.Cifar)]
[DenseBlock(6, growthRate: 12)]
[Transition(Compression = 0.5)]
[DenseBlock(6, growthRate: 12)]
[Transition(Compression = 0.5)]
[DenseBlock(6, growthRate: 12)]
public partial class DenseNetBC40Mnist { }

/// <summary>
/// A convolutional highway layer (Srivastava, Greff and Schmidhuber, "Training Very Deep Networks",
/// NeurIPS 2015, section 2 and 4): y = H(x)·T(x) + x·(1 − T(x)) with H(x) = ReLU(3×3 conv(x) + b_H) and the
/// transform gate T(x) = sigmoid(3×3 conv(x) + b_T), b_T initialised to −1 so that every layer starts by
/// carrying its input; no activation after the join.
/// </summary>
[ResidualBlock(Activation = ActivationKind.None)]
[Conv(3, Bias = true)]
[Relu]
[Gate(3, InitialBias = -1)]
public partial class HighwayLayer { }

/// <summary>
/// A convolutional highway network for 28×28 grayscale images (Srivastava et al. 2015): a 3×3 convolution
/// (BN, ReLU) to 32 channels, nine highway layers of 32 channels (<see cref="HighwayLayer"/>), global average
/// pool and a linear classifier for 10 classes.
/// </summary>
[ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
[Stem(StemKind.Cifar, Filters = 32)]
[ResidualStage(32, 9, CustomBlock = typeof(HighwayLayer))]
public partial class HighwayNet { }
