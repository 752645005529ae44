using System;
using System.Collections.Generic;
using System.Linq;

namespace ResNetGen.Generator;

// The image-output forms: [FeatureFusion] (MSRN's hierarchical feature fusion) and [Reconstruction]
// (the sub-pixel tail of EDSR / MSRN). Both are network-level modules after the stages.
internal static partial class Lowering
{
    /// <summary>The upsampling steps of a scale: ×2 steps for a power of two, else one step of the whole factor (×3 included).</summary>
    public static IReadOnlyList<int> UpsamplingSteps(int scale)
    {
        var steps = new List<int>();
        if (scale >= 2 && (scale & (scale - 1)) == 0)
        {
            for (var s = scale; s > 1; s /= 2) steps.Add(2);
        }
        else if (scale >= 2)
        {
            steps.Add(scale);
        }
        return steps;
    }

    private sealed partial class Context
    {
        /// <summary>Extra words for the network's description.</summary>
        private string DescribeImage()
        {
            var image = spec.Image;
            if (image is null) return "";
            var parts = new List<string>();
            if (image.Fusion is not null) parts.Add("hierarchical feature fusion");
            if (image.Reconstruction is { } r) parts.Add($"a ×{r.Scale} sub-pixel reconstruction tail (image output)");
            return ", " + string.Join(", ", parts);
        }

        /// <summary>
        /// [FeatureFusion]: a 1×1 convolution over the concatenation of every block's output and the stem's
        /// output. The concatenation needs one height and width (RNG042 names the first shape that differs).
        /// </summary>
        private Node? LowerFusion(FusionSpec fusion, Shape stemOut, IReadOnlyList<StageIr> stages, ref Shape current)
        {
            var none = EquatableArray<Binding>.Empty;
            var shape = stemOut;
            var channels = stemOut.C;
            for (var i = 0; i < stages.Count; i++)
            {
                shape = ShapeInference.Graph(stages[i].Transition, none, shape, null, null).Output(shape);
                for (var j = 0; j < stages[i].Blocks.Count; j++)
                {
                    var use = stages[i].Blocks[j];
                    shape = ShapeInference.Graph(templates[use.Template].Body, use.Args, shape, use.Downsample, null).Output(shape);
                    if (!SameSize(shape, stemOut))
                    {
                        Report(Diagnostics.ImageNotApplicable, LocationKey.Fusion(),
                            $"[FeatureFusion] concatenates every block's output with the stem's output, which needs one height and width: the stem outputs {stemOut} but stage {i + 1} block {j + 1} ({stages[i].Field}.{j}) outputs {shape}; remove the stage's stride");
                        return null;
                    }
                    channels = checked(channels + shape.C);
                }
            }
            var outC = fusion.Filters > 0 ? fusion.Filters : current.C;
            var node = Conv("fusion", Expr.Of(channels), Expr.Of(outC), 1, Expr.One, Expr.Zero, bias: fusion.Bias ?? spec.Config.ConvBias);
            current = ShapeInference.Node(node, none, new[] { stemOut with { C = channels } }, null, null).Out;
            return node;
        }

        private static bool SameSize(Shape a, Shape b) =>
            a.Known || b.Known ? a.H == b.H && a.W == b.W : a.DivH == b.DivH && a.DivW == b.DivW && Math.Max(1, a.Up) == Math.Max(1, b.Up);

        /// <summary>
        /// [Reconstruction]: the tail <c>reconstruction</c> = [leading conv] → (conv to Filters, PixelShuffle(r)) per
        /// step → conv to the output channels, every convolution "same"-padded.
        /// </summary>
        private Graph LowerReconstruction(ReconstructionSpec r, Shape current)
        {
            var none = EquatableArray<Binding>.Empty;
            var bias = r.Bias ?? spec.Config.ConvBias;
            var k = r.Kernel;
            var pad = Expr.Of(k / 2);
            var c = current.C;
            var nodes = new List<Node>();
            if (r.LeadingConv) nodes.Add(Conv("", Expr.Of(c), Expr.Of(c), k, Expr.One, pad, bias: bias));
            var steps = UpsamplingSteps(r.Scale);
            for (var i = 0; i < steps.Count; i++)
            {
                var factor = steps[i];
                var square = checked((long)factor * factor);
                var filters = r.Filters > 0 ? r.Filters : checked(c * square);
                if (filters % square != 0)
                {
                    var convOut = ShapeInference.Graph(new Graph(nodes.ToEquatableArray()), none, current, null, null).Output(current) with { C = filters };
                    var label = steps.Count > 1 ? $"[Reconstruction({r.Scale})] step {i + 1} of {steps.Count}" : $"[Reconstruction({r.Scale})]";
                    Report(Diagnostics.PixelShuffleChannels, LocationKey.Reconstruction("Filters"), label, factor, square, convOut, filters);
                    return Graph.Empty;
                }
                nodes.Add(Conv("", Expr.Of(c), Expr.Of(filters), k, Expr.One, pad, bias: bias));
                nodes.Add(new Node(Op.PixelShuffle, "", EquatableArray<int>.Empty) { Kernel = factor, InC = Expr.Of(filters), OutC = Expr.Of(filters / square) });
                c = filters / square;
            }
            var outChannels = r.OutChannels > 0 ? r.OutChannels : spec.InChannels;
            nodes.Add(Conv("", Expr.Of(c), Expr.Of(outChannels), k, Expr.One, pad, bias: bias));
            var tail = new Node(Op.Sequential, "reconstruction", EquatableArray<int>.Empty) { Body = new Graph(nodes.ToEquatableArray()), OutC = Expr.Of(outChannels), Kernel = r.Scale };
            return new Graph(new[] { tail }.ToEquatableArray());
        }
    }
}
