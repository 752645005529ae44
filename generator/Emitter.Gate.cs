using System.Linq;

namespace ResNetGen.Generator;

// Highway gates in block classes: the join and the gate's initial bias.
internal static partial class Emitter
{
    /// <summary>y = H·T + x·(1 − T), written x + T·(H − x): the same value with tensor-tensor operators only.</summary>
    private static string GateExpression(string h, string t, string carry) => $"{carry} + {t} * ({h} - {carry})";

    /// <summary>The gate convolution's bias starts negative (the layer carries its input at first), as the paper initialises it.</summary>
    private static void EmitGateBias(IndentedWriter w, BlockTemplate block, Dialect d)
    {
        foreach (var gate in block.Body.Nodes.Where(n => n.Op == Op.Conv && n.Name == "gate"))
        {
            w.Line($"if ({gate.Name}.bias is {{ }} gateBias) {d.Fill("gateBias", Double(gate.Value))}; // transform gate starts closed: T ≈ sigmoid({Double(gate.Value)})");
        }
    }
}
