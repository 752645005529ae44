using System.Linq;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// Mirrors of the runtime's enums (same numeric values): the generator does not reference the runtime.
internal enum BlockKind { Basic = 0, Bottleneck = 1, PreActBasic = 2, PreActBottleneck = 3 }

internal enum ShortcutKind { Auto = 0, Identity = 1, Projection = 2, ZeroPad = 3, AvgDown = 4 }

internal enum StemKind { ImageNet = 0, Cifar = 1, Deep = 2 }

internal enum ActivationKind { None = 0, Relu = 1, LeakyRelu = 2 }

internal enum JoinKind { Concat = 0, Add = 1 }

/// <summary>A type that encloses the network (a partial declaration must be emitted for it).</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>Where the generated partial goes: namespace, enclosing types, name, accessibility.</summary>
internal sealed record TypeTarget(string? Namespace, EquatableArray<ContainingType> Containers, string Name, string Accessibility, string FullName)
{
    public string HintPrefix => (Namespace is null ? "" : Namespace + ".") + string.Join(".", Containers.AsImmutableArray().Select(c => c.Name)) + (Containers.Count > 0 ? "." : "") + Name;
}

// ---------------------------------------------------------------------------------------------
// Parsed specs: exactly what the attributes said (unset named arguments are null), no symbols.
// ---------------------------------------------------------------------------------------------

internal sealed record StageSpec(
    int Filters, int Blocks, int Stride,
    BlockKind? Block, string? CustomBlock, string? CustomBlockDisplay, ShortcutKind? Shortcut,
    int? Groups, int? WidthPerGroup, int? Dilation, int? SqueezeExcite, StageOptions? Options = null)
{
    public StageOptions Config => Options ?? StageOptions.Default;
}

internal sealed record NetworkSpec(
    TypeTarget Target,
    int InChannels, int NumClasses, int InputSize,
    StemKind Stem, int StemFilters,
    BlockKind Block, ShortcutKind Shortcut, int Groups, int WidthPerGroup,
    bool ZeroInitResidual, double Dropout, double DropPath, bool StrideOnFirstConv, int SqueezeExcite,
    EquatableArray<StageSpec> Stages,
    EquatableArray<string> UserMembers,
    NetworkOptions? Options = null)
{
    public NetworkOptions Config => Options ?? NetworkOptions.Default;
    /// <summary>The [DenseBlock]/[Transition] attributes in source order (null: a residual network).</summary>
    public EquatableArray<DenseItemSpec>? Dense { get; init; }
    /// <summary>[FeatureFusion] / [Reconstruction] (null: neither; a classifier as usual).</summary>
    public ImageSpec? Image { get; init; }
}

internal enum LayerKind { Conv, BatchNorm, Relu, LeakyRelu, MaxPool, AvgPool, Dropout, SqueezeExcite, Gate, Branch, Join }

internal sealed record LayerSpec(
    LayerKind Kind, int Kernel, int Expansion, int Filters, int Stride, bool Strided,
    int Padding, int Dilation, int Groups, bool Bias, double Value, int Reduction, bool ZeroInitTarget, int Index)
{
    /// <summary>How a <see cref="LayerKind.Join"/> combines its branches.</summary>
    public JoinKind Join { get; init; }
}

internal sealed record CustomBlockSpec(
    string MetadataName, TypeTarget Target, ActivationKind Activation, double NegativeSlope,
    EquatableArray<LayerSpec> Layers, bool Valid)
{
    /// <summary>[ResidualBlock(PreActivation = true)]: the layers before the first conv (or branch) are its pre-activation.</summary>
    public bool PreActivation { get; init; }

    /// <summary>Which input a pre-activation block's projection shortcut reads.</summary>
    public ShortcutInput ShortcutInput { get; init; }
}

/// <summary>The result of parsing one [ResNet] class: the spec (null on errors), its location table and diagnostics.</summary>
internal sealed record ParsedNetwork(
    string Name,
    NetworkSpec? Spec,
    EquatableArray<LocatedKey> Locations,
    EquatableArray<DiagnosticInfo> Diagnostics);

internal sealed record LocatedKey(LocationKey Key, Location Location);

internal sealed record ParsedBlock(CustomBlockSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>The runtime generated code is written for (chosen from the compilation's references).</summary>
internal enum TargetKind { None = 0, TorchSharp = 1, ResNetGenTorch = 2 }

/// <summary>The target, or why none could be chosen (an RNG016 message).</summary>
internal sealed record TargetChoice(TargetKind Kind, string? Problem);

/// <summary>A lowered, analysed network, ready for an emitter dialect.</summary>
internal sealed record NetworkModel(NetworkIr Ir, NetworkAnalysis Analysis, TargetKind Target = TargetKind.ResNetGenTorch);

/// <summary>One generated file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);

/// <summary>The emitter's result: a file, or the message of an internal error (reported as RNG999).</summary>
internal sealed record EmitResult(GeneratedFile? File, string Name, string? Error);

