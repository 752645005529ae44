using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

/// <summary>Parsing of the configurable forms: [Stem] options, [Shortcut], [Head], non-square inputs, block options.</summary>
internal static partial class Parser
{
    public const string ShortcutAttribute = "ResNetGen.ShortcutAttribute";
    public const string HeadAttribute = "ResNetGen.HeadAttribute";

    private const int MaxKernel = 15;

    /// <summary>The network-level options; records where [Shortcut] and [Head] sit. Unset values stay null.</summary>
    private static NetworkOptions ParseOptions(
        INamedTypeSymbol symbol, AttributeData resnet, AttributeData? stem, StemKind stemKind,
        List<LocatedKey> locations, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        void Range(LocationKey where, string what, double value, double min, double max, string text)
        {
            if (!(value >= min && value <= max)) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, where, what, value, text));
        }

        var named = Named(resnet);
        var inputSize = ReadInt(named, "InputSize", 0);
        var height = ReadInt(named, "InputHeight", 0);
        var width = ReadInt(named, "InputWidth", 0);
        Range(LocationKey.ResNet("InputHeight"), "InputHeight", height, 0, 16384, "0 (InputSize) or between 1 and 16384");
        Range(LocationKey.ResNet("InputWidth"), "InputWidth", width, 0, 16384, "0 (InputSize) or between 1 and 16384");
        if ((height > 0) != (width > 0))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InputSizeConflict, LocationKey.ResNet(height > 0 ? "InputHeight" : "InputWidth"),
                "InputHeight and InputWidth go together: declare both (or InputSize alone for a square input)"));
        }
        else if (height > 0 && inputSize > 0 && (height != inputSize || width != inputSize))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InputSizeConflict, LocationKey.ResNet("InputSize"),
                $"InputSize = {inputSize} contradicts InputHeight × InputWidth = {height} × {width}: declare one or the other"));
        }
        if (height <= 0 || width <= 0) height = width = 0;

        var blockDropout = ReadDouble(named, "BlockDropout", 0);
        var expansion = ReadInt(named, "Expansion", 4);
        Range(LocationKey.ResNet("BlockDropout"), "BlockDropout", blockDropout, 0, 0.999999, "in [0, 1)");
        Range(LocationKey.ResNet("Expansion"), "Expansion", expansion, 1, 64, "between 1 and 64");
        var init = ReadInt(named, "Init", 0);
        Range(LocationKey.ResNet("Init"), "Init", init, 0, 1, "a WeightInit");

        var stemOptions = StemOptions.Default;
        if (stem is not null)
        {
            var s = Named(stem);
            stemOptions = new StemOptions(
                ReadInt(s, "KernelSize", 0), ReadInt(s, "Stride", 0), ReadInt(s, "Padding", -1),
                OptionalBool(s, "Bias"), OptionalBool(s, "Norm"), OptionalBool(s, "Activation"), OptionalBool(s, "MaxPool"));
            Range(LocationKey.Stem("KernelSize"), "Stem KernelSize", stemOptions.Kernel, 0, MaxKernel, $"0 (the kind's) or between 1 and {MaxKernel}");
            Range(LocationKey.Stem("Stride"), "Stem Stride", stemOptions.Stride, 0, 8, "0 (the kind's) or between 1 and 8");
            Range(LocationKey.Stem("Padding"), "Stem Padding", stemOptions.Padding, -1, 64, "−1 (half the kernel) or between 0 and 64");
            if (stemKind == StemKind.Deep)
            {
                foreach (var key in new[] { "KernelSize", "Stride", "Padding" }.Where(s.ContainsKey))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unused, LocationKey.Stem(key), $"Stem {key} applies to a single-convolution stem (ImageNet or Cifar), not the deep stem"));
                }
            }
        }

        var shortcut = ShortcutOptions.Default;
        var head = HeadSpec.Default;
        foreach (var attribute in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == ShortcutAttribute)
            {
                AddAttributeLocations(locations, attribute, LocationTarget.Shortcut, -1, ct);
                var s = Named(attribute);
                shortcut = new ShortcutOptions(ReadInt(s, "KernelSize", 1), ReadInt(s, "Padding", -1), OptionalBool(s, "Bias"),
                    ReadBool(s, "Norm", true), (ShortcutInput)ReadInt(s, "Input", 0), true);
                Range(LocationKey.Shortcut("KernelSize"), "Shortcut KernelSize", shortcut.Kernel, 1, MaxKernel, $"between 1 and {MaxKernel}");
                Range(LocationKey.Shortcut("Padding"), "Shortcut Padding", shortcut.Padding, -1, 64, "−1 (half the kernel) or between 0 and 64");
                Range(LocationKey.Shortcut("Input"), "Shortcut Input", (int)shortcut.Input, 0, 2, "a ShortcutInput");
                if (HasErrorArguments(attribute)) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.Shortcut(), "[Shortcut]", "invalid", "constant arguments"));
            }
            else if (name == HeadAttribute)
            {
                AddAttributeLocations(locations, attribute, LocationTarget.Head, -1, ct);
                head = ParseHead(attribute, diagnostics);
            }
        }

        return new NetworkOptions(height, width, ReadBool(named, "ConvBias", false), blockDropout, expansion, stemOptions, shortcut, head, (WeightInit)init);
    }

    private static HeadSpec ParseHead(AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        void Range(string key, string what, double value, double min, double max, string text)
        {
            if (!(value >= min && value <= max)) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.Head(key), what, value, text));
        }

        if (HasErrorArguments(attribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.Head(), "[Head]", "invalid", "constant arguments"));
            return HeadSpec.Default;
        }
        var named = Named(attribute);
        var pool = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int p ? p : 0;
        var hidden = new List<int>();
        if (named.TryGetValue("Hidden", out var array) && array.Kind == TypedConstantKind.Array && !array.IsNull)
        {
            foreach (var item in array.Values) hidden.Add(item.Value is int width ? width : 0);
        }
        var activation = ReadInt(named, "Activation", 1);
        var slope = ReadDouble(named, "NegativeSlope", 0.01);
        double? dropout = named.ContainsKey("Dropout") ? ReadDouble(named, "Dropout", 0) : null;
        Range("pool", "Head pool", pool, 0, 1, "a HeadPool");
        Range("Activation", "Head Activation", activation, 0, 2, "an ActivationKind");
        Range("NegativeSlope", "Head NegativeSlope", slope, -1e6, 1e6, "finite");
        Range("Dropout", "Head Dropout", dropout ?? 0, 0, 0.999999, "in [0, 1)");
        Range("Hidden", "Head hidden layers", hidden.Count, 0, 16, "at most 16");
        foreach (var width in hidden) Range("Hidden", "Head hidden width", width, 1, MaxChannels, $"between 1 and {MaxChannels}");
        return new HeadSpec((HeadPool)pool, hidden.ToEquatableArray(), (ActivationKind)Math.Max(0, Math.Min(2, activation)), slope, dropout, OptionalBool(named, "Norm"), true);
    }

    /// <summary>Stage-level options (the stage's own range checks report at its arguments).</summary>
    private static StageOptions ParseStageOptions(Dictionary<string, TypedConstant> named, int index, List<DiagnosticInfo> diagnostics)
    {
        var label = $"Stage {index + 1}";
        int? expansion = named.TryGetValue("Expansion", out var e) && e.Value is int x ? x : null;
        double? dropout = named.ContainsKey("BlockDropout") ? ReadDouble(named, "BlockDropout", 0) : null;
        if (expansion is { } ex && !(ex >= 1 && ex <= 64))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.StageAt(index, "Expansion"), $"{label} Expansion", ex, "between 1 and 64"));
        }
        if (dropout is { } d && !(d >= 0 && d <= 0.999999))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.StageAt(index, "BlockDropout"), $"{label} BlockDropout", d, "in [0, 1)"));
        }
        return new StageOptions(expansion, dropout, ReadBool(named, "SkipFirstPreActivation", false));
    }

    private static bool? OptionalBool(Dictionary<string, TypedConstant> named, string key) =>
        named.TryGetValue(key, out var c) && c.Value is bool b ? b : null;
}
