using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ResNetGen.Generator;

// A dense network in torchvision's DenseNet layout: one `features` Sequential (conv0, norm0, relu0,
// pool0, denseblockN of denselayerM, transitionN, norm5) and a `classifier`, so state_dict keys are
// torchvision's (features.denseblock1.denselayer1.norm1.weight, features.transition1.conv.weight, ...).
internal static partial class Emitter
{
    private static GeneratedFile EmitDenseNetwork(NetworkModel model, Dialect d, CancellationToken ct)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        var w = new IndentedWriter();
        Header(w, d, ir.Target);
        var depth = OpenTarget(w, ir.Target);
        var name = ir.Target.Name;
        var output = a.Head.Output(a.Features);

        w.Line("/// <summary>");
        w.Line($"/// A densely connected network generated from the attributes on <c>{name}</c>: {ir.Description}.");
        w.Line($"/// {Format(a.ParameterCount)} parameters; input <c>{InputText(ir)}</c>, output <c>{output}</c>.");
        w.Line("/// Modules are named as torchvision's <c>DenseNet</c> names them, so <c>state_dict()</c> keys match torchvision's.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"partial class {name} : {d.ModuleBase}");

        EmitDenseConstants(w, model);
        var classifier = ir.Head.Nodes.FirstOrDefault(n => n.Op == Op.Linear);
        w.Line($"/// <summary>The feature extractor: stem, dense blocks, transitions and the final batch norm, output {a.Features}.</summary>");
        w.Line($"public readonly {d.SequentialType} features;");
        w.Line();
        if (classifier is not null)
        {
            w.Line($"/// <summary>{FieldDoc(classifier).Replace("Linear head", "Classifier")}</summary>");
            w.Line($"public readonly {d.ModuleType(classifier)} {classifier.Name};");
            w.Line();
        }

        w.Line(model.Ir.Init == WeightInit.PyTorchDefault
            ? "/// <summary>Builds the network; every layer keeps PyTorch's default initialisation (convolutions: Kaiming uniform, a = √5).</summary>"
            : "/// <summary>Builds the network with torchvision's DenseNet initialisation (Kaiming normal, fan-in, for convolutions; BN weight 1, bias 0; classifier bias 0).</summary>");
        w.Open($"public {name}() : base(nameof({name}))");
        EmitFeatures(w, model, d);
        if (classifier is not null) Register(w, classifier.Name, d.Create(classifier, Constant));
        w.Line("InitializeWeights();");
        w.Close();
        w.Line();
        ct.ThrowIfCancellationRequested();

        w.Line($"/// <summary>Runs the network on <c>[N, {ir.InChannels}, H, W]</c> input and returns {(ir.NumClasses > 0 ? "the logits" : "the pooled features")} <c>{output}</c>.</summary>");
        w.Line("/// <param name=\"input\">A batch of images.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The input is not 4-d or has the wrong channel count.</exception>");
        w.Open($"public override {d.Tensor} forward({d.Tensor} input)");
        w.Line("CheckInput(input);");
        w.Line($"var x = features.call(input); // {a.Features}");
        for (var i = 0; i < ir.Head.Nodes.Count; i++)
        {
            var node = ir.Head.Nodes[i];
            if (InFeatures(node)) continue;
            var call = node.Name.Length > 0 ? $"{node.Name}.call(x)"
                : node.Op == Op.AdaptiveAvgPool ? d.AdaptiveAvgPool("x", node.OutH, node.OutW)
                : Functional(node, "x", d, Constant);
            w.Line($"x = {call}; // {a.Head.Out[i]}");
        }
        w.Line("return x;");
        w.Close();
        w.Line();

        EmitCheckInput(w, model, d);
        EmitDenseInitialize(w, model, d);
        EmitSummary(w, model);
        foreach (var block in ir.Blocks)
        {
            w.Line();
            EmitDenseLayerClass(w, block, d);
        }
        w.Close();
        CloseTarget(w, depth);
        return new GeneratedFile(ir.Target.HintPrefix + ".g.cs", w.ToString());
    }

    /// <summary>The head's batch norm (norm5) belongs to <c>features</c>, as in torchvision.</summary>
    private static bool InFeatures(Node headNode) => headNode.Op == Op.BatchNorm;

    private static void EmitDenseConstants(IndentedWriter w, NetworkModel model)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        void Const(string doc, string type, string name, string value)
        {
            w.Line($"/// <summary>{doc}</summary>");
            w.Line($"public const {type} {name} = {value};");
            w.Line();
        }
        Const("Input channels the network expects.", "int", "InChannels", Int(ir.InChannels));
        Const("Classes of the classifier; 0 when the network is a feature extractor without one.", "int", "NumClasses", Int(ir.NumClasses));
        Const("The input size the shapes below were inferred for (0 = not declared).", "int", "InputSize", Int(ir.InputSize));
        Const("Learnable parameters (buffers such as BN running statistics excluded), as <c>sum(p.numel() for p in model.parameters())</c>.", "long", "ParameterCount", Format(a.ParameterCount));
        if (ir.InputHeight > 0)
        {
            Const($"Multiply-adds of one forward pass of one {ir.InputHeight}×{ir.InputWidth} image (convolutions and the classifier).", "long", "MultiplyAdds", Format(a.MultiplyAdds));
        }
        Const("Channels the stem (conv0) outputs.", "int", "StemChannels", Int(a.Stem.Output(default).C));
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            Const($"Channels of <c>features.{ir.Stages[i].Field}</c>'s output {a.Stages[i].Out}.", "int", $"DenseBlock{i + 1}Channels", Int(a.Stages[i].Out.C));
        }
        Const(ir.NumClasses > 0 ? "Width of <c>forward</c>'s output: the class logits." : "Width of <c>forward</c>'s output: the pooled features (no classifier).",
            "int", "OutputFeatures", Int(a.Head.Output(a.Features).C));
    }

    /// <summary><c>features</c>: one named child per line; dense blocks one layer per line.</summary>
    private static void EmitFeatures(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        var entries = new List<string>();
        foreach (var node in ir.Stem.Nodes) entries.Add($"(\"{node.Name}\", {d.Create(node, Constant)})");
        w.Line($"features = {d.SequentialOpen}");
        w.Indent();
        void Entry(string text, bool last) => w.Line(text + (last ? ");" : ","));
        var tail = ir.Head.Nodes.Where(InFeatures).ToList();
        foreach (var entry in entries) Entry(entry, false);
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            var stage = ir.Stages[i];
            foreach (var node in stage.Transition.Nodes) Entry($"(\"{node.Name}\", {NamedSequential(node, d)})", false);
            w.Line($"(\"{stage.Field}\", {d.SequentialOpen}");
            w.Indent();
            for (var j = 0; j < stage.Blocks.Count; j++)
            {
                var close = j == stage.Blocks.Count - 1 ? (i == ir.Stages.Count - 1 && tail.Count == 0 ? ")));" : ")),") : ",";
                w.Line($"(\"denselayer{j + 1}\", {NewBlock(ir, stage.Blocks[j], d)}){close}");
            }
            w.Outdent();
        }
        for (var i = 0; i < tail.Count; i++) Entry($"(\"{tail[i].Name}\", {d.Create(tail[i], Constant)})", i == tail.Count - 1);
        w.Outdent();
        w.Line("register_module(\"features\", features);");
    }

    /// <summary>A Sequential whose children keep their names (torchvision's transition: norm, relu, conv, pool).</summary>
    private static string NamedSequential(Node node, Dialect d) =>
        d.SequentialOpen + string.Join(", ", (node.Body ?? Graph.Empty).Nodes.Select(c => $"(\"{c.Name}\", {d.Create(c, Constant)})")) + ")";

    private static void EmitDenseInitialize(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var linear = model.Ir.Head.Nodes.FirstOrDefault(n => n.Op == Op.Linear);
        w.Open("private void InitializeWeights()");
        if (EmitDefaultInitComment(w, model.Ir))
        {
            w.Close();
            w.Line();
            return;
        }
        w.Line("apply(module =>");
        w.Open();
        w.Line("switch (module)");
        w.Open();
        EmitConvAndNormInit(w, d, d.KaimingNormalFanIn("kernel"));
        if (linear is not null)
        {
            w.Line($"case {d.ModuleType(linear)} linear when linear.bias is {{ }} linearBias:");
            w.Indent();
            w.Line($"{d.Constant("linearBias", 0)};");
            w.Line("break;");
            w.Outdent();
        }
        w.Close();
        w.Close(");");
        w.Close();
        w.Line();
    }

    /// <summary>A dense layer class: its modules, a constructor over its channel parameters, and a forward that ends in the concatenation.</summary>
    private static void EmitDenseLayerClass(IndentedWriter w, BlockTemplate block, Dialect d)
    {
        var name = block.ClassName;
        var nodes = block.Body.Nodes;
        var modules = nodes.Where(n => n.Name.Length > 0).ToList();
        w.Line($"/// <summary>{block.Description}. One class serves every layer: the channel counts are arguments.</summary>");
        w.Open($"public sealed class {name} : {d.ModuleBase}");
        w.Line("#pragma warning disable CS1591 // the fields are the layer's modules, named as torchvision names them");
        foreach (var node in modules) w.Line($"public readonly {d.ModuleType(node)} {node.Name};");
        w.Line("#pragma warning restore CS1591");
        w.Line();
        w.Line("/// <summary>Creates the layer.</summary>");
        foreach (var p in block.Params) w.Line($"/// <param name=\"{p.Name}\">{DenseParamDoc(p.Name)}</param>");
        w.Open($"public {name}({string.Join(", ", block.Params.Select(p => $"long {p.Name}"))}) : base(nameof({name}))");
        foreach (var node in modules) Register(w, node.Name, d.Create(node, ExprText));
        w.Close();
        w.Line();
        w.Line("/// <summary>The new features, concatenated to the input along the channels.</summary>");
        w.Line("/// <param name=\"x\">The layer input (every earlier layer's features).</param>");
        w.Open($"public override {d.Tensor} forward({d.Tensor} x)");
        var channels = "in_channels";
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var src = i == 0 ? "x" : "y";
            var decl = i == 0 ? "var " : "";
            if (node.Op == Op.Concat)
            {
                w.Line($"return {d.Cat("x", "y")}; // [N, in_channels + growth_rate, H, W]");
                break;
            }
            if (node.Op == Op.Conv) channels = ExprText(node.OutC, compact: true);
            var call = node.Name.Length > 0 ? $"{node.Name}.call({src})" : Functional(node, src, d, ExprText);
            w.Line($"{decl}y = {call}; // [N, {channels}, H, W]");
        }
        w.Close();
        w.Close();
    }

    private static string DenseParamDoc(string name) => name switch
    {
        "in_channels" => "Channels of the layer input.",
        "growth_rate" => "Channels the layer adds (k).",
        "bottleneck" => "Channels of the 1×1 bottleneck (bn_size × k).",
        _ => name,
    };
}
