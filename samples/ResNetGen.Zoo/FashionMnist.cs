// The main job's network: the CIFAR ResNet-20 of He et al. (2015) with one input channel, for
// 28×28 Fashion-MNIST. Shortcuts are Auto: identity where shapes match, projection (option B) where not.
namespace ResNetGen.Zoo;

/// <summary>ResNet-20 for 28×28 grayscale images (Fashion-MNIST, MNIST): 28 → 14 → 7.</summary>
[ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
[Stem(StemKind.Cifar, Filters = 16)]
[ResidualStage(filters: 16, blocks: 3)]
[ResidualStage(filters: 32, blocks: 3, stride: 2)]
[ResidualStage(filters: 64, blocks: 3, stride: 2)]
public partial class ResNet20 { }
