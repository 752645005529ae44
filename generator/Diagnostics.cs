using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

/// <summary>Every diagnostic the generator reports (keep AnalyzerReleases.Unshipped.md in step).</summary>
internal static partial class Diagnostics
{
    private const string Category = "ResNetGen";

    public static readonly DiagnosticDescriptor NotPartial = new(
        "RNG001", "Type must be partial",
        "'{0}' must be declared partial, as must every type containing it, so the generator can complete it",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor Generic = new(
        "RNG002", "Type must not be generic",
        "'{0}' must not be generic or nested in a generic type",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor StagesWithoutResNet = new(
        "RNG003", "[ResidualStage] without [ResNet]",
        "'{0}' has [ResidualStage] attributes but no [ResNet] attribute",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ResNetWithoutStages = new(
        "RNG004", "[ResNet] without stages",
        "'{0}' has [ResNet] but no [ResidualStage] attribute",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor OutOfRange = new(
        "RNG005", "Value out of range",
        "{0} is {1}; it must be {2}",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = new(
        "RNG006", "Groups do not divide the width",
        "{0}: groups {1} must divide both {2} input and {3} output channels",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor IdentityShapeChange = new(
        "RNG007", "Identity shortcut cannot add the input to the residual branch",
        "{0}: an identity shortcut cannot add the input {1} to the residual branch's output {2}; use ShortcutKind.Auto, Projection, ZeroPad or AvgDown",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ZeroPadShrinks = new(
        "RNG008", "ZeroPad shortcut cannot remove channels",
        "{0}: a ZeroPad shortcut cannot take the input {1} to the branch's output {2} because the channels shrink; use a projection",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor SpatialTooSmall = new(
        "RNG009", "Spatial size falls below 1×1",
        "{0}: at InputSize {1} the feature map falls below 1×1 ({2}); remove a stride or raise InputSize",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor OddSizeHalved = new(
        "RNG010", "Odd spatial size halved",
        "{0}: a stride-{1} layer receives an odd size {2}×{2} at InputSize {3}; the last row and column are treated unevenly",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor BasicBlockUnsupported = new(
        "RNG011", "Option not supported by basic blocks",
        "{0}: {1} is not supported by basic blocks (as torchvision); use a bottleneck block",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor CustomBranchMismatch = new(
        "RNG012", "Custom block branch cannot be added to its shortcut",
        "{0}: the residual branch of '{1}' outputs {2} but its {3} shortcut gives {4}",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor MemberClash = new(
        "RNG013", "Member clashes with generated code",
        "'{0}' declares '{1}', which the generator emits; rename or remove it",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor RecordNotSupported = new(
        "RNG017", "A record cannot be a module",
        "'{0}' is a record; a module cannot be a record, declare it as a partial class",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor StaticNotSupported = new(
        "RNG018", "A static class cannot be a module",
        "'{0}' is static; a module is an instance, remove 'static'",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor HasBaseClass = new(
        "RNG019", "Module class must not declare a base class",
        "'{0}' derives from {1}; the generator derives it from the target's Module<Tensor, Tensor>, remove the base class",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor BadCustomBlock = new(
        "RNG014", "Invalid custom block",
        "{0}",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor Unused = new(
        "RNG015", "Setting has no effect",
        "{0}",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor NoTarget = new(
        "RNG016", "No target runtime for the generated code",
        "{0}",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor InternalError = new(
        "RNG999", "ResNetGen internal error",
        "The ResNetGen generator failed on '{0}': {1}. Please report this.",
        Category, DiagnosticSeverity.Error, true);

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = Build();

    private static Dictionary<string, DiagnosticDescriptor> Build()
    {
        var map = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var d in new[]
                 {
                     NotPartial, Generic, StagesWithoutResNet, ResNetWithoutStages, OutOfRange, GroupsDoNotDivide,
                     IdentityShapeChange, ZeroPadShrinks, SpatialTooSmall, OddSizeHalved, BasicBlockUnsupported,
                     CustomBranchMismatch, MemberClash, BadCustomBlock, Unused, NoTarget, RecordNotSupported,
                     StaticNotSupported, HasBaseClass, InternalError,
                 }.Concat(ConfigurationDescriptors))
        {
            map[d.Id] = d;
        }
        foreach (var d in GraphDescriptors) map[d.Id] = d;
        foreach (var d in ImageDescriptors) map[d.Id] = d;
        return map;
    }

    public static DiagnosticDescriptor Get(string id) => ById[id];
}

/// <summary>
/// Where a diagnostic belongs, as a key into a network's location table (so models carry no
/// <see cref="Location"/>): the class, an attribute (stage index), or one of its arguments.
/// </summary>
internal readonly record struct LocationKey(LocationTarget Target, int Stage, string Argument)
{
    public static LocationKey Class => new(LocationTarget.Class, -1, "");

    public static LocationKey ResNet(string argument = "") => new(LocationTarget.ResNet, -1, argument);

    public static LocationKey Stem(string argument = "") => new(LocationTarget.Stem, -1, argument);

    public static LocationKey StageAt(int stage, string argument = "") => new(LocationTarget.Stage, stage, argument);

    public static LocationKey Head(string argument = "") => new(LocationTarget.Head, -1, argument);

    public static LocationKey Shortcut(string argument = "") => new(LocationTarget.Shortcut, -1, argument);

    public static LocationKey Fusion(string argument = "") => new(LocationTarget.Fusion, -1, argument);

    public static LocationKey Reconstruction(string argument = "") => new(LocationTarget.Reconstruction, -1, argument);
}

internal enum LocationTarget
{
    Class,
    ResNet,
    Stem,
    Stage,
    Head,
    Shortcut,
    Fusion,
    Reconstruction,
}

/// <summary>
/// The one diagnostic carrier of the pipeline: descriptor id, message arguments, and where it belongs:
/// a <see cref="LocationKey"/> into the network's location table (resolved in the diagnostics branch),
/// or a <see cref="Microsoft.CodeAnalysis.Location"/> already. <see cref="Location"/> compares by syntax
/// tree and span, so it is equal across compilations as long as its file did not change; it only travels
/// in the diagnostics branch of the pipeline, never in the model the emitter sees.
/// </summary>
internal sealed record DiagnosticInfo(string Id, LocationKey Where, Location? Location, EquatableArray<string> Args)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationKey where, params object[] args) =>
        new(descriptor.Id, where, null, Strings(args));

    public static DiagnosticInfo At(DiagnosticDescriptor descriptor, Location? location, params object[] args) =>
        new(descriptor.Id, LocationKey.Class, location, Strings(args));

    private static EquatableArray<string> Strings(object[] args)
    {
        var strings = new string[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            strings[i] = Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        return strings.ToEquatableArray();
    }

    public bool IsError => Diagnostics.Get(Id).DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic()
    {
        var args = new object[Args.Count];
        for (var i = 0; i < args.Length; i++) args[i] = Args[i];
        return Diagnostic.Create(Diagnostics.Get(Id), Location, args);
    }
}
