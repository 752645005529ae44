// Residual networks of the literature that torchvision's syntax alone cannot say: each declared exactly
// as its paper / official code defines it (tests/ResNetGen.Generator.Tests/Oracle/literature_oracle.py
// holds an independent PyTorch definition of each, and the tests compare parameter counts).
namespace ResNetGen.Zoo;

/// <summary>
/// The Keras ResNet of the classic study card, <c>create_resnet(input_shape=(32, 32, 3))</c>:
/// Conv2D(64, 7, strides 2, "same") with bias, BN, ReLU and no max-pool; eight basic blocks
/// (64, 64, 128/2, 128, 256/2, 256, 512/2, 512) of two 3×3 convolutions with bias + BN; a 1×1
/// convolution with bias + BN where the stride or the width changes; global average pool; Dense(10)
/// (its softmax belongs to the loss here). Keras's "same" padding with stride 2 pads asymmetrically in
/// TensorFlow; this declaration uses PyTorch's symmetric equivalent (padding 3 for the 7×7, 1 for the
/// 3×3), which gives the same shapes and parameter count.
/// </summary>
[ResNet(NumClasses = 10, InputSize = 32, ConvBias = true)]
[Stem(StemKind.ImageNet, MaxPool = false)]
[ResidualStage(64, 2)]
[ResidualStage(128, 2, stride: 2)]
[ResidualStage(256, 2, stride: 2)]
[ResidualStage(512, 2, stride: 2)]
public partial class KerasStudyCardResNet { }

/// <summary>
/// keras.io's CIFAR-10 ResNet20 v1 (keras-team/keras <c>examples/cifar10_resnet.py</c>, <c>resnet_v1</c>,
/// depth 20): every convolution has a bias (Keras's default); the stride-2 shortcut is a 1×1 convolution
/// with bias and no batch norm; the global 8×8 average pool and Dense(10) (softmax in the loss).
/// "Same" padding with stride 2 is asymmetric in TensorFlow; PyTorch's symmetric padding 1 gives the same shapes and count.
/// </summary>
[ResNet(NumClasses = 10, InputSize = 32, ConvBias = true)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false)]
[ResidualStage(16, 3)]
[ResidualStage(32, 3, stride: 2)]
[ResidualStage(64, 3, stride: 2)]
public partial class KerasResNet20V1 { }

/// <summary>
/// keras.io's CIFAR-10 ResNet56 v2 (keras-team/keras <c>examples/cifar10_resnet.py</c>, <c>resnet_v2</c>,
/// depth 56: 6 units per stage): a conv-BN-ReLU stem, pre-activation bottleneck units with the stride
/// on the first 1×1 and biased convolutions; the first unit of the first stage skips its BN-ReLU;
/// expansion 4 in stage 0 and 2 after; the projection shortcut (1×1 convolution with bias, no BN) reads
/// the raw input; no ReLU after the add; the network ends BN-ReLU, 8×8 average pool, Dense(10).
/// Symmetric padding stands in for TensorFlow's asymmetric "same" at stride 2 (same shapes and count).
/// </summary>
[ResNet(Block = BlockKind.PreActBottleneck, StrideOnFirstConv = true, NumClasses = 10, InputSize = 32, ConvBias = true)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false, Input = ShortcutInput.Raw)]
[ResidualStage(16, 6, Expansion = 4, SkipFirstPreActivation = true)]
[ResidualStage(64, 6, stride: 2, Expansion = 2)]
[ResidualStage(128, 6, stride: 2, Expansion = 2)]
public partial class KerasResNet56V2 { }

/// <summary>
/// Wide ResNet WRN-28-10 (Zagoruyko &amp; Komodakis, BMVC 2016; the layout of the widely used PyTorch
/// implementation xternalz/WideResNet-pytorch): a 3×3 convolution to 16 channels, three stages of four
/// pre-activation basic blocks of widths 160, 320, 640 with dropout 0.3 between the two convolutions,
/// a 1×1 convolution shortcut without BN applied to the pre-activated input, BN-ReLU, average pool,
/// linear. 36,479,194 parameters for 10 classes.
/// </summary>
[ResNet(Block = BlockKind.PreActBasic, BlockDropout = 0.3, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false)]
[ResidualStage(160, 4)]
[ResidualStage(320, 4, stride: 2)]
[ResidualStage(640, 4, stride: 2)]
public partial class WideResNet28x10 { }

/// <summary>
/// Pre-activation ResNet-110 of "Identity Mappings in Deep Residual Networks" (He et al., ECCV 2016) for
/// CIFAR-10: a 3×3 convolution to 16 channels, 3 × 18 pre-activation basic blocks (16, 32, 64), option-B
/// shortcuts (1×1 convolution, no BN) on the pre-activated input where the shape changes, BN-ReLU,
/// average pool, linear.
/// </summary>
[ResNet(Block = BlockKind.PreActBasic, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false)]
[ResidualStage(16, 18)]
[ResidualStage(32, 18, stride: 2)]
[ResidualStage(64, 18, stride: 2)]
public partial class PreActResNet110 { }

/// <summary>
/// Spec-ResNet's residual block (Alzantot, Wang &amp; Srivastava, Interspeech 2019; nesl/asvspoof2019
/// <c>models.py</c>, <c>ResNetBlock</c>): 3×3 conv, BN, leaky ReLU (0.01), dropout 0.5, 3×3 conv with
/// stride 3, every conv with bias; the shortcut (the network's [Shortcut]) is a strided 3×3 conv with
/// bias; nothing after the add. (The official block also builds a <c>pre_bn</c> that its forward never
/// uses; it is left out here.)
/// </summary>
[ResidualBlock(Activation = ActivationKind.None)]
[Conv(3, Bias = true)]
[BatchNorm]
[LeakyRelu(0.01)]
[Dropout(0.5)]
[Conv(3, Stride = 3, Bias = true)]
public partial class SpecResNetBlock { }

/// <summary>
/// Spec-ResNet (Alzantot et al., Interspeech 2019; nesl/asvspoof2019 <c>SpectrogramModel</c>) on a 1 × 1025
/// × 126 log-spectrogram: a 3×3 conv to 32 channels, the six residual blocks the forward pass uses (each
/// divides height and width by 3: 1025 × 126 → 2 × 1), BN, leaky ReLU, flatten (64 features), dropout 0.5,
/// FC 128 with leaky ReLU, FC 2 (the log-softmax belongs to the loss here). The official class also
/// constructs five blocks its forward never calls; they are left out.
/// </summary>
#pragma warning disable RNG010 // 1025 rows are odd: stride 3 drops the uneven edge, exactly as the official code does
[ResNet(NumClasses = 2, InChannels = 1, InputHeight = 1025, InputWidth = 126, ConvBias = true)]
[Stem(StemKind.Cifar, Filters = 32, Norm = false)]
[Shortcut(KernelSize = 3, Norm = false)]
[ResidualStage(32, 6, CustomBlock = typeof(SpecResNetBlock))]
[Head(HeadPool.Flatten, Norm = true, Activation = ActivationKind.LeakyRelu, Dropout = 0.5, Hidden = new[] { 128 })]
public partial class SpecResNet { }
#pragma warning restore RNG010

// Reduced instances of the same declaration forms, small enough to train an epoch on two CPU cores in a
// test (tests/ResNetGen.Generator.Tests/LiteratureTests.cs); the full networks above run forward and backward.

/// <summary>WRN-10-2: the <see cref="WideResNet28x10"/> form (pre-activation, dropout 0.3 between the convolutions, 1×1 shortcut without BN) at depth 10, width 2.</summary>
[ResNet(Block = BlockKind.PreActBasic, BlockDropout = 0.3, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false)]
[ResidualStage(32, 1)]
[ResidualStage(64, 1, stride: 2)]
[ResidualStage(128, 1, stride: 2)]
public partial class WideResNet10x2 { }

/// <summary>Pre-activation ResNet-20 with option-B shortcuts without BN: the <see cref="PreActResNet110"/> form with 3 blocks per stage.</summary>
[ResNet(Block = BlockKind.PreActBasic, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[Shortcut(Norm = false)]
[ResidualStage(16, 3)]
[ResidualStage(32, 3, stride: 2)]
[ResidualStage(64, 3, stride: 2)]
public partial class PreActResNet20 { }

/// <summary>The <see cref="SpecResNet"/> form on a 1 × 28 × 28 image with three blocks (28 → 10 → 4 → 2; flatten 128 features) and 10 classes.</summary>
[ResNet(NumClasses = 10, InChannels = 1, InputHeight = 28, InputWidth = 28, ConvBias = true)]
[Stem(StemKind.Cifar, Filters = 32, Norm = false)]
[Shortcut(KernelSize = 3, Norm = false)]
[ResidualStage(32, 3, CustomBlock = typeof(SpecResNetBlock))]
[Head(HeadPool.Flatten, Norm = true, Activation = ActivationKind.LeakyRelu, Dropout = 0.5, Hidden = new[] { 128 })]
public partial class SpecResNetSmall { }
