// The CIFAR-10 ResNets of He et al. (2015), section 4.2: 6n+2 layers, 3 stages of 16/32/64 filters.
// Option A: zero-padding shortcuts (no parameters). Option B: projection shortcuts where shapes change.
namespace ResNetGen.Zoo;

/// <summary>CIFAR ResNet-20, option A (zero-padding shortcuts), n = 3.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 3)]
[ResidualStage(32, 3, stride: 2)]
[ResidualStage(64, 3, stride: 2)]
public partial class CifarResNet20A { }

/// <summary>CIFAR ResNet-20, option B (projection shortcuts), n = 3.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.Projection)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 3)]
[ResidualStage(32, 3, stride: 2)]
[ResidualStage(64, 3, stride: 2)]
public partial class CifarResNet20B { }

/// <summary>CIFAR ResNet-32, option A (zero-padding shortcuts), n = 5.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 5)]
[ResidualStage(32, 5, stride: 2)]
[ResidualStage(64, 5, stride: 2)]
public partial class CifarResNet32A { }

/// <summary>CIFAR ResNet-32, option B (projection shortcuts), n = 5.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.Projection)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 5)]
[ResidualStage(32, 5, stride: 2)]
[ResidualStage(64, 5, stride: 2)]
public partial class CifarResNet32B { }

/// <summary>CIFAR ResNet-44, option A (zero-padding shortcuts), n = 7.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 7)]
[ResidualStage(32, 7, stride: 2)]
[ResidualStage(64, 7, stride: 2)]
public partial class CifarResNet44A { }

/// <summary>CIFAR ResNet-44, option B (projection shortcuts), n = 7.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.Projection)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 7)]
[ResidualStage(32, 7, stride: 2)]
[ResidualStage(64, 7, stride: 2)]
public partial class CifarResNet44B { }

/// <summary>CIFAR ResNet-56, option A (zero-padding shortcuts), n = 9.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 9)]
[ResidualStage(32, 9, stride: 2)]
[ResidualStage(64, 9, stride: 2)]
public partial class CifarResNet56A { }

/// <summary>CIFAR ResNet-56, option B (projection shortcuts), n = 9.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.Projection)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 9)]
[ResidualStage(32, 9, stride: 2)]
[ResidualStage(64, 9, stride: 2)]
public partial class CifarResNet56B { }

/// <summary>CIFAR ResNet-110, option A (zero-padding shortcuts), n = 18.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 18)]
[ResidualStage(32, 18, stride: 2)]
[ResidualStage(64, 18, stride: 2)]
public partial class CifarResNet110A { }

/// <summary>CIFAR ResNet-110, option B (projection shortcuts), n = 18.</summary>
[ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.Projection)]
[Stem(StemKind.Cifar)]
[ResidualStage(16, 18)]
[ResidualStage(32, 18, stride: 2)]
[ResidualStage(64, 18, stride: 2)]
public partial class CifarResNet110B { }
