using System.Collections.Generic;
using System.Linq;

namespace ResNetGen.Generator;

// Parallel branches in block classes ([Branch] ... [Join]): which variable holds each value, so that
// the forward reads as the block was declared (branch1, branch2, then their join).
internal static partial class Emitter
{
    /// <summary>
    /// The variable a block node's value goes to: the chain <c>y</c>; <c>preact</c> for the pre-activated
    /// input the shortcut reads again; <c>branch1</c>, <c>branch2</c>, … for the outputs a join combines;
    /// <c>branchInput</c> for a value every branch of a group reads; <c>h{i}</c> for anything else read again later.
    /// </summary>
    private static string VariableOf(EquatableArray<Node> nodes, int i, bool readLater, bool feedsShortcut)
    {
        if (readLater && feedsShortcut) return "preact";
        var shortcut = -1;
        for (var j = 0; j < nodes.Count; j++)
        {
            if (nodes[j].Op == Op.Shortcut) shortcut = j;
        }
        foreach (var join in nodes.Where(n => n.Op == Op.Concat || (n.Op == Op.Add && !n.Inputs.Contains(shortcut))))
        {
            var at = IndexOf(join.Inputs, i);
            if (at >= 0) return $"branch{at + 1}";
        }
        if (!readLater) return "y";
        var readers = nodes.Count(n => n.Op != Op.Shortcut && n.Inputs.Count > 0 && n.Inputs[0] == i);
        return readers >= 2 ? "branchInput" : $"h{i}";
    }

    private static int IndexOf(EquatableArray<int> items, int value)
    {
        for (var k = 0; k < items.Count; k++)
        {
            if (items[k] == value) return k;
        }
        return -1;
    }
}
