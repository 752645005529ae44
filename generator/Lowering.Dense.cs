using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ResNetGen.Generator;

// Dense networks (Huang et al. 2017; torchvision's DenseNet): [DenseBlock] and [Transition] attributes
// lowered into the same IR as residual networks. A dense block is a stage whose blocks are dense
// layers (a branch and a Concat join instead of Shortcut + Add); a transition is the graph run before
// the next block's layers; the head is norm5, ReLU, global average pool and the classifier.
internal static partial class Lowering
{
    private static Result LowerDense(NetworkSpec spec, EquatableArray<DenseItemSpec> items, CancellationToken ct)
    {
        var found = new List<DiagnosticInfo>();
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationKey where, params object[] args) =>
            found.Add(DiagnosticInfo.Create(descriptor, where, args));

        if (spec.Stages.Count > 0)
        {
            Report(Diagnostics.DenseLayout, LocationKey.StageAt(0),
                $"'{spec.Target.Name}' mixes [ResidualStage] with [DenseBlock]; a network is either residual or dense");
            return new Result(null, found.ToEquatableArray());
        }
        if (!CheckDenseOrder(items, Report)) return new Result(null, found.ToEquatableArray());
        if (spec.Stem == StemKind.Deep)
        {
            Report(Diagnostics.DenseLayout, LocationKey.Stem("kind"), "A dense network's stem is StemKind.ImageNet (conv0, norm0, relu0, pool0) or StemKind.Cifar (conv0 only); the deep stem is not defined for it");
            return new Result(null, found.ToEquatableArray());
        }
        foreach (var (setting, used) in new[] { ("Block", spec.Block != BlockKind.Basic), ("Shortcut", spec.Shortcut != ShortcutKind.Auto), ("Groups", spec.Groups != 1), ("WidthPerGroup", spec.WidthPerGroup != 64), ("ZeroInitResidual", spec.ZeroInitResidual), ("DropPath", spec.DropPath > 0), ("StrideOnFirstConv", spec.StrideOnFirstConv), ("SqueezeExcite", spec.SqueezeExcite > 0) })
        {
            if (used) Report(Diagnostics.Unused, LocationKey.ResNet(setting), $"{setting} applies to residual stages; a dense network ignores it");
        }

        try
        {
            var sink = new ShapeSink(found, spec.InputSize);
            var none = EquatableArray<Binding>.Empty;
            var input = Shape.Input(spec.InChannels, spec.InputSize, spec.InputSize);
            var firstGrowth = items[0].GrowthRate;
            var stem = DenseStem(spec, firstGrowth);
            sink.Key = LocationKey.Stem();
            sink.WhereOf = n => n.Op == Op.MaxPool ? "stem max-pool" : "stem";
            var current = ShapeInference.Graph(stem, none, input, null, sink).Output(input);
            sink.WhereOf = null;

            var templates = new List<BlockTemplate>();
            var stages = new List<StageIr>();
            var transition = Graph.Empty;
            foreach (var item in items)
            {
                ct.ThrowIfCancellationRequested();
                sink.Key = LocationKey.StageAt(item.Index);
                if (!item.IsBlock)
                {
                    var outC = (long)Math.Floor(current.C * item.Compression);
                    if (outC < 1)
                    {
                        Report(Diagnostics.TransitionEmpty, LocationKey.StageAt(item.Index, "Compression"), $"Transition {stages.Count}", Emitter.Double(item.Compression), current.C, outC);
                        return new Result(null, found.ToEquatableArray());
                    }
                    transition = DenseTransition(stages.Count, current.C, outC);
                    sink.Where = $"transition{stages.Count}";
                    current = ShapeInference.Graph(transition, none, current, null, sink).Output(current);
                    continue;
                }
                var template = DenseLayer(item.BottleneckWidth > 0, item.Dropout);
                var index = templates.FindIndex(t => t with { ClassName = template.ClassName } == template);
                if (index < 0)
                {
                    var name = template.ClassName;
                    for (var n = 2; templates.Any(t => t.ClassName == name); n++) name = template.ClassName + n;
                    templates.Add(template with { ClassName = name });
                    index = templates.Count - 1;
                }
                var uses = new List<BlockUse>();
                sink.Where = $"denseblock{stages.Count + 1}";
                for (var j = 0; j < item.Layers; j++)
                {
                    var args = new[]
                    {
                        new Binding("in_channels", current.C),
                        new Binding("growth_rate", item.GrowthRate),
                        new Binding("bottleneck", checked((long)item.BottleneckWidth * item.GrowthRate)),
                    }.ToEquatableArray();
                    uses.Add(new BlockUse(index, args, null, 0));
                    current = ShapeInference.Graph(templates[index].Body, args, current, null, sink).Output(current);
                }
                stages.Add(new StageIr($"denseblock{stages.Count + 1}", transition, uses.ToEquatableArray()));
                transition = Graph.Empty;
            }

            var head = new List<Node> { Norm("norm5", Expr.Of(current.C)), Relu(inPlace: true) };
            head.Add(new Node(Op.AdaptiveAvgPool, "", EquatableArray<int>.Empty) { OutH = 1, OutW = 1 });
            head.Add(new Node(Op.Flatten, "", EquatableArray<int>.Empty));
            if (spec.NumClasses > 0)
            {
                if (spec.Dropout > 0) head.Add(new Node(Op.Dropout, "", EquatableArray<int>.Empty) { Value = spec.Dropout });
                head.Add(new Node(Op.Linear, "classifier", EquatableArray<int>.Empty) { InC = Expr.Of(current.C), OutC = Expr.Of(spec.NumClasses), Bias = true });
            }
            else if (spec.Dropout > 0)
            {
                Report(Diagnostics.Unused, LocationKey.ResNet("Dropout"), "Dropout applies to the head, and NumClasses = 0 has no head");
            }

            var layers = stages.Sum(s => s.Blocks.Count);
            var description = $"DenseNet, {(spec.Stem == StemKind.Cifar ? "CIFAR" : "ImageNet")} stem, {stages.Count} dense block(s) of [{string.Join(", ", stages.Select(s => s.Blocks.Count))}] layers";
            var ir = new NetworkIr(spec.Target, description, spec.InChannels, spec.InputSize, spec.InputSize, spec.NumClasses,
                stem, stages.ToEquatableArray(), new Graph(head.ToEquatableArray()), templates.ToEquatableArray(), false)
            {
                DenseLayout = true,
                Init = spec.Config.Init,
            };
            foreach (var member in spec.UserMembers)
            {
                if (DenseMembers.Contains(member) || templates.Any(t => t.ClassName == member))
                {
                    Report(Diagnostics.MemberClash, LocationKey.Class, spec.Target.Name, member == "constructor" ? "a parameterless constructor" : member);
                }
            }
            if (found.Any(d => d.IsError)) return new Result(null, found.ToEquatableArray());
            return new Result(new NetworkModel(ir, ShapeInference.Analyse(ir)), found.ToEquatableArray());
        }
        catch (OverflowException)
        {
            Report(Diagnostics.OutOfRange, LocationKey.ResNet(), "The network's size", "beyond 64-bit counts", "smaller (fewer or narrower layers)");
            return new Result(null, found.ToEquatableArray());
        }
    }

    private static readonly string[] DenseMembers =
    {
        "constructor", "forward", "Summary", "InitializeWeights", "CheckInput", "InChannels", "NumClasses", "InputSize",
        "ParameterCount", "MultiplyAdds", "OutputFeatures", "StemChannels", "SummaryText", "features", "classifier",
    };

    /// <summary>Blocks first, transitions only between two blocks (the paper's layout).</summary>
    private static bool CheckDenseOrder(EquatableArray<DenseItemSpec> items, Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, LocationKey, object[]> report)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].IsBlock) continue;
            string? problem = i == 0 ? "comes before the first [DenseBlock]"
                : !items[i - 1].IsBlock ? "follows another [Transition]"
                : i == items.Count - 1 ? "is the last dense attribute; a transition goes between two [DenseBlock]s (the network ends with norm5 and the head)"
                : null;
            if (problem is not null)
            {
                report(Diagnostics.DenseLayout, LocationKey.StageAt(items[i].Index), new object[] { $"[Transition] {problem}" });
                return false;
            }
        }
        return true;
    }

    /// <summary>torchvision's conv0/norm0/relu0/pool0, or the CIFAR DenseNet's single 3×3 conv0 (no norm, no pool).</summary>
    private static Graph DenseStem(NetworkSpec spec, int growthRate)
    {
        var width = Expr.Of(spec.StemFilters > 0 ? spec.StemFilters : 2L * growthRate);
        var inC = Expr.Of(spec.InChannels);
        var nodes = new List<Node>();
        if (spec.Stem == StemKind.Cifar)
        {
            nodes.Add(Conv("conv0", inC, width, 3, Expr.One, Expr.One));
        }
        else
        {
            nodes.Add(Conv("conv0", inC, width, 7, Expr.Of(2), Expr.Of(3)));
            nodes.Add(Norm("norm0", width));
            nodes.Add(Relu("relu0", inPlace: true));
            nodes.Add(new Node(Op.MaxPool, "pool0", EquatableArray<int>.Empty) { Kernel = 3, Stride = Expr.Of(2), Padding = Expr.One });
        }
        return new Graph(nodes.ToEquatableArray());
    }

    /// <summary>torchvision's <c>_Transition</c>: norm, relu, 1×1 conv, 2×2 average pool (a Sequential named transitionN).</summary>
    private static Graph DenseTransition(int number, long inC, long outC)
    {
        var body = new[]
        {
            Norm("norm", Expr.Of(inC)),
            Relu("relu", inPlace: true),
            Conv("conv", Expr.Of(inC), Expr.Of(outC), 1, Expr.One, Expr.Zero),
            new Node(Op.AvgPool, "pool", EquatableArray<int>.Empty) { Kernel = 2, Stride = Expr.Of(2) },
        };
        return new Graph(new[]
        {
            new Node(Op.Sequential, $"transition{number}", EquatableArray<int>.Empty) { Body = new Graph(body.ToEquatableArray()), InC = Expr.Of(inC), OutC = Expr.Of(outC) },
        }.ToEquatableArray());
    }

    /// <summary>
    /// torchvision's <c>_DenseLayer</c>: BN-ReLU-1×1 conv (bottleneck) - BN-ReLU-3×3 conv (growth rate) [- dropout],
    /// then the input and the new features concatenated. Without a bottleneck: BN-ReLU-3×3 conv.
    /// </summary>
    private static BlockTemplate DenseLayer(bool bottleneck, double dropout)
    {
        var inC = Expr.P("in_channels");
        var growth = Expr.P("growth_rate");
        var b = new List<Node> { Norm("norm1", inC), Relu(inPlace: true) };
        if (bottleneck)
        {
            var width = Expr.P("bottleneck");
            b.Add(Conv("conv1", inC, width, 1, Expr.One, Expr.Zero));
            b.Add(Norm("norm2", width));
            b.Add(Relu(inPlace: true));
            b.Add(Conv("conv2", width, growth, 3, Expr.One, Expr.One));
        }
        else
        {
            b.Add(Conv("conv1", inC, growth, 3, Expr.One, Expr.One));
        }
        if (dropout > 0) b.Add(new Node(Op.Dropout, "", EquatableArray<int>.Empty) { Value = dropout });
        b.Add(new Node(Op.Concat, "", Node.From(-1, b.Count - 1)));
        var parameters = new List<TemplateParam> { new("in_channels", ParamType.Long, 0, true), new("growth_rate", ParamType.Long, 0, true) };
        if (bottleneck) parameters.Add(new("bottleneck", ParamType.Long, 0, true));
        var description = bottleneck
            ? "Dense layer (DenseNet-B): BN-ReLU-1×1 conv to <c>bottleneck</c> channels, BN-ReLU-3×3 conv to <c>growth_rate</c>, concatenated to its input, as torchvision's <c>_DenseLayer</c>"
            : "Dense layer: BN-ReLU-3×3 conv to <c>growth_rate</c> channels, concatenated to its input";
        if (dropout > 0) description += $", dropout {Emitter.Double(dropout)}";
        return new BlockTemplate("DenseLayer", description, parameters.ToEquatableArray(), new Graph(b.ToEquatableArray()), null, null);
    }
}
