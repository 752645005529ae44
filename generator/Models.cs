using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// Mirrors of the runtime's enums (same numeric values): the generator does not reference the runtime.
internal enum BlockKind { Basic = 0, Bottleneck = 1, PreActBasic = 2, PreActBottleneck = 3 }

internal enum ShortcutKind { Auto = 0, Identity = 1, Projection = 2, ZeroPad = 3, AvgDown = 4 }

internal enum StemKind { ImageNet = 0, Cifar = 1, Deep = 2 }

internal enum ActivationKind { None = 0, Relu = 1, LeakyRelu = 2 }

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
    int? Groups, int? WidthPerGroup, int? Dilation, int? SqueezeExcite);

internal sealed record NetworkSpec(
    TypeTarget Target,
    int InChannels, int NumClasses, int InputSize,
    StemKind Stem, int StemFilters,
    BlockKind Block, ShortcutKind Shortcut, int Groups, int WidthPerGroup,
    bool ZeroInitResidual, double Dropout, double DropPath, bool StrideOnFirstConv, int SqueezeExcite,
    EquatableArray<StageSpec> Stages,
    EquatableArray<string> UserMembers);

internal enum LayerKind { Conv, BatchNorm, Relu, LeakyRelu, MaxPool, AvgPool, Dropout, SqueezeExcite }

internal sealed record LayerSpec(
    LayerKind Kind, int Kernel, int Expansion, int Filters, int Stride, bool Strided,
    int Padding, int Dilation, int Groups, bool Bias, double Value, int Reduction, bool ZeroInitTarget, int Index);

internal sealed record CustomBlockSpec(
    string MetadataName, TypeTarget Target, ActivationKind Activation, double NegativeSlope,
    EquatableArray<LayerSpec> Layers, bool Valid);

/// <summary>The result of parsing one [ResNet] class: the spec (null on errors) plus located diagnostics.</summary>
internal sealed record ParsedNetwork(
    string Name,
    NetworkSpec? Spec,
    EquatableArray<LocatedKey> Locations,
    EquatableArray<PendingDiagnostic> Diagnostics);

internal sealed record LocatedKey(LocationKey Key, Location Location);

internal sealed record ParsedBlock(CustomBlockSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

// ---------------------------------------------------------------------------------------------
// Resolved model: every layer with its channels and shapes, ready to emit.
// ---------------------------------------------------------------------------------------------

/// <summary>A feature map shape. H = W = 0 when InputSize is unknown; Div is then the cumulative stride.</summary>
internal readonly record struct Shape(long C, long H, long W, long Div)
{
    public bool Known => H > 0;

    public override string ToString() => Known ? $"[N, {C}, {H}, {W}]" : Div == 1 ? $"[N, {C}, H, W]" : $"[N, {C}, H/{Div}, W/{Div}]";
}

internal sealed record LayerModel(
    LayerKind Kind, string Field, long InC, long OutC, int Kernel, int Stride, int Padding, int Dilation, int Groups,
    bool Bias, double Value, long Reduced, Shape Out, long Parameters, long MultiplyAdds);

internal enum ResolvedShortcut { Identity, Projection, ZeroPad, AvgDown }

internal sealed record ShortcutModel(ResolvedShortcut Kind, long InC, long OutC, int Stride, Shape Out, long PadBefore, long PadAfter, long Parameters, long MultiplyAdds);

internal sealed record BlockClassModel(
    string ClassName, string Description, string? BaseClass, Shape In, Shape Out,
    EquatableArray<LayerModel> Branch, int TapAfter, ShortcutModel Shortcut,
    ActivationKind PostActivation, double NegativeSlope, string? ZeroInitField,
    long Parameters, long MultiplyAdds)
{
    /// <summary>Stem of the generated class name (BasicBlock, Bottleneck, the custom block's name).</summary>
    public string Prefix { get; init; } = "";

    /// <summary>"public", or "internal" when a custom base class is not public (C# forbids a more accessible subclass).</summary>
    public string Accessibility { get; init; } = "public";
}

internal sealed record BlockInstance(string ClassName, double DropPath);

internal sealed record StageModel(string Field, Shape Out, EquatableArray<BlockInstance> Blocks, long Parameters);

internal sealed record StemModel(StemKind Kind, long InC, long OutC, long MidC, bool Norm, Shape AfterConv, Shape Out, long Parameters, long MultiplyAdds);

internal sealed record SummaryRow(string Layer, string Type, string Output, long Parameters, int Depth);

internal sealed record NetworkModel(
    TypeTarget Target,
    long InChannels, int NumClasses, int InputSize,
    StemModel Stem,
    EquatableArray<StageModel> Stages,
    EquatableArray<BlockClassModel> BlockClasses,
    bool FinalNorm, Shape FinalShape, double Dropout, double DropPath, bool ZeroInitResidual, bool HasSqueezeExcite,
    long ParameterCount, long MultiplyAdds,
    EquatableArray<SummaryRow> Summary);

/// <summary>One generated file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);

/// <summary>The emitter's result: a file, or the message of an internal error (reported as RNG999).</summary>
internal sealed record EmitResult(GeneratedFile? File, string Name, string? Error);

