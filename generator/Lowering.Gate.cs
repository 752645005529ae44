using System.Collections.Generic;

namespace ResNetGen.Generator;

// Highway layers (Srivastava et al. 2015): a custom block with a [Gate] joins its branch H and the
// carried input x through a sigmoid transform gate T: y = H·T + x·(1 − T).
internal static partial class Lowering
{
    /// <summary>
    /// Closes a gated block: the gate convolution of the block input (with <paramref name="stride"/>, the
    /// stride the branch carries), its sigmoid, the shortcut (x, or the stage's projection of x), the
    /// <see cref="Op.Gate"/> join of [H, T, shortcut], then the post-activation.
    /// </summary>
    private static Graph CloseGatedBlock(List<Node> branch, LayerSpec gate, Expr stride, ActivationKind post, double slope)
    {
        var nodes = new List<Node>(branch);
        var h = nodes.Count - 1;
        var channels = gate.Filters > 0 ? Expr.Of(gate.Filters) : Expr.P("planes", gate.Expansion);
        nodes.Add(Conv("gate", Expr.P("in_channels"), channels, gate.Kernel, stride, Expr.Of((gate.Kernel - 1) / 2), bias: true, inputs: new[] { -1 }) with { Value = gate.Value });
        nodes.Add(new Node(Op.Sigmoid, "", EquatableArray<int>.Empty));
        var t = nodes.Count - 1;
        nodes.Add(new Node(Op.Shortcut, "", Node.From(-1)));
        nodes.Add(new Node(Op.Gate, "", Node.From(h, t, nodes.Count - 1)));
        if (post == ActivationKind.Relu) nodes.Add(Relu(inPlace: true));
        if (post == ActivationKind.LeakyRelu) nodes.Add(new Node(Op.LeakyRelu, "", EquatableArray<int>.Empty) { Value = slope });
        return new Graph(nodes.ToEquatableArray());
    }

    private sealed partial class Context
    {
        /// <summary>RNG033 when the gate T(x) and the branch H(x) it gates differ in shape.</summary>
        private bool GateFits(GraphShapes shapes, Node gate, EquatableArray<Binding> b, int stageIndex, int blockIndex, CustomBlockSpec? custom)
        {
            var h = gate.Inputs[0] < 0 ? default : shapes.Out[gate.Inputs[0]];
            var t = shapes.Out[gate.Inputs[1]];
            if (h == t) return true;
            Report(Diagnostics.GateMismatch, LocationKey.StageAt(stageIndex, "CustomBlock"),
                $"Stage {stageIndex + 1} block {blockIndex + 1} ({custom?.Target.Name})", t, h);
            return false;
        }
    }
}
