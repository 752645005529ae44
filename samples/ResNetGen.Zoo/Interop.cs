// Networks for moving weights between PyTorch and ResNetGen (docs/interop.md). Their PyTorch
// twins, with the same state_dict keys, are in tests/ResNetGen.Interop.Tests/Python/interop_models.py.
namespace ResNetGen.Zoo;

/// <summary>
/// Pre-activation ResNet-18 for CIFAR-10 (He et al. 2016, "Identity Mappings in Deep Residual Networks";
/// kuangliu/pytorch-cifar's PreActResNet18 with BN in the projection shortcuts): 11,173,962 parameters.
/// </summary>
[ResNet(Block = BlockKind.PreActBasic, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar, Filters = 64)]
[ResidualStage(64, 2)]
[ResidualStage(128, 2, stride: 2)]
[ResidualStage(256, 2, stride: 2)]
[ResidualStage(512, 2, stride: 2)]
public partial class PreActResNet18 { }

/// <summary>
/// Pre-activation ResNet-164 for CIFAR-10 (He et al. 2016, table 2): bottleneck blocks, 3 stages of 18,
/// 16/32/64 filters (64/128/256 output channels): 1,704,154 parameters.
/// </summary>
[ResNet(Block = BlockKind.PreActBottleneck, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar, Filters = 16)]
[ResidualStage(16, 18)]
[ResidualStage(32, 18, stride: 2)]
[ResidualStage(64, 18, stride: 2)]
public partial class PreActResNet164 { }

/// <summary>
/// torchvision's resnet18 with a 10-class head: the target of fine-tuning ImageNet weights
/// (load everything but <c>fc.*</c>, docs/interop.md).
/// </summary>
[ResNet(NumClasses = 10, InputSize = 224)]
[ResidualStage(64, 2)]
[ResidualStage(128, 2, stride: 2)]
[ResidualStage(256, 2, stride: 2)]
[ResidualStage(512, 2, stride: 2)]
public partial class ResNet18With10Classes { }
