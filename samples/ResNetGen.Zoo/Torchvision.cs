// torchvision's ResNet family declared with attributes. Parameter counts and state_dict keys equal
// torchvision's (tests/ResNetGen.Generator.Tests/ZooTests.cs checks both against a live torchvision).
namespace ResNetGen.Zoo;

/// <summary>torchvision.models.resnet18: 11,689,512 parameters.</summary>
[ResNet(InputSize = 224)]
[ResidualStage(64, 2)]
[ResidualStage(128, 2, stride: 2)]
[ResidualStage(256, 2, stride: 2)]
[ResidualStage(512, 2, stride: 2)]
public partial class ResNet18 { }

/// <summary>torchvision.models.resnet34: 21,797,672 parameters.</summary>
[ResNet(InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 6, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNet34 { }

/// <summary>torchvision.models.resnet50 (v1.5): 25,557,032 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 6, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNet50 { }

/// <summary>torchvision.models.resnet101: 44,549,160 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 23, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNet101 { }

/// <summary>torchvision.models.resnet152: 60,192,808 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 8, stride: 2)]
[ResidualStage(256, 36, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNet152 { }

/// <summary>torchvision.models.resnext50_32x4d: 25,028,904 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, Groups = 32, WidthPerGroup = 4, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 6, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNeXt50_32x4d { }

/// <summary>torchvision.models.resnext101_32x8d: 88,791,336 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, Groups = 32, WidthPerGroup = 8, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 23, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class ResNeXt101_32x8d { }

/// <summary>torchvision.models.wide_resnet50_2: 68,883,240 parameters.</summary>
[ResNet(Block = BlockKind.Bottleneck, WidthPerGroup = 128, InputSize = 224)]
[ResidualStage(64, 3)]
[ResidualStage(128, 4, stride: 2)]
[ResidualStage(256, 6, stride: 2)]
[ResidualStage(512, 3, stride: 2)]
public partial class WideResNet50_2 { }
