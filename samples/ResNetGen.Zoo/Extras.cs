// Networks torchvision lacks, declared with the same attributes.
namespace ResNetGen.Zoo;

/// <summary>ResNet-50-D (Bag of Tricks, He et al. 2019): deep stem and average-pool downsampling shortcuts (timm's resnet50d layout).</summary>
[ResNet(Block = BlockKind.Bottleneck, Shortcut = ShortcutKind.AvgDown, InputSize = 224)]
[Stem(StemKind.Deep)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 6, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNet50D { }

/// <summary>An audio ResNet for log-mel spectrograms: leaky ReLU blocks, one input channel.</summary>
[ResidualBlock(Activation = ActivationKind.LeakyRelu, NegativeSlope = 0.1)]
[Conv(3, Strided = true)]
[BatchNorm]
[LeakyRelu(0.1)]
[Conv(3)]
[BatchNorm]
public partial class LeakyBasicBlock { }

/// <summary>Audio classifier on 1×128×128 spectrograms (50 classes, ESC-50-like).</summary>
[ResNet(NumClasses = 50, InChannels = 1, InputSize = 128)]
[Stem(StemKind.Cifar, Filters = 32)]
[ResidualStage(32, 2, CustomBlock = typeof(LeakyBasicBlock))]
[ResidualStage(64, 2, stride: 2, CustomBlock = typeof(LeakyBasicBlock))]
[ResidualStage(128, 2, stride: 2, CustomBlock = typeof(LeakyBasicBlock))]
[ResidualStage(256, 2, stride: 2, CustomBlock = typeof(LeakyBasicBlock))]
public partial class AudioResNet { }
