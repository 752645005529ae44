using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ResNetGen.Generator;

/// <summary>
/// Spec → IR. Lowers the stem, every block (one template per block class, bound per instance), each
/// shortcut and the head into graphs, choosing shortcuts from the shapes that <see cref="ShapeInference"/>
/// infers over what has been lowered so far, and reporting what cannot be built. After this step
/// nothing looks at attributes again.
/// </summary>
internal static partial class Lowering
{
    public sealed record Result(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

    public static Result Lower(NetworkSpec spec, EquatableArray<CustomBlockSpec> customBlocks, CancellationToken ct)
    {
        if (spec.Dense is { } dense) return LowerDense(spec, dense, ct);
        var context = new Context(spec, customBlocks, ct);
        try
        {
            var ir = context.Run();
            if (context.Found.Any(d => d.IsError)) return new Result(null, context.Found.ToEquatableArray());
            return new Result(new NetworkModel(ir, ShapeInference.Analyse(ir)), context.Found.ToEquatableArray());
        }
        catch (OverflowException)
        {
            context.Found.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.ResNet(), "The network's size", "beyond 64-bit counts", "smaller (fewer or narrower layers)"));
            return new Result(null, context.Found.ToEquatableArray());
        }
    }

    // ------------------------------------------------------------------ node helpers

    private static Node Conv(string name, Expr inC, Expr outC, int k, Expr stride, Expr padding, Expr? dilation = null, Expr? groups = null, bool bias = false, params int[] inputs) =>
        new(Op.Conv, name, inputs.ToEquatableArray())
        {
            InC = inC, OutC = outC, Kernel = k, Stride = stride, Padding = padding,
            Dilation = dilation ?? Expr.One, Groups = groups ?? Expr.One, Bias = bias,
        };

    private static Node Norm(string name, Expr channels) => new(Op.BatchNorm, name, EquatableArray<int>.Empty) { InC = channels, OutC = channels };

    private static Node Relu(string name = "", bool inPlace = false) => new(Op.Relu, name, EquatableArray<int>.Empty) { InPlace = inPlace };

    private static bool IsSpatial(Op op) => op is Op.Conv or Op.MaxPool or Op.AvgPool;

    /// <summary>
    /// Closes a block body: optional drop path, the shortcut (from <paramref name="tap"/>), the add and the
    /// post-activation. The add may accumulate in place when the branch ends in a batch norm, whose
    /// backward never reads its output (torchvision's <c>out += identity</c>).
    /// </summary>
    private static Graph CloseBlock(List<Node> branch, int tap, bool dropPath, ActivationKind post, double slope)
    {
        var endsInNorm = branch.Count > 0 && branch[branch.Count - 1].Op == Op.BatchNorm;
        var nodes = new List<Node>(branch);
        if (dropPath) nodes.Add(new Node(Op.DropPath, "", EquatableArray<int>.Empty));
        var last = nodes.Count - 1;
        nodes.Add(new Node(Op.Shortcut, "", Node.From(tap)));
        nodes.Add(new Node(Op.Add, "", Node.From(last, nodes.Count - 1)) { InPlace = endsInNorm });
        if (post == ActivationKind.Relu) nodes.Add(Relu(inPlace: true));
        if (post == ActivationKind.LeakyRelu) nodes.Add(new Node(Op.LeakyRelu, "", EquatableArray<int>.Empty) { Value = slope });
        return new Graph(nodes.ToEquatableArray());
    }

    private static readonly TemplateParam DropPathParam = new("drop_path", ParamType.Double, 0, false);

    /// <summary>The template of a built-in block kind (torchvision's BasicBlock / Bottleneck, or the v2 pre-activation blocks).</summary>
    public static BlockTemplate BuiltIn(BlockKind kind, bool strideOnFirstConv, int reduction, bool dropPath, BuiltInOptions? options = null)
    {
        var o = options ?? BuiltInOptions.Default;
        var inC = Expr.P("in_channels");
        var outC = Expr.P("out_channels");
        var width = Expr.P("width");
        var stride = Expr.P("stride");
        var b = new List<Node>();
        var tap = -1;
        var bottleneck = kind is BlockKind.Bottleneck or BlockKind.PreActBottleneck;
        var preAct = kind is BlockKind.PreActBasic or BlockKind.PreActBottleneck;
        var bias = o.Bias;
        var n = 1; // index of the next batch norm
        if (preAct && !o.SkipPreActivation)
        {
            b.Add(Norm($"bn{n++}", inC));
            b.Add(Relu(inPlace: true));
            if (o.Input != ShortcutInput.Raw) tap = b.Count - 1;
        }
        void Dropout()
        {
            if (o.Dropout > 0) b.Add(new Node(Op.Dropout, "", EquatableArray<int>.Empty) { Value = o.Dropout });
        }
        if (!bottleneck)
        {
            b.Add(Conv("conv1", inC, outC, 3, stride, Expr.One, bias: bias));
            b.Add(Norm($"bn{n++}", outC));
            b.Add(Relu(inPlace: true));
            Dropout();
            b.Add(Conv("conv2", outC, outC, 3, Expr.One, Expr.One, bias: bias));
            if (!preAct) b.Add(Norm($"bn{n++}", outC));
        }
        else
        {
            var dilation = Expr.P("dilation");
            b.Add(Conv("conv1", inC, width, 1, strideOnFirstConv ? stride : Expr.One, Expr.Zero, bias: bias));
            b.Add(Norm($"bn{n++}", width));
            b.Add(Relu(inPlace: true));
            b.Add(Conv("conv2", width, width, 3, strideOnFirstConv ? Expr.One : stride, dilation, dilation, Expr.P("groups"), bias));
            b.Add(Norm($"bn{n++}", width));
            b.Add(Relu(inPlace: true));
            Dropout();
            b.Add(Conv("conv3", width, outC, 1, Expr.One, Expr.Zero, bias: bias));
            if (!preAct) b.Add(Norm($"bn{n++}", outC));
        }
        if (reduction > 0) b.Add(new Node(Op.SqueezeExcite, "se", EquatableArray<int>.Empty) { InC = outC, OutC = outC, Reduced = Expr.P("se_channels") });

        var parameters = new List<TemplateParam> { new("in_channels", ParamType.Long, 0, true) };
        if (bottleneck) parameters.Add(new("width", ParamType.Long, 0, true));
        parameters.Add(new("out_channels", ParamType.Long, 0, true));
        if (reduction > 0) parameters.Add(new("se_channels", ParamType.Long, 0, true));
        parameters.Add(new("stride", ParamType.Long, 1, false));
        if (bottleneck)
        {
            parameters.Add(new("groups", ParamType.Long, 1, false));
            parameters.Add(new("dilation", ParamType.Long, 1, false));
        }
        if (dropPath) parameters.Add(DropPathParam);

        var (name, description) = kind switch
        {
            BlockKind.Basic => ("BasicBlock", "Basic residual block (two 3×3 convolutions), as torchvision's <c>BasicBlock</c>"),
            BlockKind.Bottleneck => ("Bottleneck", strideOnFirstConv
                ? "Bottleneck block (1×1, 3×3, 1×1; stride on the first 1×1, as the original paper)"
                : "Bottleneck block v1.5 (1×1, 3×3, 1×1; stride on the 3×3), as torchvision's <c>Bottleneck</c>"),
            BlockKind.PreActBasic => ("PreActBlock", "Pre-activation basic block (ResNet v2: BN-ReLU before each convolution)"),
            _ => ("PreActBottleneck", "Pre-activation bottleneck block (ResNet v2: BN-ReLU before each convolution)"),
        };
        if (reduction > 0) description += ", with squeeze-excitation";
        (name, description) = o.Describe(name, description);
        var zeroInit = kind switch { BlockKind.Basic => "bn2", BlockKind.Bottleneck => "bn3", _ => null };
        var body = CloseBlock(b, tap, dropPath, preAct ? ActivationKind.None : ActivationKind.Relu, 0);
        return new BlockTemplate(name, description, parameters.ToEquatableArray(), body, zeroInit, null);
    }

    private sealed partial class Context
    {
        private readonly NetworkSpec spec;
        private readonly EquatableArray<CustomBlockSpec> customBlocks;
        private readonly CancellationToken ct;
        public readonly List<DiagnosticInfo> Found = new();
        private readonly List<BlockTemplate> templates = new();
        private readonly ShapeSink sink;

        public Context(NetworkSpec spec, EquatableArray<CustomBlockSpec> customBlocks, CancellationToken ct)
        {
            this.spec = spec;
            this.customBlocks = customBlocks;
            this.ct = ct;
            sink = new ShapeSink(Found, spec.InputSize > 0 ? spec.InputSize : spec.Config.InputHeight);
        }

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationKey where, params object[] args) =>
            Found.Add(DiagnosticInfo.Create(descriptor, where, args));

        private BlockKind EffectiveBlock(StageSpec stage) => stage.Block ?? spec.Block;

        private bool IsPreAct(BlockKind kind, string? custom) => custom is null
            ? kind is BlockKind.PreActBasic or BlockKind.PreActBottleneck
            : customBlocks.FirstOrDefault(b => b.MetadataName == custom) is { PreActivation: true };

        public NetworkIr Run()
        {
            var none = EquatableArray<Binding>.Empty;
            var (height, width) = InputHeightWidth();
            var input = Shape.Input(spec.InChannels, height, width);
            var stages = spec.Stages;
            var firstPreAct = stages.Count > 0 && IsPreAct(EffectiveBlock(stages[0]), stages[0].CustomBlock);
            var lastPreAct = stages.Count > 0 && IsPreAct(EffectiveBlock(stages[stages.Count - 1]), stages[stages.Count - 1].CustomBlock);

            var stem = LowerStem(firstPreAct, stages.Count > 0 && stages[0].Config.SkipFirstPreActivation);
            sink.Key = LocationKey.Stem();
            sink.WhereOf = n => n.Op == Op.MaxPool ? "stem max-pool" : "stem";
            var current = ShapeInference.Graph(stem, none, input, null, sink).Output(input);
            sink.WhereOf = null;
            var stemOut = current;

            var blockCount = stages.Sum(s => (long)s.Blocks);
            var globalIndex = 0;
            var stageIrs = new List<StageIr>();
            for (var i = 0; i < stages.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var stage = LowerStage(i, stages[i], ref current, ref globalIndex, blockCount);
                if (stage is null) break;
                stageIrs.Add(stage);
            }

            // [FeatureFusion] / [Reconstruction] (Lowering.Image.cs): the fusion conv, then the image tail instead of the classifier.
            var image = spec.Image;
            var fusion = image?.Fusion is { } f && stageIrs.Count == stages.Count ? LowerFusion(f, stemOut, stageIrs, ref current) : null;
            var reconstruction = image?.Reconstruction;
            var head = reconstruction is not null ? LowerReconstruction(reconstruction, current) : LowerHead(current, lastPreAct);

            var ir = new NetworkIr(
                spec.Target, Describe(stageIrs) + DescribeImage(), spec.InChannels, height, width, reconstruction is null ? spec.NumClasses : 0,
                stem, stageIrs.ToEquatableArray(), head, templates.ToEquatableArray(), spec.ZeroInitResidual)
            {
                Fusion = fusion,
                Init = spec.Config.Init,
                Scale = reconstruction?.Scale ?? 0,
            };
            CheckMemberClashes(ir);
            return ir;
        }

        private string Describe(List<StageIr> stages)
        {
            var stem = spec.Stem switch { StemKind.Cifar => "CIFAR stem", StemKind.Deep => "deep stem", _ => "ImageNet stem" };
            return $"{stem}, {stages.Count} stage(s) of [{string.Join(", ", stages.Select(s => s.Blocks.Count))}] blocks";
        }

        // ------------------------------------------------------------------ stages

        private int Template(BlockTemplate template)
        {
            for (var i = 0; i < templates.Count; i++)
            {
                if (templates[i] == template) return i;
            }
            // Same class name, different structure (e.g. squeeze-excite on some stages only): number it.
            var name = template.ClassName;
            for (var n = 2; templates.Any(t => t.ClassName == name); n++) name = template.ClassName + n;
            templates.Add(template with { ClassName = name });
            return templates.Count - 1;
        }

        private int Find(BlockTemplate template)
        {
            for (var i = 0; i < templates.Count; i++)
            {
                if (templates[i] with { ClassName = template.ClassName } == template) return i;
            }
            return Template(template);
        }

        private StageIr? LowerStage(int index, StageSpec stage, ref Shape current, ref int globalIndex, long blockCount)
        {
            var label = $"Stage {index + 1}";
            var kind = EffectiveBlock(stage);
            var shortcut = stage.Shortcut ?? spec.Shortcut;
            var groups = stage.Groups ?? spec.Groups;
            var widthPerGroup = stage.WidthPerGroup ?? spec.WidthPerGroup;
            var dilation = stage.Dilation ?? 1;
            var reduction = stage.SqueezeExcite ?? spec.SqueezeExcite;
            sink.Where = $"stage {index + 1} (layer{index + 1})";
            sink.Key = LocationKey.StageAt(index);

            CustomBlockSpec? custom = null;
            if (stage.CustomBlock is not null)
            {
                custom = customBlocks.FirstOrDefault(b => b.MetadataName == stage.CustomBlock);
                if (custom is null)
                {
                    Report(Diagnostics.BadCustomBlock, LocationKey.StageAt(index, "CustomBlock"),
                        $"{label}: '{stage.CustomBlockDisplay}' must be a [ResidualBlock] class declared in this compilation");
                    return null;
                }
                if (!custom.Valid) return null; // its own diagnostics explain why
                if (dilation != 1)
                {
                    Report(Diagnostics.Unused, LocationKey.StageAt(index, "Dilation"), $"{label}: Dilation does not apply to a custom block; set it on its [Conv] attributes");
                }
            }
            else if (kind is BlockKind.Basic or BlockKind.PreActBasic)
            {
                if (dilation > 1)
                {
                    Report(Diagnostics.BasicBlockUnsupported, LocationKey.StageAt(index, "Dilation"), label, $"Dilation {dilation}");
                }
                if (groups != 1)
                {
                    Report(Diagnostics.BasicBlockUnsupported, stage.Groups is null ? LocationKey.ResNet("Groups") : LocationKey.StageAt(index, "Groups"), label, $"Groups {groups}");
                }
                if (widthPerGroup != 64)
                {
                    Report(Diagnostics.BasicBlockUnsupported, stage.WidthPerGroup is null ? LocationKey.ResNet("WidthPerGroup") : LocationKey.StageAt(index, "WidthPerGroup"), label, $"WidthPerGroup {widthPerGroup}");
                }
            }
            else if ((long)stage.Filters * widthPerGroup / 64 < 1)
            {
                Report(Diagnostics.OutOfRange, stage.WidthPerGroup is null ? LocationKey.StageAt(index, "filters") : LocationKey.StageAt(index, "WidthPerGroup"),
                    $"{label} bottleneck width (filters × WidthPerGroup / 64)", (long)stage.Filters * widthPerGroup / 64, "at least 1");
                return null;
            }

            if (!CheckStageOptions(index, stage, kind, custom)) return null;
            var options = BlockOptions(stage, kind);
            var template = custom is not null ? Custom(custom) : BuiltIn(kind, spec.StrideOnFirstConv, reduction, spec.DropPath > 0, options);
            var first = custom is null && stage.Config.SkipFirstPreActivation
                ? BuiltIn(kind, spec.StrideOnFirstConv, reduction, spec.DropPath > 0, options with { SkipPreActivation = true })
                : template;
            var expansion = stage.Config.Expansion ?? spec.Config.Expansion;
            var uses = new List<BlockUse>();
            for (var j = 0; j < stage.Blocks; j++)
            {
                ct.ThrowIfCancellationRequested();
                var stride = j == 0 ? stage.Stride : 1;
                var args = new List<Binding> { new("in_channels", current.C) };
                if (custom is not null)
                {
                    args.Add(new("planes", stage.Filters));
                }
                else if (kind is BlockKind.Basic or BlockKind.PreActBasic)
                {
                    args.Add(new("out_channels", stage.Filters));
                }
                else
                {
                    args.Add(new("width", checked((long)stage.Filters * widthPerGroup / 64 * groups)));
                    args.Add(new("out_channels", checked((long)stage.Filters * expansion)));
                }
                if (custom is null && reduction > 0) args.Add(new("se_channels", Math.Max(1, args[args.Count - 1].Value / reduction)));
                args.Add(new("stride", stride));
                if (custom is null && kind is BlockKind.Bottleneck or BlockKind.PreActBottleneck)
                {
                    args.Add(new("groups", groups));
                    args.Add(new("dilation", dilation));
                }
                var bindings = args.ToEquatableArray();
                if (custom is not null && !CheckGroups(template, bindings, current, index, label)) return null;
                var rate = spec.DropPath > 0 && blockCount > 1 ? spec.DropPath * globalIndex / (blockCount - 1) : 0.0;
                var blockTemplate = j == 0 ? first : template;
                var use = LowerBlock(blockTemplate, bindings, current, shortcut, stage, index, j, custom, kind, Math.Round(rate, 12));
                if (use is null) return null;
                uses.Add(use);
                current = ShapeInference.Graph(blockTemplate.Body, bindings, current, use.Downsample, null).Output(current);
                globalIndex++;
            }
            return new StageIr($"layer{index + 1}", Graph.Empty, uses.ToEquatableArray());
        }

        private bool CheckGroups(BlockTemplate template, EquatableArray<Binding> b, Shape input, int stage, string label)
        {
            // Each convolution's input channels from shape inference: with parallel branches its input need not be the node before it.
            var nodes = template.Body.Nodes;
            var shapes = ShapeInference.Graph(template.Body, b, input, null, null);
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = nodes[i];
                if (node.Op == Op.Shortcut) break;
                if (node.Op != Op.Conv) continue;
                var from = node.Inputs.Count > 0 ? node.Inputs[0] : i - 1;
                var c = from < 0 ? input.C : shapes.Out[from].C;
                var g = node.Groups.Eval(b);
                var outC = node.OutC.Eval(b);
                if (c % g != 0 || outC % g != 0)
                {
                    Report(Diagnostics.GroupsDoNotDivide, LocationKey.StageAt(stage, "CustomBlock"), $"{label}, {template.ClassName}.{node.Name}", g, c, outC);
                    return false;
                }
            }
            return true;
        }

        private BlockUse? LowerBlock(BlockTemplate template, EquatableArray<Binding> b, Shape input, ShortcutKind requested, StageSpec stage, int stageIndex, int blockIndex, CustomBlockSpec? custom, BlockKind kind, double dropPath)
        {
            var body = template.Body;
            var shapes = ShapeInference.Graph(body, b, input, null, sink);
            var shortcutIndex = body.Nodes.Select((n, i) => (n, i)).First(p => p.n.Op == Op.Shortcut).i;
            // The residual join is the Add (or Gate) that reads the shortcut; a branch group's Add is not.
            var add = body.Nodes.First(n => n.Op is Op.Add or Op.Gate && n.Inputs.Contains(shortcutIndex));
            var output = shapes.Out[add.Inputs[0]];
            var tap = body.Nodes[shortcutIndex].Inputs[0];
            var tapShape = tap < 0 ? input : shapes.Out[tap];

            // The branch's stride and whether any of its windows changes the size other than by the stride.
            long branchStride = 1;
            var irregular = false;
            if (add.Op == Op.Gate && !GateFits(shapes, add, b, stageIndex, blockIndex, custom)) return null;
            if (!JoinsFit(body, shapes, shortcutIndex, stageIndex, blockIndex, custom)) return null;
            // Along the path from the branch output back to the block input (a join's first branch stands for all: they agree).
            for (var at = add.Inputs[0]; at >= 0; at = body.Nodes[at].Inputs.Count > 0 ? body.Nodes[at].Inputs[0] : at - 1)
            {
                var node = body.Nodes[at];
                if (!IsSpatial(node.Op)) continue;
                var s = node.Stride.Eval(b);
                var p = node.Padding.Eval(b);
                var d = node.Op == Op.Conv ? node.Dilation.Eval(b) : 1;
                branchStride = checked(branchStride * s);
                if (2 * p != d * (node.Kernel - 1)) irregular = true;
            }

            var sameShape = output.C == input.C && branchStride == 1 && !irregular && (!input.Known || (output.H == input.H && output.W == input.W));
            var label = $"Stage {stageIndex + 1} block {blockIndex + 1}";
            var shortcutKey = stage.Shortcut is null ? LocationKey.ResNet("Shortcut") : LocationKey.StageAt(stageIndex, "Shortcut");
            if (stage.Shortcut is null && requested == ShortcutKind.Auto) shortcutKey = LocationKey.StageAt(stageIndex);
            var stride = (int)Math.Min(int.MaxValue, branchStride);
            if (sameShape) return new BlockUse(Find(template), b, null, dropPath);

            Node downsample;
            string kindName;
            switch (requested)
            {
                case ShortcutKind.Identity:
                    if (custom is not null) Report(Diagnostics.CustomBranchMismatch, shortcutKey, label, custom.Target.Name, output, "identity", input);
                    else Report(Diagnostics.IdentityShapeChange, shortcutKey, label, input, output);
                    return null;
                case ShortcutKind.ZeroPad:
                    if (output.C < input.C)
                    {
                        Report(Diagnostics.ZeroPadShrinks, shortcutKey, label, input, output);
                        return null;
                    }
                    downsample = new Node(Op.ZeroPad, "downsample", EquatableArray<int>.Empty) { InC = Expr.Of(tapShape.C), OutC = Expr.Of(output.C), Stride = Expr.Of(stride) };
                    kindName = "zeropad";
                    break;
                default:
                {
                    var avg = requested == ShortcutKind.AvgDown;
                    var nodes = new List<Node>();
                    if (avg)
                    {
                        nodes.Add(stride > 1
                            ? new Node(Op.AvgPool, "", EquatableArray<int>.Empty) { Kernel = stride, Stride = Expr.Of(stride), CeilMode = true, CountIncludePad = false }
                            : new Node(Op.Identity, "", EquatableArray<int>.Empty));
                    }
                    var projection = spec.Config.Shortcut;
                    nodes.Add(Conv("", Expr.Of(tapShape.C), Expr.Of(output.C), projection.Kernel, Expr.Of(avg ? 1 : stride),
                        Expr.Of(projection.Padding >= 0 ? projection.Padding : (projection.Kernel - 1) / 2), bias: projection.Bias ?? spec.Config.ConvBias));
                    if (projection.Norm) nodes.Add(Norm("", Expr.Of(output.C)));
                    downsample = nodes.Count == 1
                        ? nodes[0] with { Name = "downsample" } // a bare convolution, as Wide ResNet's convShortcut
                        : new Node(Op.Sequential, "downsample", EquatableArray<int>.Empty) { Body = new Graph(nodes.ToEquatableArray()), OutC = Expr.Of(output.C) };
                    kindName = avg ? "avgdown" : "projection";
                    break;
                }
            }
            var shortcutOut = ShapeInference.Node(downsample, b, new[] { tapShape }, null, null).Out;
            var mismatch = input.Known ? shortcutOut.H != output.H || shortcutOut.W != output.W : irregular || IrregularShortcut(kindName);
            if (mismatch && ReportShortcutMismatch(kindName, label, shortcutOut, output)) return null;
            if (mismatch)
            {
                var name = custom?.Target.Name ?? kind.ToString();
                Report(Diagnostics.CustomBranchMismatch, custom is null ? LocationKey.StageAt(stageIndex) : LocationKey.StageAt(stageIndex, "CustomBlock"),
                    label, name, output, kindName, shortcutOut);
                return null;
            }
            return new BlockUse(Find(template), b, downsample, dropPath);
        }

        private void CheckMemberClashes(NetworkIr ir)
        {
            var generated = new List<string>
            {
                "constructor", "forward", "ForwardFeatures", "FeatureMaps", "Summary", "InitializeWeights", "CheckInput",
                "InChannels", "NumClasses", "InputSize", "ParameterCount", "MultiplyAdds", "OutputFeatures", "StemChannels",
                "SummaryText", "ZeroPadShortcut",
            };
            if (ir.Fusion is not null) generated.Add(ir.Fusion.Name);
            if (ir.ImageOutput) generated.AddRange(new[] { "OutChannels", "Scale" });
            generated.AddRange(ir.Stem.Nodes.Concat(ir.Head.Nodes).Select(n => n.Name).Where(n => n.Length > 0));
            if (ir.InputHeight != ir.InputWidth) generated.AddRange(new[] { "InputHeight", "InputWidth" });
            for (var i = 0; i < ir.Stages.Count; i++)
            {
                generated.Add(ir.Stages[i].Field);
                generated.Add($"Layer{i + 1}Channels");
                generated.Add($"Layer{i + 1}Size");
            }
            generated.AddRange(ir.Blocks.Where(b => !b.IsUserClass).Select(b => b.ClassName));
            foreach (var member in spec.UserMembers)
            {
                if (generated.Contains(member))
                {
                    Report(Diagnostics.MemberClash, LocationKey.Class, spec.Target.Name, member == "constructor" ? "a parameterless constructor" : member);
                }
            }
        }
    }
}
