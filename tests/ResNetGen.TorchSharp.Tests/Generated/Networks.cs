// Families the zoo does not declare, for the TorchSharp target (tests/ResNetGen.Generator.Tests/Families.cs has the same shapes).
namespace ResNetGen.TorchSharp.Tests.Generated;

[ResNet(Block = BlockKind.PreActBasic, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar, Filters = 64)]
[ResidualStage(64, 2)]
[ResidualStage(128, 2, stride: 2)]
[ResidualStage(256, 2, stride: 2)]
[ResidualStage(512, 2, stride: 2)]
public partial class PreActResNet18 { }

[ResNet(Block = BlockKind.PreActBottleneck, NumClasses = 100)]
[Stem(StemKind.Cifar, Filters = 32)]
[ResidualStage(16, 2)]
[ResidualStage(32, 2, stride: 2)]
public partial class PreActBottleneckNet { }

[ResNet(SqueezeExcite = 16, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 1)]
[ResidualStage(32, 1, stride: 2, SqueezeExcite = 8)]
public partial class SeResNet { }

[ResNet(DropPath = 0.2, NumClasses = 10, InputSize = 32)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 2)]
[ResidualStage(32, 2, stride: 2)]
public partial class StochasticDepthNet { }
