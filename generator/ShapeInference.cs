using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace ResNetGen.Generator;

/// <summary>
/// Spec → resolved model: lowers every block to its layers, infers every shape, picks shortcuts,
/// counts parameters and multiply-adds, and reports shape errors. A pure function of its inputs.
/// </summary>
internal static class ShapeInference
{
    public sealed record Result(NetworkModel? Model, EquatableArray<PendingDiagnostic> Diagnostics);

    public static Result Resolve(NetworkSpec spec, EquatableArray<CustomBlockSpec> customBlocks, CancellationToken ct)
    {
        var context = new Context(spec, customBlocks, ct);
        try
        {
            var model = context.Run();
            var errors = context.Found.Any(d => d.IsError);
            return new Result(errors ? null : model, context.Found.ToEquatableArray());
        }
        catch (OverflowException)
        {
            context.Found.Add(PendingDiagnostic.Create(Diagnostics.OutOfRange, LocationKey.ResNet(), "The network's size", "beyond 64-bit counts", "smaller (fewer or narrower layers)"));
            return new Result(null, context.Found.ToEquatableArray());
        }
    }

    /// <summary>PyTorch's output size for a convolution or pool (floor mode).</summary>
    public static long OutSize(long size, int kernel, int stride, int padding, int dilation = 1) =>
        (size + 2L * padding - (long)dilation * (kernel - 1) - 1) / stride + 1;

    private sealed class Context
    {
        private readonly NetworkSpec spec;
        private readonly EquatableArray<CustomBlockSpec> customBlocks;
        private readonly CancellationToken ct;
        public readonly List<PendingDiagnostic> Found = new();
        private readonly List<BlockClassModel> classes = new();
        private readonly List<SummaryRow> summary = new();
        private long macs;

        public Context(NetworkSpec spec, EquatableArray<CustomBlockSpec> customBlocks, CancellationToken ct)
        {
            this.spec = spec;
            this.customBlocks = customBlocks;
            this.ct = ct;
        }

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationKey where, params object[] args) =>
            Found.Add(PendingDiagnostic.Create(descriptor, where, args));

        public NetworkModel Run()
        {
            var input = new Shape(spec.InChannels, spec.InputSize, spec.InputSize, 1);
            var stages = spec.Stages;
            var firstPreAct = stages.Count > 0 && IsPreAct(EffectiveBlock(stages[0]), stages[0].CustomBlock);
            var lastPreAct = stages.Count > 0 && IsPreAct(EffectiveBlock(stages[stages.Count - 1]), stages[stages.Count - 1].CustomBlock);

            var stem = ResolveStem(input, !firstPreAct);
            var total = stem.Parameters;
            var current = stem.Out;

            var blockCount = stages.Sum(s => (long)s.Blocks);
            var globalIndex = 0;
            var stageModels = new List<StageModel>();
            for (var i = 0; i < stages.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var stage = ResolveStage(i, stages[i], ref current, ref globalIndex, blockCount);
                if (stage is null) break;
                stageModels.Add(stage);
                total = checked(total + stage.Parameters);
            }

            if (lastPreAct)
            {
                total = checked(total + 2 * current.C);
                summary.Add(new SummaryRow("norm", "BatchNorm2d", current.ToString(), 2 * current.C, 0));
                summary.Add(new SummaryRow("relu", "ReLU", current.ToString(), 0, 0));
            }

            var pooled = new Shape(current.C, 1, 1, 0);
            summary.Add(new SummaryRow("avgpool", "AdaptiveAvgPool2d", $"[N, {current.C}, 1, 1]", 0, 0));
            if (spec.NumClasses > 0)
            {
                var fc = checked(current.C * spec.NumClasses + spec.NumClasses);
                total = checked(total + fc);
                macs += current.C * spec.NumClasses;
                if (spec.Dropout > 0) summary.Add(new SummaryRow("dropout", "Dropout", $"[N, {current.C}]", 0, 0));
                summary.Add(new SummaryRow("fc", "Linear", $"[N, {spec.NumClasses}]", fc, 0));
            }
            else if (spec.Dropout > 0)
            {
                Report(Diagnostics.Unused, LocationKey.ResNet("Dropout"), "Dropout applies to the head, and NumClasses = 0 has no head");
            }

            CheckMemberClashes(stageModels);

            return new NetworkModel(
                spec.Target, spec.InChannels, spec.NumClasses, spec.InputSize, stem,
                stageModels.ToEquatableArray(), classes.ToEquatableArray(),
                lastPreAct, current, spec.Dropout, spec.DropPath, spec.ZeroInitResidual,
                classes.Any(c => c.Branch.Any(l => l.Kind == LayerKind.SqueezeExcite)),
                total, spec.InputSize > 0 ? macs : 0, summary.ToEquatableArray());
        }

        // ------------------------------------------------------------------ stem

        private StemModel ResolveStem(Shape input, bool norm)
        {
            var kind = spec.Stem;
            var width = spec.StemFilters > 0 ? spec.StemFilters : kind == StemKind.Cifar ? 16 : 64;
            long parameters = 0;
            Shape afterConv;
            long mid = 0;
            switch (kind)
            {
                case StemKind.Deep:
                {
                    mid = width / 2;
                    var a = Conv(input, mid, 3, 2, 1, 1, 1, "stem", LocationKey.Stem(), ref parameters);
                    parameters += 2 * mid;
                    var b = Conv(a, mid, 3, 1, 1, 1, 1, "stem", LocationKey.Stem(), ref parameters);
                    parameters += 2 * mid;
                    afterConv = Conv(b, width, 3, 1, 1, 1, 1, "stem", LocationKey.Stem(), ref parameters);
                    summary.Add(new SummaryRow("conv1", "Sequential (deep stem)", afterConv.ToString(), parameters, 0));
                    break;
                }
                case StemKind.Cifar:
                    afterConv = Conv(input, width, 3, 1, 1, 1, 1, "stem", LocationKey.Stem(), ref parameters);
                    summary.Add(new SummaryRow("conv1", "Conv2d", afterConv.ToString(), parameters, 0));
                    break;
                default:
                    afterConv = Conv(input, width, 7, 2, 3, 1, 1, "stem", LocationKey.Stem(), ref parameters);
                    summary.Add(new SummaryRow("conv1", "Conv2d", afterConv.ToString(), parameters, 0));
                    break;
            }
            if (norm)
            {
                parameters += 2 * width;
                summary.Add(new SummaryRow("bn1", "BatchNorm2d", afterConv.ToString(), 2 * width, 0));
                summary.Add(new SummaryRow("relu", "ReLU", afterConv.ToString(), 0, 0));
            }
            var output = afterConv;
            if (kind != StemKind.Cifar)
            {
                output = Spatial(afterConv, 3, 2, 1, 1, "stem max-pool", LocationKey.Stem());
                summary.Add(new SummaryRow("maxpool", "MaxPool2d", output.ToString(), 0, 0));
            }
            return new StemModel(kind, input.C, width, mid, norm, afterConv, output, parameters, 0);
        }

        private Shape Conv(Shape input, long outC, int k, int s, int p, int d, int g, string where, LocationKey key, ref long parameters)
        {
            var output = Spatial(input, k, s, p, d, where, key) with { C = outC };
            parameters = checked(parameters + outC * (input.C / g) * k * k);
            if (output.Known) macs = checked(macs + output.H * output.W * outC * (input.C / g) * k * k);
            return output;
        }

        private bool reportedSmall;
        private readonly HashSet<string> reportedOdd = new();

        /// <summary>Spatial arithmetic of one layer with the size checks (RNG009, RNG010).</summary>
        private Shape Spatial(Shape input, int k, int s, int p, int d, string where, LocationKey key)
        {
            if (!input.Known) return input with { Div = checked(input.Div * s) };
            if (s > 1 && input.H % 2 == 1 && input.H > 1 && reportedOdd.Add(where))
            {
                Report(Diagnostics.OddSizeHalved, key, Capitalise(where), s, input.H, spec.InputSize);
            }
            var h = OutSize(input.H, k, s, p, d);
            if (h < 1 || (s > 1 && input.H == 1))
            {
                // A stride on a 1×1 map (or a kernel larger than the padded map) asks for less than one pixel.
                if (!reportedSmall)
                {
                    reportedSmall = true;
                    var detail = h < 1 ? $"a {k}×{k} window over {input.H}×{input.H} gives {h}×{h}" : $"stride {s} on a 1×1 map";
                    Report(Diagnostics.SpatialTooSmall, key, Capitalise(where), spec.InputSize, detail);
                }
                h = Math.Max(1, h);
            }
            return new Shape(input.C, h, h, 0);
        }

        private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        // ------------------------------------------------------------------ stages

        private BlockKind EffectiveBlock(StageSpec stage) => stage.Block ?? spec.Block;

        private static bool IsPreAct(BlockKind kind, string? custom) =>
            custom is null && kind is BlockKind.PreActBasic or BlockKind.PreActBottleneck;

        private StageModel? ResolveStage(int index, StageSpec stage, ref Shape current, ref int globalIndex, long blockCount)
        {
            var label = $"Stage {index + 1}";
            var where = $"stage {index + 1} (layer{index + 1})";
            var kind = EffectiveBlock(stage);
            var shortcut = stage.Shortcut ?? spec.Shortcut;
            var groups = stage.Groups ?? spec.Groups;
            var widthPerGroup = stage.WidthPerGroup ?? spec.WidthPerGroup;
            var dilation = stage.Dilation ?? 1;
            var reduction = stage.SqueezeExcite ?? spec.SqueezeExcite;
            var stageKey = LocationKey.StageAt(index);

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

            var instances = new List<BlockInstance>();
            long parameters = 0;
            var stageStart = summary.Count;
            summary.Add(new SummaryRow("", "", "", 0, 0)); // placeholder for the stage row
            for (var j = 0; j < stage.Blocks; j++)
            {
                ct.ThrowIfCancellationRequested();
                var stride = j == 0 ? stage.Stride : 1;
                var blockWhere = where;
                var branch = custom is not null
                    ? LowerCustom(custom, current, stage.Filters, stride, blockWhere, stageKey, label)
                    : LowerBuiltIn(kind, current, stage.Filters, stride, groups, widthPerGroup, dilation, reduction, blockWhere, stageKey);
                if (branch is null) return null;
                var block = BuildBlock(branch, current, shortcut, stage, index, j, custom, kind);
                if (block is null) return null;
                var name = Register(block);
                var rate = spec.DropPath > 0 && blockCount > 1 ? spec.DropPath * globalIndex / (blockCount - 1) : 0.0;
                instances.Add(new BlockInstance(name, Math.Round(rate, 12)));
                parameters = checked(parameters + block.Parameters);
                macs = checked(macs + block.MultiplyAdds);
                summary.Add(new SummaryRow($"layer{index + 1}.{j}", name, block.Out.ToString(), block.Parameters, 1));
                current = block.Out;
                globalIndex++;
            }
            summary[stageStart] = new SummaryRow($"layer{index + 1}", "Sequential", current.ToString(), parameters, 0);
            return new StageModel($"layer{index + 1}", current, instances.ToEquatableArray(), parameters);
        }

        private sealed record Branch(List<LayerModel> Layers, int TapAfter, ActivationKind Post, double Slope, string? ZeroInit, string Prefix, string Description, string? BaseClass, bool Irregular, long Stride);

        private Branch? LowerBuiltIn(BlockKind kind, Shape input, int planes, int stride, int groups, int widthPerGroup, int dilation, int reduction, string where, LocationKey key)
        {
            var b = new BranchBuilder(this, input, where, key);
            switch (kind)
            {
                case BlockKind.Basic:
                    b.Conv("conv1", planes, 3, stride, 1, 1, 1);
                    b.Norm("bn1");
                    b.Relu();
                    b.Conv("conv2", planes, 3, 1, 1, 1, 1);
                    b.Norm("bn2");
                    break;
                case BlockKind.Bottleneck:
                {
                    var width = (long)planes * widthPerGroup / 64 * groups;
                    var first = spec.StrideOnFirstConv ? stride : 1;
                    var middle = spec.StrideOnFirstConv ? 1 : stride;
                    b.Conv("conv1", width, 1, first, 0, 1, 1);
                    b.Norm("bn1");
                    b.Relu();
                    b.Conv("conv2", width, 3, middle, dilation, dilation, groups);
                    b.Norm("bn2");
                    b.Relu();
                    b.Conv("conv3", (long)planes * 4, 1, 1, 0, 1, 1);
                    b.Norm("bn3");
                    break;
                }
                case BlockKind.PreActBasic:
                    b.Norm("bn1");
                    b.Relu();
                    b.Tap();
                    b.Conv("conv1", planes, 3, stride, 1, 1, 1);
                    b.Norm("bn2");
                    b.Relu();
                    b.Conv("conv2", planes, 3, 1, 1, 1, 1);
                    break;
                default:
                {
                    var width = (long)planes * widthPerGroup / 64 * groups;
                    var first = spec.StrideOnFirstConv ? stride : 1;
                    var middle = spec.StrideOnFirstConv ? 1 : stride;
                    b.Norm("bn1");
                    b.Relu();
                    b.Tap();
                    b.Conv("conv1", width, 1, first, 0, 1, 1);
                    b.Norm("bn2");
                    b.Relu();
                    b.Conv("conv2", width, 3, middle, dilation, dilation, groups);
                    b.Norm("bn3");
                    b.Relu();
                    b.Conv("conv3", (long)planes * 4, 1, 1, 0, 1, 1);
                    break;
                }
            }
            if (reduction > 0) b.SqueezeExcite("se", reduction);
            var preAct = kind is BlockKind.PreActBasic or BlockKind.PreActBottleneck;
            var (prefix, description) = kind switch
            {
                BlockKind.Basic => ("BasicBlock", "Basic residual block (two 3×3 convolutions)"),
                BlockKind.Bottleneck => ("Bottleneck", spec.StrideOnFirstConv ? "Bottleneck block (1×1, 3×3, 1×1; stride on the first 1×1)" : "Bottleneck block v1.5 (1×1, 3×3, 1×1; stride on the 3×3)"),
                BlockKind.PreActBasic => ("PreActBlock", "Pre-activation basic block (ResNet v2)"),
                _ => ("PreActBottleneck", "Pre-activation bottleneck block (ResNet v2)"),
            };
            if (groups > 1) description += $", {groups} groups";
            if (dilation > 1) description += $", dilation {dilation}";
            if (reduction > 0) description += $", squeeze-excitation 1/{reduction}";
            string? zeroInit = kind switch { BlockKind.Basic => "bn2", BlockKind.Bottleneck => "bn3", _ => null };
            return b.Build(preAct ? ActivationKind.None : ActivationKind.Relu, 0.01, zeroInit, prefix, description, null);
        }

        private Branch? LowerCustom(CustomBlockSpec custom, Shape input, int planes, int stageStride, string where, LocationKey key, string label)
        {
            var b = new BranchBuilder(this, input, where, key);
            var carrier = custom.Layers.FirstOrDefault(l => l.Strided) ?? custom.Layers.FirstOrDefault(l => l.Kind == LayerKind.Conv);
            var convs = 0;
            var norms = 0;
            var ses = 0;
            string? zeroInit = null;
            string? lastNorm = null;
            foreach (var layer in custom.Layers)
            {
                var stride = layer.Stride * (ReferenceEquals(layer, carrier) ? stageStride : 1);
                switch (layer.Kind)
                {
                    case LayerKind.Conv:
                    {
                        var outC = layer.Filters > 0 ? layer.Filters : (long)planes * layer.Expansion;
                        var padding = layer.Padding >= 0 ? layer.Padding : layer.Dilation * (layer.Kernel - 1) / 2;
                        var name = $"conv{++convs}";
                        if (b.Current.C % layer.Groups != 0 || outC % layer.Groups != 0)
                        {
                            Report(Diagnostics.GroupsDoNotDivide, LocationKey.StageAt(key.Stage, "CustomBlock"), $"{label}, {custom.Target.Name}.{name}", layer.Groups, b.Current.C, outC);
                            return null;
                        }
                        b.Conv(name, outC, layer.Kernel, stride, padding, layer.Dilation, layer.Groups, layer.Bias);
                        break;
                    }
                    case LayerKind.BatchNorm:
                        lastNorm = $"bn{++norms}";
                        if (layer.ZeroInitTarget) zeroInit = lastNorm;
                        b.Norm(lastNorm);
                        break;
                    case LayerKind.Relu:
                        b.Relu();
                        break;
                    case LayerKind.LeakyRelu:
                        b.Functional(LayerKind.LeakyRelu, layer.Value);
                        break;
                    case LayerKind.MaxPool:
                    case LayerKind.AvgPool:
                        b.Pool(layer.Kind, layer.Kernel, stride, layer.Padding >= 0 ? layer.Padding : (layer.Kernel - 1) / 2);
                        break;
                    case LayerKind.Dropout:
                        b.Functional(LayerKind.Dropout, layer.Value);
                        break;
                    case LayerKind.SqueezeExcite:
                        b.SqueezeExcite(++ses == 1 ? "se" : $"se{ses}", layer.Reduction);
                        break;
                }
            }
            return b.Build(custom.Activation, custom.NegativeSlope, zeroInit ?? lastNorm, custom.Target.Name, $"Custom block {custom.Target.Name}", custom.Target.FullName);
        }

        private sealed class BranchBuilder
        {
            private readonly Context owner;
            private readonly string where;
            private readonly LocationKey key;
            private readonly List<LayerModel> layers = new();
            private int tap = -1;
            private bool irregular;
            private long stride = 1;

            public BranchBuilder(Context owner, Shape input, string where, LocationKey key)
            {
                this.owner = owner;
                Current = input;
                this.where = where;
                this.key = key;
            }

            public Shape Current { get; private set; }

            private void Track(int k, int s, int p, int d)
            {
                stride = checked(stride * s);
                if (2 * p != d * (k - 1)) irregular = true;
            }

            public void Conv(string field, long outC, int k, int s, int p, int d, int g, bool bias = false)
            {
                long parameters = 0;
                var inC = Current.C;
                var before = owner.macs;
                var output = owner.Conv(Current, outC, k, s, p, d, g, where, key, ref parameters);
                if (bias) parameters = checked(parameters + outC);
                var layerMacs = owner.macs - before;
                owner.macs = before; // block MACs are added per block instance
                Track(k, s, p, d);
                layers.Add(new LayerModel(LayerKind.Conv, field, inC, outC, k, s, p, d, g, bias, 0, 0, output, parameters, layerMacs));
                Current = output;
            }

            public void Norm(string field) =>
                layers.Add(new LayerModel(LayerKind.BatchNorm, field, Current.C, Current.C, 0, 1, 0, 1, 1, false, 0, 0, Current, 2 * Current.C, 0));

            public void Relu() =>
                layers.Add(new LayerModel(LayerKind.Relu, "relu", Current.C, Current.C, 0, 1, 0, 1, 1, false, 0, 0, Current, 0, 0));

            public void Functional(LayerKind kind, double value) =>
                layers.Add(new LayerModel(kind, "", Current.C, Current.C, 0, 1, 0, 1, 1, false, value, 0, Current, 0, 0));

            public void Pool(LayerKind kind, int k, int s, int p)
            {
                var output = owner.Spatial(Current, k, s, p, 1, where, key);
                Track(k, s, p, 1);
                layers.Add(new LayerModel(kind, "", Current.C, Current.C, k, s, p, 1, 1, false, 0, 0, output, 0, 0));
                Current = output;
            }

            public void SqueezeExcite(string field, int reduction)
            {
                var c = Current.C;
                var reduced = Math.Max(1, c / reduction);
                var parameters = checked(2 * c * reduced + reduced + c);
                layers.Add(new LayerModel(LayerKind.SqueezeExcite, field, c, c, 1, 1, 0, 1, 1, true, 0, reduced, Current, parameters, 2 * c * reduced));
            }

            public void Tap() => tap = layers.Count - 1;

            public Branch Build(ActivationKind post, double slope, string? zeroInit, string prefix, string description, string? baseClass) =>
                new(layers, tap, post, slope, zeroInit, prefix, description, baseClass, irregular, stride);
        }

        private BlockClassModel? BuildBlock(Branch branch, Shape input, ShortcutKind requested, StageSpec stage, int stageIndex, int blockIndex, CustomBlockSpec? custom, BlockKind kind)
        {
            var output = branch.Layers.Count > 0 ? branch.Layers[branch.Layers.Count - 1].Out : input;
            foreach (var layer in branch.Layers) output = layer.Out;
            var shortcutInC = branch.TapAfter >= 0 ? branch.Layers[branch.TapAfter].Out.C : input.C;
            var sameShape = output.C == input.C && branch.Stride == 1 && !branch.Irregular && (!input.Known || output.H == input.H);
            var label = $"Stage {stageIndex + 1} block {blockIndex + 1}";
            var shortcutKey = stage.Shortcut is null ? LocationKey.ResNet("Shortcut") : LocationKey.StageAt(stageIndex, "Shortcut");
            if (stage.Shortcut is null && requested == ShortcutKind.Auto) shortcutKey = LocationKey.StageAt(stageIndex);
            var stride = (int)Math.Min(int.MaxValue, branch.Stride);
            ShortcutModel shortcut;
            Shape shortcutOut;
            if (sameShape)
            {
                shortcut = new ShortcutModel(ResolvedShortcut.Identity, input.C, input.C, 1, input, 0, 0, 0, 0);
                shortcutOut = input;
            }
            else
            {
                var subsampled = input.Known
                    ? new Shape(output.C, (input.H - 1) / stride + 1, (input.W - 1) / stride + 1, 0)
                    : input with { C = output.C, Div = checked(input.Div * stride) };
                switch (requested)
                {
                    case ShortcutKind.Identity:
                        if (custom is not null)
                        {
                            Report(Diagnostics.CustomBranchMismatch, shortcutKey, label, custom.Target.Name, output, "identity", input);
                        }
                        else
                        {
                            Report(Diagnostics.IdentityShapeChange, shortcutKey, label, input, output);
                        }
                        return null;
                    case ShortcutKind.ZeroPad:
                        if (output.C < input.C)
                        {
                            Report(Diagnostics.ZeroPadShrinks, shortcutKey, label, input, output);
                            return null;
                        }
                        var pad = output.C - input.C;
                        shortcut = new ShortcutModel(ResolvedShortcut.ZeroPad, input.C, output.C, stride, subsampled, pad / 2, pad - pad / 2, 0, 0);
                        shortcutOut = subsampled;
                        break;
                    default:
                    {
                        var avg = requested == ShortcutKind.AvgDown;
                        var parameters = checked(shortcutInC * output.C + 2 * output.C);
                        var shortcutMacs = subsampled.Known ? checked(subsampled.H * subsampled.W * shortcutInC * output.C) : 0;
                        if (avg && input.Known && stride > 1)
                        {
                            var h = (input.H + stride - 1) / stride;
                            subsampled = subsampled with { H = h, W = h };
                        }
                        shortcut = new ShortcutModel(avg ? ResolvedShortcut.AvgDown : ResolvedShortcut.Projection, shortcutInC, output.C, stride, subsampled, 0, 0, parameters, shortcutMacs);
                        shortcutOut = subsampled;
                        break;
                    }
                }
                var mismatch = input.Known ? shortcutOut.H != output.H : branch.Irregular;
                if (mismatch)
                {
                    var name = custom?.Target.Name ?? kind.ToString();
                    Report(Diagnostics.CustomBranchMismatch, custom is null ? LocationKey.StageAt(stageIndex) : LocationKey.StageAt(stageIndex, "CustomBlock"),
                        label, name, output, shortcut.Kind.ToString().ToLowerInvariant(), shortcutOut);
                    return null;
                }
            }

            var blockParameters = checked(branch.Layers.Sum(l => l.Parameters) + shortcut.Parameters);
            var blockMacs = input.Known ? checked(branch.Layers.Sum(l => l.MultiplyAdds) + shortcut.MultiplyAdds) : 0;
            return new BlockClassModel(
                "", branch.Description, branch.BaseClass, input, output,
                branch.Layers.ToEquatableArray(), branch.TapAfter, shortcut,
                branch.Post, branch.Slope, branch.ZeroInit, blockParameters, blockMacs)
            {
                Prefix = branch.Prefix,
                Accessibility = custom is null || custom.Target.Accessibility == "public" ? "public" : "internal",
            };
        }

        private string Register(BlockClassModel block)
        {
            foreach (var existing in classes)
            {
                if (existing with { ClassName = "" } == block) return existing.ClassName;
            }
            var stride = block.Shortcut.Stride;
            var baseName = $"{block.Prefix}{block.In.C}x{block.Out.C}" + (block.Shortcut.Kind != ResolvedShortcut.Identity && stride > 1 ? $"s{stride}" : "");
            var name = baseName;
            for (var n = 2; classes.Any(c => c.ClassName == name); n++) name = $"{baseName}_{n}";
            classes.Add(block with { ClassName = name });
            return name;
        }

        private void CheckMemberClashes(List<StageModel> stages)
        {
            var generated = new List<string>
            {
                "constructor", "forward", "ForwardFeatures", "FeatureMaps", "Summary", "InitializeWeights", "CheckInput",
                "conv1", "bn1", "relu", "maxpool", "avgpool", "fc", "norm", "dropout",
                "InChannels", "NumClasses", "InputSize", "ParameterCount", "MultiplyAdds", "OutputFeatures", "StemChannels",
                "SqueezeExcite", "SummaryText",
            };
            for (var i = 0; i < stages.Count; i++)
            {
                generated.Add($"layer{i + 1}");
                generated.Add($"Layer{i + 1}Channels");
                generated.Add($"Layer{i + 1}Size");
            }
            generated.AddRange(classes.Select(c => c.ClassName));
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
