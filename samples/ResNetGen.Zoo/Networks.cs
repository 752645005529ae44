using ResNetGen.Torch;

namespace ResNetGen.Zoo;

/// <summary>One network of the zoo, as the CLI and the benchmarks find it by name.</summary>
public sealed record NetworkInfo(string Name, string Description, Func<Module<Tensor, Tensor>> Create, Func<string> Summary,
    int InChannels, int InputSize, int NumClasses, long ParameterCount);

/// <summary>Every network of the zoo by name (explicit, no reflection: each line reads the generated constants).</summary>
public static class Networks
{
    public static IReadOnlyList<NetworkInfo> All { get; } =
    [
        new("resnet20", "CIFAR ResNet-20 for 28×28 grayscale (Fashion-MNIST), the main job's network", () => new ResNet20(), ResNet20.Summary, ResNet20.InChannels, ResNet20.InputSize, ResNet20.NumClasses, ResNet20.ParameterCount),
        new("cifar_resnet20a", "CIFAR ResNet-20, option A (zero-pad shortcuts)", () => new CifarResNet20A(), CifarResNet20A.Summary, CifarResNet20A.InChannels, CifarResNet20A.InputSize, CifarResNet20A.NumClasses, CifarResNet20A.ParameterCount),
        new("cifar_resnet20b", "CIFAR ResNet-20, option B (projection shortcuts)", () => new CifarResNet20B(), CifarResNet20B.Summary, CifarResNet20B.InChannels, CifarResNet20B.InputSize, CifarResNet20B.NumClasses, CifarResNet20B.ParameterCount),
        new("cifar_resnet32a", "CIFAR ResNet-32, option A", () => new CifarResNet32A(), CifarResNet32A.Summary, CifarResNet32A.InChannels, CifarResNet32A.InputSize, CifarResNet32A.NumClasses, CifarResNet32A.ParameterCount),
        new("cifar_resnet44a", "CIFAR ResNet-44, option A", () => new CifarResNet44A(), CifarResNet44A.Summary, CifarResNet44A.InChannels, CifarResNet44A.InputSize, CifarResNet44A.NumClasses, CifarResNet44A.ParameterCount),
        new("cifar_resnet56a", "CIFAR ResNet-56, option A", () => new CifarResNet56A(), CifarResNet56A.Summary, CifarResNet56A.InChannels, CifarResNet56A.InputSize, CifarResNet56A.NumClasses, CifarResNet56A.ParameterCount),
        new("cifar_resnet110a", "CIFAR ResNet-110, option A", () => new CifarResNet110A(), CifarResNet110A.Summary, CifarResNet110A.InChannels, CifarResNet110A.InputSize, CifarResNet110A.NumClasses, CifarResNet110A.ParameterCount),
        new("resnet18", "torchvision resnet18", () => new ResNet18(), ResNet18.Summary, ResNet18.InChannels, ResNet18.InputSize, ResNet18.NumClasses, ResNet18.ParameterCount),
        new("resnet34", "torchvision resnet34", () => new ResNet34(), ResNet34.Summary, ResNet34.InChannels, ResNet34.InputSize, ResNet34.NumClasses, ResNet34.ParameterCount),
        new("resnet50", "torchvision resnet50 (v1.5)", () => new ResNet50(), ResNet50.Summary, ResNet50.InChannels, ResNet50.InputSize, ResNet50.NumClasses, ResNet50.ParameterCount),
        new("resnet101", "torchvision resnet101", () => new ResNet101(), ResNet101.Summary, ResNet101.InChannels, ResNet101.InputSize, ResNet101.NumClasses, ResNet101.ParameterCount),
        new("resnet152", "torchvision resnet152", () => new ResNet152(), ResNet152.Summary, ResNet152.InChannels, ResNet152.InputSize, ResNet152.NumClasses, ResNet152.ParameterCount),
        new("resnext50_32x4d", "torchvision resnext50_32x4d", () => new ResNeXt50_32x4d(), ResNeXt50_32x4d.Summary, ResNeXt50_32x4d.InChannels, ResNeXt50_32x4d.InputSize, ResNeXt50_32x4d.NumClasses, ResNeXt50_32x4d.ParameterCount),
        new("resnext101_32x8d", "torchvision resnext101_32x8d", () => new ResNeXt101_32x8d(), ResNeXt101_32x8d.Summary, ResNeXt101_32x8d.InChannels, ResNeXt101_32x8d.InputSize, ResNeXt101_32x8d.NumClasses, ResNeXt101_32x8d.ParameterCount),
        new("wide_resnet50_2", "torchvision wide_resnet50_2", () => new WideResNet50_2(), WideResNet50_2.Summary, WideResNet50_2.InChannels, WideResNet50_2.InputSize, WideResNet50_2.NumClasses, WideResNet50_2.ParameterCount),
        new("resnet50d", "ResNet-50-D (deep stem, avg-down shortcuts)", () => new ResNet50D(), ResNet50D.Summary, ResNet50D.InChannels, ResNet50D.InputSize, ResNet50D.NumClasses, ResNet50D.ParameterCount),
        new("preact_resnet18", "pre-activation ResNet-18 (v2), CIFAR", () => new PreActResNet18(), PreActResNet18.Summary, PreActResNet18.InChannels, PreActResNet18.InputSize, PreActResNet18.NumClasses, PreActResNet18.ParameterCount),
        new("preact_resnet164", "pre-activation ResNet-164 (v2, bottleneck), CIFAR", () => new PreActResNet164(), PreActResNet164.Summary, PreActResNet164.InChannels, PreActResNet164.InputSize, PreActResNet164.NumClasses, PreActResNet164.ParameterCount),
        new("densenet121", "torchvision densenet121", () => new DenseNet121(), DenseNet121.Summary, DenseNet121.InChannels, DenseNet121.InputSize, DenseNet121.NumClasses, DenseNet121.ParameterCount),
        new("densenet_bc100", "DenseNet-BC-100 (k = 12), CIFAR", () => new DenseNetBC100(), DenseNetBC100.Summary, DenseNetBC100.InChannels, DenseNetBC100.InputSize, DenseNetBC100.NumClasses, DenseNetBC100.ParameterCount),
        new("densenet_bc40_mnist", "DenseNet-BC-40 (k = 12) for 28×28 grayscale", () => new DenseNetBC40Mnist(), DenseNetBC40Mnist.Summary, DenseNetBC40Mnist.InChannels, DenseNetBC40Mnist.InputSize, DenseNetBC40Mnist.NumClasses, DenseNetBC40Mnist.ParameterCount),
        new("highway", "convolutional highway network (Srivastava et al. 2015), 28×28 grayscale", () => new HighwayNet(), HighwayNet.Summary, HighwayNet.InChannels, HighwayNet.InputSize, HighwayNet.NumClasses, HighwayNet.ParameterCount),
        new("msrb_net", "multi-scale residual blocks (MSRN, Li et al. 2018) classifier, 28×28 grayscale", () => new MultiScaleResidualNet(), MultiScaleResidualNet.Summary, MultiScaleResidualNet.InChannels, MultiScaleResidualNet.InputSize, MultiScaleResidualNet.NumClasses, MultiScaleResidualNet.ParameterCount),
        new("resnet18_10", "torchvision resnet18 with a 10-class head (fine-tuning)", () => new ResNet18With10Classes(), ResNet18With10Classes.Summary, ResNet18With10Classes.InChannels, ResNet18With10Classes.InputSize, ResNet18With10Classes.NumClasses, ResNet18With10Classes.ParameterCount),
        // The literature's configured forms (Literature.cs).
        new("keras_study_card", "the Keras study-card ResNet (biased convs, no max-pool), 32×32 RGB", () => new KerasStudyCardResNet(), KerasStudyCardResNet.Summary, KerasStudyCardResNet.InChannels, KerasStudyCardResNet.InputSize, KerasStudyCardResNet.NumClasses, KerasStudyCardResNet.ParameterCount),
        new("keras_resnet20v1", "keras.io CIFAR-10 ResNet20 v1", () => new KerasResNet20V1(), KerasResNet20V1.Summary, KerasResNet20V1.InChannels, KerasResNet20V1.InputSize, KerasResNet20V1.NumClasses, KerasResNet20V1.ParameterCount),
        new("keras_resnet56v2", "keras.io CIFAR-10 ResNet56 v2 (pre-activation bottleneck)", () => new KerasResNet56V2(), KerasResNet56V2.Summary, KerasResNet56V2.InChannels, KerasResNet56V2.InputSize, KerasResNet56V2.NumClasses, KerasResNet56V2.ParameterCount),
        new("wrn28_10", "Wide ResNet WRN-28-10, CIFAR", () => new WideResNet28x10(), WideResNet28x10.Summary, WideResNet28x10.InChannels, WideResNet28x10.InputSize, WideResNet28x10.NumClasses, WideResNet28x10.ParameterCount),
        new("preact_resnet110", "pre-activation ResNet-110, option-B shortcuts without BN, CIFAR", () => new PreActResNet110(), PreActResNet110.Summary, PreActResNet110.InChannels, PreActResNet110.InputSize, PreActResNet110.NumClasses, PreActResNet110.ParameterCount),
    ];

    /// <summary>The network called <paramref name="name"/> (case-insensitive), or an error listing the names.</summary>
    public static NetworkInfo Find(string name) =>
        All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown network '{name}'; known: {string.Join(", ", All.Select(n => n.Name))}", nameof(name));
}
