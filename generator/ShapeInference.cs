using System;
using System.Collections.Generic;
using System.Linq;

namespace ResNetGen.Generator;

/// <summary>
/// A feature map shape. H = W = 0 when the input size is unknown; DivH/DivW are then the cumulative strides
/// and <see cref="Up"/> the cumulative upsampling (PixelShuffle; 0 or 1 = none). Flat = [N, C].
/// </summary>
internal readonly record struct Shape(long C, long H, long W, long DivH, long DivW, bool Flat = false, long Up = 1)
{
    public bool Known => H > 0;

    public static Shape Input(long c, long h, long w) => new(c, h, w, h > 0 ? 0 : 1, h > 0 ? 0 : 1);

    public override string ToString()
    {
        if (Flat) return $"[N, {C}]";
        if (Known) return $"[N, {C}, {H}, {W}]";
        if (Up > 1) return $"[N, {C}, {Up}H{(DivH > 1 ? $"/{DivH}" : "")}, {Up}W{(DivW > 1 ? $"/{DivW}" : "")}]";
        return DivH == 1 && DivW == 1 ? $"[N, {C}, H, W]" : $"[N, {C}, H/{DivH}, W/{DivW}]";
    }
}

/// <summary>Where shape diagnostics of the nodes being inferred belong (a label and a location key).</summary>
internal sealed class ShapeSink
{
    private readonly List<DiagnosticInfo> found;
    private readonly HashSet<string> reportedOdd = new();
    private bool reportedSmall;

    public ShapeSink(List<DiagnosticInfo> found, int inputSize)
    {
        this.found = found;
        InputSize = inputSize;
    }

    public int InputSize { get; }

    public string Where { get; set; } = "";

    public LocationKey Key { get; set; } = LocationKey.Class;

    /// <summary>Optional per-node label (the stem names its max-pool apart from its convolutions).</summary>
    public Func<Node, string>? WhereOf { get; set; }

    public void Odd(long stride, long size)
    {
        if (reportedOdd.Add(Where)) found.Add(DiagnosticInfo.Create(Diagnostics.OddSizeHalved, Key, Capitalise(Where), stride, size, InputSize));
    }

    public void Small(string detail)
    {
        if (reportedSmall) return;
        reportedSmall = true;
        found.Add(DiagnosticInfo.Create(Diagnostics.SpatialTooSmall, Key, Capitalise(Where), InputSize, detail));
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
}

/// <summary>Shapes, parameters and multiply-adds of one evaluated graph.</summary>
internal sealed record GraphShapes(EquatableArray<Shape> Out, EquatableArray<long> NodeParameters, long Parameters, long MultiplyAdds)
{
    public Shape Output(Shape input) => Out.Count == 0 ? input : Out[Out.Count - 1];
}

internal sealed record StageShapes(GraphShapes Transition, EquatableArray<Shape> Blocks, EquatableArray<long> BlockParameters, Shape Out, long Parameters);

internal sealed record SummaryRow(string Layer, string Type, string Output, long Parameters, int Depth);

/// <summary>Everything the emitter prints that is computed rather than declared.</summary>
internal sealed record NetworkAnalysis(
    GraphShapes Stem, EquatableArray<StageShapes> Stages, GraphShapes Head, Shape Features,
    long ParameterCount, long MultiplyAdds, EquatableArray<SummaryRow> Summary)
{
    /// <summary>[FeatureFusion]: the concatenation it reads (null without fusion) and its 1×1 convolution's shapes.</summary>
    public Shape? FusionInput { get; init; }

    public GraphShapes? Fusion { get; init; }
}

/// <summary>
/// Shape inference and counting over the IR: a pure function of nodes and bindings. Lowering calls
/// it while it builds (to choose shortcuts and report shape errors); <see cref="Analyse"/> runs it over
/// a finished network for the constants and the summary.
/// </summary>
internal static class ShapeInference
{
    /// <summary>PyTorch's output size for a convolution or pool.</summary>
    public static long OutSize(long size, long kernel, long stride, long padding, long dilation = 1, bool ceil = false)
    {
        var span = size + 2 * padding - dilation * (kernel - 1) - 1;
        if (!ceil) return FloorDiv(span, stride) + 1;
        var o = (span + stride - 1) / stride + 1;
        if ((o - 1) * stride >= size + padding) o--; // the last window must start inside the input
        return o;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    public static (Shape Out, long Parameters, long MultiplyAdds) Node(Node node, EquatableArray<Binding> b, IReadOnlyList<Shape> inputs, Node? downsample, ShapeSink? sink)
    {
        var x = inputs.Count > 0 ? inputs[0] : default;
        switch (node.Op)
        {
            case Op.Conv:
            {
                var inC = x.C;
                var outC = node.OutC.Eval(b);
                var g = node.Groups.Eval(b);
                var k = node.Kernel;
                var output = Spatial(x, k, node.Stride.Eval(b), node.Padding.Eval(b), node.Dilation.Eval(b), false, sink) with { C = outC };
                var perPixel = checked(outC * (inC / Math.Max(1, g)) * k * k);
                var parameters = checked(perPixel + (node.Bias ? outC : 0));
                return (output, parameters, output.Known ? checked(output.H * output.W * perPixel) : 0);
            }
            case Op.BatchNorm:
                return (x, checked(2 * x.C), 0);
            case Op.MaxPool:
            case Op.AvgPool:
                return (Spatial(x, node.Kernel, node.Stride.Eval(b), node.Padding.Eval(b), 1, node.CeilMode, sink), 0, 0);
            case Op.AdaptiveAvgPool:
                return (new Shape(x.C, node.OutH, node.OutW, 0, 0), 0, 0);
            case Op.Flatten:
                return (new Shape(checked(x.C * Math.Max(1, x.H) * Math.Max(1, x.W)), 0, 0, 0, 0, true), 0, 0);
            case Op.Linear:
            {
                var outC = node.OutC.Eval(b);
                return (new Shape(outC, 0, 0, 0, 0, true), checked(x.C * outC + (node.Bias ? outC : 0)), checked(x.C * outC));
            }
            case Op.SqueezeExcite:
            {
                var r = node.Reduced.Eval(b);
                return (x, checked(2 * x.C * r + r + x.C), x.Known ? checked(2 * x.C * r) : 0);
            }
            case Op.ZeroPad:
            {
                var s = node.Stride.Eval(b);
                var output = x.Known
                    ? new Shape(node.OutC.Eval(b), (x.H - 1) / s + 1, (x.W - 1) / s + 1, 0, 0)
                    : x with { C = node.OutC.Eval(b), DivH = checked(x.DivH * s), DivW = checked(x.DivW * s) };
                return (output, 0, 0);
            }
            case Op.Sequential:
            {
                var r = Graph(node.Body ?? Generator.Graph.Empty, b, x, null, sink);
                return (r.Output(x), r.Parameters, r.MultiplyAdds);
            }
            case Op.Shortcut:
                return downsample is null ? (inputs[inputs.Count - 1], 0, 0) : Node(downsample, b, new[] { x }, null, null);
            case Op.Concat:
                return (x with { C = inputs.Sum(i => i.C) }, 0, 0);
            case Op.PixelShuffle:
                return (PixelShuffle(x, node.Kernel), 0, 0);
            default:
                // Activations, dropout, drop path, identity, add, gate: the shape of the first input.
                return (x, 0, 0);
        }
    }

    /// <summary>PixelShuffle(r): channels / r², height and width × r (lowering checks the channels divide: RNG040).</summary>
    public static Shape PixelShuffle(Shape x, long r)
    {
        var c = r > 0 ? x.C / checked(r * r) : x.C;
        if (x.Known) return new Shape(c, checked(x.H * r), checked(x.W * r), 0, 0);
        // Unknown size: cancel strides first (H/4 then ×2 is H/2), then count the rest as upsampling.
        var up = Math.Max(1, x.Up);
        long divH = x.DivH, divW = x.DivW, left = r;
        while (left > 1 && divH % 2 == 0 && divW % 2 == 0 && left % 2 == 0) { divH /= 2; divW /= 2; left /= 2; }
        if (left > 1 && divH % left == 0 && divW % left == 0) { divH /= left; divW /= left; left = 1; }
        return new Shape(c, 0, 0, divH, divW, false, checked(up * left));
    }

    /// <summary>Spatial arithmetic of one layer with the size checks (RNG009, RNG010).</summary>
    private static Shape Spatial(Shape input, long k, long s, long p, long d, bool ceil, ShapeSink? sink)
    {
        if (!input.Known) return input with { DivH = checked(input.DivH * s), DivW = checked(input.DivW * s) };
        if (s > 1 && input.H % 2 == 1 && input.H > 1) sink?.Odd(s, input.H);
        var h = OutSize(input.H, k, s, p, d, ceil);
        var w = OutSize(input.W, k, s, p, d, ceil);
        if (h < 1 || w < 1 || (s > 1 && input.H == 1 && input.W == 1))
        {
            // A stride on a 1×1 map (or a kernel larger than the padded map) asks for less than one pixel.
            // A non-square map may be one pixel wide and taller: PyTorch strides it to 1 (Spec-ResNet's last block, 5×1 → 2×1).
            sink?.Small(h < 1 ? $"a {k}×{k} window over {input.H}×{input.W} gives {h}×{w}" : $"stride {s} on a 1×1 map");
            h = Math.Max(1, h);
            w = Math.Max(1, w);
        }
        return new Shape(input.C, h, w, 0, 0);
    }

    /// <summary>Evaluates a graph: every node's output shape, and its parameters and multiply-adds.</summary>
    public static GraphShapes Graph(Graph graph, EquatableArray<Binding> b, Shape input, Node? downsample, ShapeSink? sink)
    {
        var shapes = new Shape[graph.Nodes.Count];
        var counts = new long[shapes.Length];
        long parameters = 0, macs = 0;
        for (var i = 0; i < shapes.Length; i++)
        {
            var node = graph.Nodes[i];
            var inputs = node.Inputs.Count == 0
                ? new[] { i == 0 ? input : shapes[i - 1] }
                : node.Inputs.Select(j => j < 0 ? input : shapes[j]).ToArray();
            if (node.Op == Op.Shortcut) inputs = inputs.Append(input).ToArray();
            if (sink?.WhereOf is { } label) sink.Where = label(node);
            var (output, p, m) = Node(node, b, inputs, downsample, sink);
            shapes[i] = output;
            counts[i] = p;
            parameters = checked(parameters + p);
            macs = checked(macs + m);
        }
        return new GraphShapes(shapes.ToEquatableArray(), counts.ToEquatableArray(), parameters, macs);
    }

    /// <summary>Shapes, counts and the summary table of a lowered network, from the IR alone.</summary>
    public static NetworkAnalysis Analyse(NetworkIr ir)
    {
        var none = EquatableArray<Binding>.Empty;
        var rows = new List<SummaryRow>();
        var input = Shape.Input(ir.InChannels, ir.InputHeight, ir.InputWidth);
        var stem = Graph(ir.Stem, none, input, null, null);
        AddRows(rows, ir.Stem, stem, 0, "");
        long total = stem.Parameters, macs = stem.MultiplyAdds;
        var current = stem.Output(input);
        var stages = new List<StageShapes>();
        foreach (var stage in ir.Stages)
        {
            var transition = Graph(stage.Transition, none, current, null, null);
            AddRows(rows, stage.Transition, transition, 0, "");
            current = transition.Output(current);
            var stageRow = rows.Count;
            rows.Add(null!);
            var outs = new List<Shape>();
            var counts = new List<long>();
            long stageParameters = 0;
            for (var j = 0; j < stage.Blocks.Count; j++)
            {
                var use = stage.Blocks[j];
                var template = ir.Blocks[use.Template];
                var r = Graph(template.Body, use.Args, current, use.Downsample, null);
                current = r.Output(current);
                outs.Add(current);
                counts.Add(r.Parameters);
                stageParameters = checked(stageParameters + r.Parameters);
                macs = checked(macs + r.MultiplyAdds);
                rows.Add(new SummaryRow($"{stage.Field}.{j}", template.ClassName, current.ToString(), r.Parameters, 1));
            }
            rows[stageRow] = new SummaryRow(stage.Field, "Sequential", current.ToString(), stageParameters, 0);
            total = checked(total + transition.Parameters + stageParameters);
            macs = checked(macs + transition.MultiplyAdds);
            stages.Add(new StageShapes(transition, outs.ToEquatableArray(), counts.ToEquatableArray(), current, stageParameters));
        }
        Shape? fusionInput = null;
        GraphShapes? fusion = null;
        if (ir.Fusion is { } fusionNode)
        {
            // Every block's output, then the stem's (lowering checked that their heights and widths agree).
            var concat = stages.SelectMany(s => s.Blocks).Append(stem.Output(input)).ToList();
            fusionInput = concat[0] with { C = concat.Sum(s => s.C) };
            var fusionGraph = new Graph(new[] { fusionNode }.ToEquatableArray());
            fusion = Graph(fusionGraph, none, fusionInput.Value, null, null);
            AddRows(rows, fusionGraph, fusion, 0, "");
            current = fusion.Output(fusionInput.Value);
            total = checked(total + fusion.Parameters);
            macs = checked(macs + fusion.MultiplyAdds);
        }
        var features = current;
        var head = Graph(ir.Head, none, current, null, null);
        AddRows(rows, ir.Head, head, 0, "");
        total = checked(total + head.Parameters);
        macs = checked(macs + head.MultiplyAdds);
        return new NetworkAnalysis(stem, stages.ToEquatableArray(), head, features, total, input.Known ? macs : 0, rows.ToEquatableArray())
        {
            FusionInput = fusionInput,
            Fusion = fusion,
        };
    }

    private static void AddRows(List<SummaryRow> rows, Graph graph, GraphShapes shapes, int depth, string prefix)
    {
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (node.Name.Length == 0 && node.Op != Op.Dropout) continue;
            var name = node.Name.Length == 0 ? node.Op.ToString().ToLowerInvariant() : node.Name;
            rows.Add(new SummaryRow(prefix + name, TypeName(node), shapes.Out[i].ToString(), shapes.NodeParameters[i], depth));
        }
    }

    /// <summary>The layer kind as PyTorch names it (a neutral name for the summary table, not a target's type).</summary>
    public static string TypeName(Node node) => node.Op switch
    {
        Op.Conv => "Conv2d",
        Op.BatchNorm => "BatchNorm2d",
        Op.Relu => "ReLU",
        Op.LeakyRelu => "LeakyReLU",
        Op.MaxPool => "MaxPool2d",
        Op.AvgPool => "AvgPool2d",
        Op.AdaptiveAvgPool => "AdaptiveAvgPool2d",
        Op.Linear => "Linear",
        Op.Sequential => "Sequential",
        Op.SqueezeExcite => "SqueezeExcite",
        Op.PixelShuffle => "PixelShuffle",
        _ => node.Op.ToString(),
    };
}
