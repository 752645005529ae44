namespace ResNetGen.Generator;

// Mirrors of the attribute enums of the configurable forms (same numeric values).
internal enum HeadPool { GlobalAverage = 0, Flatten = 1 }

internal enum ShortcutInput { Auto = 0, Raw = 1, PreActivated = 2 }

internal enum WeightInit { Torchvision = 0, PyTorchDefault = 1 }

// ---------------------------------------------------------------------------------------------
// The configurable forms ([Stem] options, [Shortcut], [Head], non-square inputs, Keras-style
// biases, dropout inside built-in blocks, per-stage expansion, a first unit unlike the rest).
// Unset options are null, so lowering can tell "left alone" (torchvision's behaviour) from "set".
// ---------------------------------------------------------------------------------------------

/// <summary>[Stem] options beyond the kind: 0 / −1 / null = the kind's default.</summary>
internal sealed record StemOptions(int Kernel, int Stride, int Padding, bool? Bias, bool? Norm, bool? Activation, bool? MaxPool)
{
    public static readonly StemOptions Default = new(0, 0, -1, null, null, null, null);
}

/// <summary>[Shortcut]: how projection shortcuts are built (null Bias = the network's ConvBias).</summary>
internal sealed record ShortcutOptions(int Kernel, int Padding, bool? Bias, bool Norm, ShortcutInput Input, bool Declared)
{
    public static readonly ShortcutOptions Default = new(1, -1, null, true, ShortcutInput.Auto, false);
}

/// <summary>[Head]: null Dropout = the network's Dropout, null Norm = on exactly after a pre-activation stage.</summary>
internal sealed record HeadSpec(HeadPool Pool, EquatableArray<int> Hidden, ActivationKind Activation, double Slope, double? Dropout, bool? Norm, bool Declared)
{
    public static readonly HeadSpec Default = new(HeadPool.GlobalAverage, EquatableArray<int>.Empty, ActivationKind.Relu, 0.01, null, null, false);
}

/// <summary>Network-level options of the configurable forms; <see cref="Default"/> is torchvision's behaviour.</summary>
internal sealed record NetworkOptions(
    int InputHeight, int InputWidth, bool ConvBias, double BlockDropout, int Expansion,
    StemOptions Stem, ShortcutOptions Shortcut, HeadSpec Head, WeightInit Init = WeightInit.Torchvision)
{
    public static readonly NetworkOptions Default = new(0, 0, false, 0, 4, StemOptions.Default, ShortcutOptions.Default, HeadSpec.Default);
}

/// <summary>Stage-level options of the configurable forms (null = the network's).</summary>
internal sealed record StageOptions(int? Expansion, double? BlockDropout, bool SkipFirstPreActivation)
{
    public static readonly StageOptions Default = new(null, null, false);
}
