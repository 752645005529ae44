using System;
using System.Collections.Generic;
using System.Linq;

namespace ResNetGen.Generator;

// User [ResidualBlock] classes: their layer attributes in source order, with parallel branches
// ([Branch] ... [Join]: a Concat or Add node over the branch ends, each branch's first node reading
// the group's input explicitly) and pre-activation (the layers before the first [Conv]).
internal static partial class Lowering
{
    /// <summary>The template of a user's [ResidualBlock] class (independent of any network, so the class is written once).</summary>
    public static BlockTemplate Custom(CustomBlockSpec custom)
    {
        var layers = custom.Layers;
        var carriers = StrideCarriers(layers);
        var current = Expr.P("in_channels");
        int convs = 0, norms = 0, ses = 0;
        string? zeroInit = null, lastNorm = null;
        var b = new List<Node>();

        // The open branch group: its input (a node index, -1 = block input) and channels, and each finished branch's end and channels.
        var inGroup = false;
        int groupInput = -1;
        var groupChannels = current;
        var ends = new List<int>();
        var endChannels = new List<Expr>();
        int? pendingInput = null; // the next node starts a branch: it reads the group input, not the node before it
        var tap = -1;
        var preActivationOpen = custom.PreActivation;

        void Add(Node node)
        {
            if (pendingInput is { } input) node = node with { Inputs = Node.From(input) };
            pendingInput = null;
            b.Add(node);
        }

        foreach (var layer in layers)
        {
            if (preActivationOpen && layer.Kind is LayerKind.Conv or LayerKind.Branch)
            {
                // The layers so far are the pre-activation; the shortcut reads their output unless told to read the raw input.
                preActivationOpen = false;
                if (custom.ShortcutInput != ShortcutInput.Raw) tap = b.Count - 1;
            }
            var stride = carriers.Contains(layer.Index) ? Expr.P("stride", layer.Stride) : Expr.Of(layer.Stride);
            switch (layer.Kind)
            {
                case LayerKind.Branch:
                    if (!inGroup)
                    {
                        inGroup = true;
                        groupInput = b.Count - 1;
                        groupChannels = current;
                        ends.Clear();
                        endChannels.Clear();
                    }
                    else
                    {
                        ends.Add(b.Count - 1);
                        endChannels.Add(current);
                    }
                    pendingInput = groupInput;
                    current = groupChannels;
                    break;
                case LayerKind.Join:
                {
                    ends.Add(b.Count - 1);
                    endChannels.Add(current);
                    current = layer.Join == JoinKind.Concat ? Sum(endChannels) : endChannels[0];
                    pendingInput = null;
                    b.Add(new Node(layer.Join == JoinKind.Concat ? Op.Concat : Op.Add, "", ends.ToEquatableArray()) { InC = current, OutC = current });
                    inGroup = false;
                    break;
                }
                case LayerKind.Conv:
                {
                    var outC = layer.Filters > 0 ? Expr.Of(layer.Filters) : Expr.P("planes", layer.Expansion);
                    var padding = layer.Padding >= 0 ? layer.Padding : layer.Dilation * (layer.Kernel - 1) / 2;
                    Add(Conv($"conv{++convs}", current, outC, layer.Kernel, stride, Expr.Of(padding), Expr.Of(layer.Dilation), Expr.Of(layer.Groups), layer.Bias));
                    current = outC;
                    break;
                }
                case LayerKind.BatchNorm:
                    lastNorm = $"bn{++norms}";
                    if (layer.ZeroInitTarget) zeroInit = lastNorm;
                    Add(Norm(lastNorm, current));
                    break;
                case LayerKind.Relu:
                    Add(Relu());
                    break;
                case LayerKind.LeakyRelu:
                    Add(new Node(Op.LeakyRelu, "", EquatableArray<int>.Empty) { Value = layer.Value });
                    break;
                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                    Add(new Node(layer.Kind == LayerKind.MaxPool ? Op.MaxPool : Op.AvgPool, "", EquatableArray<int>.Empty)
                    {
                        Kernel = layer.Kernel, Stride = stride, Padding = Expr.Of(layer.Padding >= 0 ? layer.Padding : (layer.Kernel - 1) / 2),
                    });
                    break;
                case LayerKind.Dropout:
                    Add(new Node(Op.Dropout, "", EquatableArray<int>.Empty) { Value = layer.Value });
                    break;
                case LayerKind.SqueezeExcite:
                {
                    var reduced = current.IsConstant ? Expr.Of(Math.Max(1, current.Constant / layer.Reduction)) : current with { Divisor = layer.Reduction };
                    Add(new Node(Op.SqueezeExcite, ++ses == 1 ? "se" : $"se{ses}", EquatableArray<int>.Empty) { InC = current, OutC = current, Reduced = reduced });
                    break;
                }
            }
        }
        InPlaceRelus(b, tap);

        var parameters = new[]
        {
            new TemplateParam("in_channels", ParamType.Long, 0, true),
            new TemplateParam("planes", ParamType.Long, 0, true),
            new TemplateParam("stride", ParamType.Long, 1, false),
            DropPathParam,
        };
        var gate = layers.FirstOrDefault(l => l.Kind == LayerKind.Gate);
        var firstCarrier = layers.FirstOrDefault(l => carriers.Contains(l.Index));
        var body = gate is null
            ? CloseBlock(b, tap, true, custom.Activation, custom.NegativeSlope)
            : CloseGatedBlock(b, gate, firstCarrier is null ? Expr.One : Expr.P("stride", firstCarrier.Stride), custom.Activation, custom.NegativeSlope);
        // As torchvision's pre-activation blocks, a pre-activation block has no default zero-init target (its last norm pre-activates a convolution).
        var zeroInitField = zeroInit ?? (custom.PreActivation ? null : lastNorm);
        return new BlockTemplate(custom.Target.Name, $"Custom residual block <c>{custom.Target.Name}</c>: {Describe(custom)}", parameters.ToEquatableArray(), body, zeroInitField, custom.Target);
    }

    /// <summary>
    /// The layers (by <see cref="LayerSpec.Index"/>) that take the stage's stride: the one marked Strided;
    /// else the first convolution, and when it sits in a branch group, the first convolution of every
    /// branch of that group (so that the branches keep the same size and can be joined).
    /// </summary>
    private static HashSet<int> StrideCarriers(EquatableArray<LayerSpec> layers)
    {
        var carriers = new HashSet<int>();
        var strided = layers.FirstOrDefault(l => l.Strided);
        if (strided is not null)
        {
            carriers.Add(strided.Index);
            return carriers;
        }
        // Group and branch of each layer (-1: outside any group).
        var group = new int[layers.Count];
        var branch = new int[layers.Count];
        int g = -1, k = -1;
        var inGroup = false;
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i].Kind == LayerKind.Branch)
            {
                if (!inGroup) g++;
                k = inGroup ? k + 1 : 0;
                inGroup = true;
            }
            else if (layers[i].Kind == LayerKind.Join)
            {
                inGroup = false;
            }
            group[i] = inGroup ? g : -1;
            branch[i] = inGroup ? k : -1;
        }
        var first = -1;
        for (var i = 0; i < layers.Count && first < 0; i++)
        {
            if (layers[i].Kind == LayerKind.Conv) first = i;
        }
        if (first < 0) return carriers;
        if (group[first] < 0)
        {
            carriers.Add(layers[first].Index);
            return carriers;
        }
        var seen = new HashSet<int>();
        for (var i = 0; i < layers.Count; i++)
        {
            if (group[i] == group[first] && layers[i].Kind == LayerKind.Conv && seen.Add(branch[i])) carriers.Add(layers[i].Index);
        }
        return carriers;
    }

    /// <summary>
    /// A ReLU overwrites its input only right after a batch norm whose output nothing else reads: anywhere
    /// else the input may be the block's input, a branch group's input or the shortcut's.
    /// </summary>
    private static void InPlaceRelus(List<Node> nodes, int tap)
    {
        int InputOf(int i) => nodes[i].Inputs.Count > 0 ? nodes[i].Inputs[0] : i - 1;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Op != Op.Relu) continue;
            var input = InputOf(i);
            if (input < 0 || nodes[input].Op != Op.BatchNorm || input == tap) continue;
            var readElsewhere = Enumerable.Range(0, nodes.Count).Any(j => j != i && (nodes[j].Inputs.Contains(input) || (nodes[j].Inputs.Count == 0 && j - 1 == input)));
            if (!readElsewhere) nodes[i] = nodes[i] with { InPlace = true };
        }
    }

    /// <summary>The channels of a concatenation: the sum of the branches' channel expressions (at most the two parameters and a constant).</summary>
    private static Expr Sum(List<Expr> terms)
    {
        long constant = 0;
        var factors = new List<(string Name, long Factor)>();
        foreach (var t in terms)
        {
            constant = checked(constant + t.Constant);
            foreach (var (p, f) in new[] { (t.Param, t.Factor), (t.Param2, t.Factor2) })
            {
                if (p is null) continue;
                var at = factors.FindIndex(x => x.Name == p);
                if (at < 0) factors.Add((p, f));
                else factors[at] = (p, checked(factors[at].Factor + f));
            }
        }
        if (factors.Count == 0) return Expr.Of(constant);
        // Channel expressions name only in_channels and planes (a divisor appears only in squeeze-excite widths).
        if (factors.Count > 2 || terms.Any(t => t.Divisor > 1)) throw new InvalidOperationException("concatenated channels beyond in_channels, planes and a constant");
        var sum = new Expr(constant, factors[0].Name, factors[0].Factor, 1);
        return factors.Count == 1 ? sum : sum with { Param2 = factors[1].Name, Factor2 = factors[1].Factor };
    }

    /// <summary>The layers as the class's summary shows them: <c>(Conv → Relu | Conv → Relu) → Concat → Conv</c>.</summary>
    private static string Describe(CustomBlockSpec custom)
    {
        var text = new System.Text.StringBuilder();
        var inGroup = false;
        foreach (var layer in custom.Layers)
        {
            switch (layer.Kind)
            {
                case LayerKind.Branch:
                    if (inGroup) text.Append(" | ");
                    else
                    {
                        if (text.Length > 0) text.Append(" → ");
                        text.Append('(');
                    }
                    inGroup = true;
                    break;
                case LayerKind.Join:
                    text.Append(") → ").Append(layer.Join);
                    inGroup = false;
                    break;
                default:
                    if (text.Length > 0 && text[text.Length - 1] is not ('(' or ' ')) text.Append(" → ");
                    text.Append(layer.Kind);
                    break;
            }
        }
        return (custom.PreActivation ? "pre-activation, " : "") + text;
    }

    private sealed partial class Context
    {
        /// <summary>
        /// RNG032 when a [Join]'s branches cannot be combined: a concatenation needs the same height and
        /// width, an addition the same shape. Named by block and join, with both shapes.
        /// </summary>
        private bool JoinsFit(Graph body, GraphShapes shapes, int shortcutIndex, int stageIndex, int blockIndex, CustomBlockSpec? custom)
        {
            var joins = body.Nodes.Where(n => n.Op == Op.Concat || (n.Op == Op.Add && !n.Inputs.Contains(shortcutIndex))).ToList();
            for (var k = 0; k < joins.Count; k++)
            {
                var join = joins[k];
                Shape Of(int i) => i < 0 ? default : shapes.Out[i];
                var first = Of(join.Inputs[0]);
                for (var j = 1; j < join.Inputs.Count; j++)
                {
                    var other = Of(join.Inputs[j]);
                    var spatial = first.H == other.H && first.W == other.W && first.DivH == other.DivH && first.DivW == other.DivW;
                    var fits = join.Op == Op.Concat ? spatial : spatial && first.C == other.C;
                    if (fits) continue;
                    var kind = join.Op == Op.Concat ? "Concat" : "Add";
                    var which = joins.Count > 1 ? $" (join {k + 1} of {joins.Count})" : "";
                    var why = join.Op == Op.Concat
                        ? "a concatenation needs the same height and width"
                        : "an addition needs the same channels, height and width";
                    Report(Diagnostics.BranchesCannotJoin, LocationKey.StageAt(stageIndex, "CustomBlock"),
                        $"Stage {stageIndex + 1} block {blockIndex + 1} ({custom?.Target.Name})", $"[Join({kind})]{which}", first, j + 1, other, why);
                    return false;
                }
            }
            return true;
        }
    }
}
