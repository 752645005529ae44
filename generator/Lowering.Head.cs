using System.Collections.Generic;

namespace ResNetGen.Generator;

internal static partial class Lowering
{
    private sealed partial class Context
    {
        /// <summary>
        /// The head: [norm → activation] → global average pool or flatten → dropout → hidden linear
        /// layers with their activation → the class logits. Left alone it is torchvision's (BN-ReLU only
        /// after a pre-activation stage, then avgpool and fc).
        /// </summary>
        private Graph LowerHead(Shape current, bool lastPreAct)
        {
            var options = spec.Config.Head;
            var head = new List<Node>();
            Node Activation(string name) => options.Activation switch
            {
                ActivationKind.LeakyRelu => new Node(Op.LeakyRelu, "", EquatableArray<int>.Empty) { Value = options.Slope },
                _ => Relu(name, inPlace: true),
            };

            if (options.Norm ?? lastPreAct)
            {
                head.Add(Norm("norm", Expr.Of(current.C)));
                if (options.Activation != ActivationKind.None) head.Add(Activation("relu"));
            }
            long features;
            if (options.Pool == HeadPool.Flatten)
            {
                if (!current.Known) Report(Diagnostics.FlattenNeedsInputSize, LocationKey.Head("pool"), spec.Target.Name);
                features = checked(current.C * System.Math.Max(1, current.H) * System.Math.Max(1, current.W));
            }
            else
            {
                head.Add(new Node(Op.AdaptiveAvgPool, "avgpool", EquatableArray<int>.Empty) { OutH = 1, OutW = 1 });
                features = current.C;
            }
            head.Add(new Node(Op.Flatten, "", EquatableArray<int>.Empty));

            var dropout = options.Dropout ?? spec.Dropout;
            var hidden = options.Hidden;
            if (spec.NumClasses > 0 || hidden.Count > 0)
            {
                if (dropout > 0) head.Add(new Node(Op.Dropout, "", EquatableArray<int>.Empty) { Value = dropout });
                for (var i = 0; i < hidden.Count; i++)
                {
                    head.Add(new Node(Op.Linear, $"fc{i + 1}", EquatableArray<int>.Empty) { InC = Expr.Of(features), OutC = Expr.Of(hidden[i]), Bias = true });
                    if (options.Activation != ActivationKind.None) head.Add(Activation(""));
                    features = hidden[i];
                }
                if (spec.NumClasses > 0)
                {
                    var name = hidden.Count == 0 ? "fc" : $"fc{hidden.Count + 1}";
                    head.Add(new Node(Op.Linear, name, EquatableArray<int>.Empty) { InC = Expr.Of(features), OutC = Expr.Of(spec.NumClasses), Bias = true });
                }
            }
            else if (dropout > 0)
            {
                Report(Diagnostics.Unused, options.Dropout is null ? LocationKey.ResNet("Dropout") : LocationKey.Head("Dropout"),
                    "Dropout applies to the head, and NumClasses = 0 has no head");
            }
            return new Graph(head.ToEquatableArray());
        }
    }
}
