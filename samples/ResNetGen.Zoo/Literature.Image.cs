// Networks of the literature whose output is an image (super-resolution: EDSR-style and MSRN), declared with attributes.
// Parameter counts and output shapes are checked against independent PyTorch definitions
// (tests/ResNetGen.Generator.Tests/Oracle/image_oracle.py).
namespace ResNetGen.Zoo;

/// <summary>
/// EDSR's residual block (Lim et al., "Enhanced Deep Residual Networks for Single Image Super-Resolution",
/// CVPRW 2017; official code sanghyun-son/EDSR-PyTorch, <c>common.ResBlock</c> with res_scale 1):
/// 3×3 conv with bias, ReLU, 3×3 conv with bias, the identity added, no batch norm and no activation after the add.
/// </summary>
[ResidualBlock(Activation = ActivationKind.None)]
[Conv(3, Bias = true)]
[Relu]
[Conv(3, Bias = true)]
public partial class EdsrBlock { }

/// <summary>
/// MSRN's network layout (Li et al., "Multi-scale Residual Network for Image Super-Resolution", ECCV 2018;
/// official code MIVRC/MSRN-PyTorch, <c>msrn.py</c>) with EDSR blocks in place of its multi-scale blocks:
/// a 3×3 conv to 64 channels, eight residual blocks, hierarchical feature fusion (every block's output and
/// the head's, concatenated: <c>nn.Conv2d(64 * 9, 64, 1)</c>), then conv(64, 64, 3), conv(64, 256, 3),
/// PixelShuffle(2), conv(64, 3, 3); every convolution with bias. MeanShift (fixed, not trained) is left to
/// the data pipeline. Output <c>[N, 3, 2H, 2W]</c>.
/// </summary>
[ResNet(InChannels = 3, InputSize = 48, ConvBias = true)]
[Stem(StemKind.Cifar, Filters = 64, Norm = false)]
[ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(EdsrBlock))]
[FeatureFusion]
[Reconstruction(scale: 2)]
public partial class FusedEdsrX2 { }

/// <summary>
/// An EDSR-style ×3 network (Lim et al. 2017, <c>common.Upsampler</c> for scale 3: conv(F, 9F, 3),
/// PixelShuffle(3)), at reduced size: a 3×3 conv to 32 channels, four EDSR blocks, the ×3 tail without a
/// leading convolution, and conv(32, 3, 3). Unlike EDSR it has neither the body's last convolution nor the
/// global skip connection (the attributes express neither). Output <c>[N, 3, 3H, 3W]</c>.
/// </summary>
[ResNet(InChannels = 3, InputSize = 16, ConvBias = true)]
[Stem(StemKind.Cifar, Filters = 32, Norm = false)]
[ResidualStage(filters: 32, blocks: 4, CustomBlock = typeof(EdsrBlock))]
[Reconstruction(3, LeadingConv = false)]
public partial class EdsrLikeX3 { }

/// <summary>
/// MSRN ×2 (Li, Fang, Mei and Zhang, "Multi-scale Residual Network for Image Super-Resolution", ECCV 2018;
/// the authors' code github.com/MIVRC/MSRN-PyTorch, <c>model/msrn.py</c>): a 3×3 convolution to 64 channels
/// (the feature extraction), eight <see cref="MultiScaleResidualBlock"/>s, the hierarchical feature fusion
/// (the outputs of all eight blocks and of the first convolution concatenated, 576 channels, fused by a 1×1
/// convolution to 64), then the reconstruction: conv(64, 64, 3), conv(64, 256, 3), PixelShuffle(2), conv(64, 3, 3).
/// Every convolution has a bias; there is no batch norm. Input: the 48×48 low-resolution patches MSRN trains
/// on; output <c>[N, 3, 96, 96]</c>. The authors' fixed <c>MeanShift</c> layers (1×1 convolutions that
/// subtract and add the DIV2K mean, <c>requires_grad = False</c>) are left to the data pipeline, so this
/// counts the 5,930,307 trained parameters (the authors' model holds 24 more, frozen). As the authors' code,
/// the layers keep PyTorch's default initialisation (<see cref="WeightInit.PyTorchDefault"/>).
/// </summary>
[ResNet(InChannels = 3, InputSize = 48, ConvBias = true, Init = WeightInit.PyTorchDefault)]
[Stem(StemKind.Cifar, Filters = 64, Norm = false)]
[ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(MultiScaleResidualBlock))]
[FeatureFusion]
[Reconstruction(scale: 2)]
public partial class MsrnX2 { }

/// <summary>MSRN ×3 (Li et al., ECCV 2018; MIVRC/MSRN-PyTorch): <see cref="MsrnX2"/> with the ×3 sub-pixel step, conv(64, 576, 3) + PixelShuffle(3); 6,114,947 trained parameters.</summary>
[ResNet(InChannels = 3, InputSize = 48, ConvBias = true, Init = WeightInit.PyTorchDefault)]
[Stem(StemKind.Cifar, Filters = 64, Norm = false)]
[ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(MultiScaleResidualBlock))]
[FeatureFusion]
[Reconstruction(scale: 3)]
public partial class MsrnX3 { }

/// <summary>MSRN ×4 (Li et al., ECCV 2018; MIVRC/MSRN-PyTorch): <see cref="MsrnX2"/> with two ×2 sub-pixel steps; 6,078,019 trained parameters.</summary>
[ResNet(InChannels = 3, InputSize = 48, ConvBias = true, Init = WeightInit.PyTorchDefault)]
[Stem(StemKind.Cifar, Filters = 64, Norm = false)]
[ResidualStage(filters: 64, blocks: 8, CustomBlock = typeof(MultiScaleResidualBlock))]
[FeatureFusion]
[Reconstruction(scale: 4)]
public partial class MsrnX4 { }
