// Blocks of the literature with parallel branches ([Branch] ... [Join]), declared with attributes.
// Parameter counts are checked against independent PyTorch definitions
// (tests/ResNetGen.Generator.Tests/Oracle/branch_oracle.py).
namespace ResNetGen.Zoo;

/// <summary>
/// The multi-scale residual block (MSRB) of MSRN (Li, Fang, Mei and Zhang, "Multi-scale Residual Network
/// for Image Super-Resolution", ECCV 2018, section 3.1; the authors' code github.com/MIVRC/MSRN-PyTorch).
/// With n the stage's filters: a 3×3 and a 5×5 convolution of the input (n → n, ReLU) concatenated to 2n
/// channels; a 3×3 and a 5×5 convolution of that (2n → 2n, ReLU) concatenated to 4n; a 1×1 convolution
/// (the "confusion" layer) back to n, added to the input, with no activation after the addition. Every
/// convolution has a bias; there is no batch norm. At n = 64, as in MSRN: 713,152 parameters.
/// </summary>
[ResidualBlock(Activation = ActivationKind.None)]
[Branch] [Conv(3, Bias = true)] [Relu]
[Branch] [Conv(5, Bias = true)] [Relu]
[Join(JoinKind.Concat)]
[Branch] [Conv(3, Expansion = 2, Bias = true)] [Relu]
[Branch] [Conv(5, Expansion = 2, Bias = true)] [Relu]
[Join(JoinKind.Concat)]
[Conv(1, Bias = true)]
public partial class MultiScaleResidualBlock { }

/// <summary>
/// A small classifier for 28×28 grayscale images built from MSRN's <see cref="MultiScaleResidualBlock"/>:
/// a 3×3 convolution (BN, ReLU) to 32 channels, two blocks of 32 channels, then a block of 64 channels
/// whose branches' first convolutions stride 2 (its input carried by a projection shortcut), global
/// average pool and a linear classifier for 10 classes. Not MSRN itself (a super-resolution network). Its blocks have
/// no batch norm, so it keeps PyTorch's default initialisation as MSRN does: under torchvision's Kaiming normal
/// (fan-out) the residual sums grow block by block (initial loss 11.9 on Fashion-MNIST, where ln 10 = 2.3) and SGD
/// diverges within a few steps.
/// </summary>
[ResNet(NumClasses = 10, InChannels = 1, InputSize = 28, Init = WeightInit.PyTorchDefault)]
[Stem(StemKind.Cifar, Filters = 32)]
[ResidualStage(32, 2, CustomBlock = typeof(MultiScaleResidualBlock))]
[ResidualStage(64, 1, stride: 2, CustomBlock = typeof(MultiScaleResidualBlock))]
public partial class MultiScaleResidualNet { }
