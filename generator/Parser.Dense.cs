using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// The dense-network attributes ([DenseBlock], [Transition]) of a [ResNet] class. They share the
// stage location space: the n-th dense attribute of the class is located as stage n.
internal static partial class Parser
{
    public const string DenseBlockAttribute = "ResNetGen.DenseBlockAttribute";
    public const string TransitionAttribute = "ResNetGen.TransitionAttribute";
    public const string GateAttribute = "ResNetGen.GateAttribute";

    private const int MaxDenseLayers = 1000;

    /// <summary>
    /// Reads one attribute if it is a dense one: appends its spec (null when invalid) and locations.
    /// Returns false for any other attribute.
    /// </summary>
    private static bool TryParseDense(string? attributeName, AttributeData attribute, List<DenseItemSpec?> items,
        List<LocatedKey> locations, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var isBlock = attributeName == DenseBlockAttribute;
        if (!isBlock && attributeName != TransitionAttribute) return false;
        var index = items.Count;
        AddAttributeLocations(locations, attribute, LocationTarget.Stage, index, ct);
        if (HasErrorArguments(attribute))
        {
            items.Add(null); // the compiler reports the bad argument
            return true;
        }
        var named = Named(attribute);
        var before = diagnostics.Count;

        void Range(string argument, string what, double value, double min, double max, string text)
        {
            if (!(value >= min && value <= max))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.StageAt(index, argument), what, value, text));
            }
        }

        if (isBlock)
        {
            var args = attribute.ConstructorArguments;
            var layers = args.Length > 0 && args[0].Value is int l ? l : 0;
            var growth = args.Length > 1 && args[1].Value is int g ? g : 0;
            var bottleneck = ReadInt(named, "BottleneckWidth", 4);
            var dropout = ReadDouble(named, "Dropout", 0);
            var label = $"Dense block {CountBlocks(items) + 1}";
            Range("layers", $"{label} layers", layers, 1, MaxDenseLayers, $"between 1 and {MaxDenseLayers}");
            Range("growthRate", $"{label} growthRate", growth, 1, MaxChannels, $"between 1 and {MaxChannels}");
            Range("BottleneckWidth", $"{label} BottleneckWidth", bottleneck, 0, 64, "0 (no bottleneck) or between 1 and 64");
            Range("Dropout", $"{label} Dropout", dropout, 0, 0.999999, "in [0, 1)");
            items.Add(diagnostics.Count > before ? null : new DenseItemSpec(true, layers, growth, bottleneck, dropout, 0, index));
        }
        else
        {
            var compression = ReadDouble(named, "Compression", 0.5);
            Range("Compression", "Transition Compression", compression, 1e-9, 1, "in (0, 1]");
            items.Add(diagnostics.Count > before ? null : new DenseItemSpec(false, 0, 0, 0, 0, compression, index));
        }
        return true;
    }

    private static int CountBlocks(List<DenseItemSpec?> items)
    {
        var n = 0;
        foreach (var item in items)
        {
            if (item is { IsBlock: true }) n++;
        }
        return n;
    }

    /// <summary>A highway block has one gate and a branch for it to gate.</summary>
    private static string? GateProblem(List<LayerSpec> layers, string name)
    {
        var gates = 0;
        foreach (var layer in layers)
        {
            if (layer.Kind == LayerKind.Gate) gates++;
        }
        if (gates == 0) return null;
        if (gates > 1) return $"Custom block '{name}' has {gates} [Gate] attributes; a highway layer has one transform gate";
        return gates == layers.Count ? $"Custom block '{name}' has a [Gate] but no branch layers for it to gate" : null;
    }
}
