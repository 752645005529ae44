using System.Collections.Generic;

namespace ResNetGen.Generator;

internal static partial class Lowering
{
    private sealed partial class Context
    {
        /// <summary>
        /// The stem: the kind's convolution(s) with the [Stem] options applied (kernel, stride, padding,
        /// bias), then batch norm and ReLU unless switched off, then the max-pool unless switched off.
        /// Left alone, the norm is on except before a pre-activation first block that does its own.
        /// </summary>
        private Graph LowerStem(bool firstPreAct, bool firstSkipsPreAct)
        {
            var options = spec.Config.Stem;
            var width = spec.StemFilters > 0 ? spec.StemFilters : spec.Stem == StemKind.Cifar ? 16 : 64;
            var bias = options.Bias ?? spec.Config.ConvBias;
            var nodes = new List<Node>();
            var inC = Expr.Of(spec.InChannels);
            switch (spec.Stem)
            {
                case StemKind.Deep:
                {
                    var mid = Expr.Of(width / 2);
                    var body = new[]
                    {
                        Conv("", inC, mid, 3, Expr.Of(2), Expr.One, bias: bias), Norm("", mid), Relu(),
                        Conv("", mid, mid, 3, Expr.One, Expr.One, bias: bias), Norm("", mid), Relu(),
                        Conv("", mid, Expr.Of(width), 3, Expr.One, Expr.One, bias: bias),
                    };
                    nodes.Add(new Node(Op.Sequential, "conv1", EquatableArray<int>.Empty) { Body = new Graph(body.ToEquatableArray()), OutC = Expr.Of(width) });
                    break;
                }
                default:
                {
                    var cifar = spec.Stem == StemKind.Cifar;
                    var kernel = options.Kernel > 0 ? options.Kernel : cifar ? 3 : 7;
                    var stride = options.Stride > 0 ? options.Stride : cifar ? 1 : 2;
                    var padding = options.Padding >= 0 ? options.Padding : (kernel - 1) / 2;
                    nodes.Add(Conv("conv1", inC, Expr.Of(width), kernel, Expr.Of(stride), Expr.Of(padding), bias: bias));
                    break;
                }
            }
            var norm = options.Norm ?? (!firstPreAct || firstSkipsPreAct);
            if (norm) nodes.Add(Norm("bn1", Expr.Of(width)));
            if (options.Activation ?? norm) nodes.Add(Relu("relu", inPlace: true));
            if (options.MaxPool ?? spec.Stem != StemKind.Cifar)
            {
                nodes.Add(new Node(Op.MaxPool, "maxpool", EquatableArray<int>.Empty) { Kernel = 3, Stride = Expr.Of(2), Padding = Expr.One });
            }
            return new Graph(nodes.ToEquatableArray());
        }
    }
}
