using System.Linq;

namespace ResNetGen.Generator;

// The image-output forms in the network class: the constants of an image output, the field docs of
// `fusion` and `reconstruction`, and a forward that keeps every block's output for the fusion.
internal static partial class Emitter
{
    private static void EmitImageConstants(IndentedWriter w, NetworkModel model)
    {
        var ir = model.Ir;
        if (!ir.ImageOutput) return;
        var output = model.Analysis.Head.Output(model.Analysis.Features);
        w.Line("/// <summary>Channels of the output image.</summary>");
        w.Line($"public const int OutChannels = {Int(output.C)};");
        w.Line();
        w.Line($"/// <summary>Upscaling factor: the output image {output} is <c>Scale</c> times the height and width of the last feature map.</summary>");
        w.Line($"public const int Scale = {Int(ir.Scale)};");
        w.Line();
    }

    /// <summary>The image forms' fields for the class summary.</summary>
    private static string ImageFieldsText(NetworkIr ir)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (ir.Fusion is not null) parts.Add("<c>fusion</c> (the 1×1 fusion convolution)");
        if (ir.ImageOutput) parts.Add("<c>reconstruction</c> (the image tail, a Sequential)");
        return string.Join(" and ", parts) + (parts.Count > 1 ? " follow them" : " follows them");
    }

    /// <summary>Docs of the image forms' fields (null for every other node).</summary>
    private static string? ImageFieldDoc(Node n)
    {
        if (n.Op == Op.Conv && n.Name == "fusion")
        {
            return $"Hierarchical feature fusion: a 1×1 convolution over every block's output and the stem's output, concatenated: {Int(n.InC.Constant)} → {Int(n.OutC.Constant)} channels.";
        }
        if (n.Op == Op.Sequential && n.Name == "reconstruction" && n.Body is { } body)
        {
            var layers = body.Nodes.Select(c => c.Op == Op.PixelShuffle
                ? $"PixelShuffle({c.Kernel})"
                : $"{c.Kernel}×{c.Kernel} conv {Int(c.InC.Constant)} → {Int(c.OutC.Constant)}");
            return $"Reconstruction tail (×{n.Kernel}, sub-pixel upsampling): {string.Join(", ", layers)}.";
        }
        return null;
    }

    /// <summary>
    /// The stages block by block (indexing each stage's Sequential, so the state_dict keys stay <c>layer1.0…</c>),
    /// each output kept, then the fusion of all of them and the stem's output, in that order (MSRN's
    /// <c>torch.cat(out, 1)</c> with the head's output appended last).
    /// </summary>
    private static void EmitFusedStages(IndentedWriter w, NetworkModel model, Dialect d, ref bool declared)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        var previous = declared ? "x" : "input";
        w.Line($"var stem = {previous}; // {a.Stem.Output(default)}: concatenated after the blocks' outputs");
        var outputs = new System.Collections.Generic.List<string>();
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            var stage = ir.Stages[i];
            if (stage.Transition.Nodes.Count > 0)
            {
                w.Line($"{(declared ? "" : "var ")}x = {previous};");
                declared = true;
                EmitChain(w, stage.Transition, a.Stages[i].Transition, d, ref declared, "x");
                previous = "x";
            }
            for (var j = 0; j < stage.Blocks.Count; j++)
            {
                var local = $"{stage.Field}_{j}";
                w.Line($"var {local} = {stage.Field}[{j}].call({previous}); // {a.Stages[i].Blocks[j]}");
                outputs.Add(local);
                previous = local;
            }
        }
        outputs.Add("stem");
        w.Line($"{(declared ? "" : "var ")}x = fusion.call({d.Cat(outputs.ToArray())}); // {a.FusionInput} → {a.Fusion!.Output(default)}");
        declared = true;
    }
}
