using ResNetGen;

namespace TorchSharpSample;

/// <summary>
/// A small residual network for 1×16×16 images and 3 classes, declared with ResNetGen's attributes:
/// the generator writes it as TorchSharp code (a <c>torch.nn.Module&lt;Tensor, Tensor&gt;</c>).
/// </summary>
[ResNet(NumClasses = 3, InChannels = 1, InputSize = 16)]
[Stem(StemKind.Cifar, Filters = 16)]
[ResidualStage(16, 1)]
[ResidualStage(32, 1, stride: 2)]
public partial class StripeNet { }
