using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;

namespace ResNetGen.Generator;

/// <summary>
/// IR → C# source. The structure of the file (constants, fields, constructor, forward, summary, block
/// classes) is written here once; every type name and call of a target comes from its <see cref="Dialect"/>.
/// </summary>
internal static partial class Emitter
{
    public const string ToolName = "ResNetGen.Generator";

    /// <summary>The generator's informational version (no literal to forget to bump).</summary>
    public static readonly string ToolVersion = ReadVersion();

    private static string ReadVersion()
    {
        var assembly = typeof(Emitter).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus >= 0 ? version.Substring(0, plus) : version; // no commit hash: snapshots stay stable
    }

    private static string GeneratedCode => $"[global::System.CodeDom.Compiler.GeneratedCode(\"{ToolName}\", \"{ToolVersion}\")]";

    // ------------------------------------------------------------------ networks

    public static GeneratedFile EmitNetwork(NetworkModel model, Dialect d, CancellationToken ct)
    {
        if (model.Ir.DenseLayout) return EmitDenseNetwork(model, d, ct);
        var ir = model.Ir;
        var a = model.Analysis;
        var w = new IndentedWriter();
        Header(w, d, ir.Target);
        var depth = OpenTarget(w, ir.Target);
        var name = ir.Target.Name;

        w.Line("/// <summary>");
        w.Line($"/// A residual network generated from the attributes on <c>{name}</c>: {ir.Description}.");
        w.Line($"/// {Format(a.ParameterCount)} parameters; input <c>{InputText(ir)}</c>, output <c>{a.Head.Output(a.Features)}</c>.");
        w.Line(ir.Fusion is not null || ir.ImageOutput
            ? $"/// The stem and stages are named as torchvision names them; {ImageFieldsText(ir)} in <c>state_dict()</c>."
            : "/// Fields are named as torchvision names them, so <c>state_dict()</c> keys match a torchvision model of the same architecture.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"partial class {name} : {d.ModuleBase}");

        EmitConstants(w, model);
        EmitFields(w, model, d);
        EmitConstructor(w, model, d);
        ct.ThrowIfCancellationRequested();
        EmitForward(w, model, d);
        EmitForwardFeatures(w, model, d);
        EmitCheckInput(w, model, d);
        EmitInitialize(w, model, d);
        EmitSummary(w, model);
        w.Line();
        EmitFeatureMaps(w, model, d);
        foreach (var block in ir.Blocks.Where(b => !b.IsUserClass))
        {
            ct.ThrowIfCancellationRequested();
            w.Line();
            EmitBlockClass(w, block, d, nested: true);
        }
        if (UsesZeroPad(ir) && d.ZeroPadHelper is { } helper)
        {
            w.Line();
            foreach (var line in helper) w.Line(line);
        }
        w.Close();
        CloseTarget(w, depth);
        return new GeneratedFile(ir.Target.HintPrefix + ".g.cs", w.ToString());
    }

    private static bool UsesZeroPad(NetworkIr ir) => ir.Stages.Any(s => s.Blocks.Any(b => b.Downsample?.Op == Op.ZeroPad));

    private static string InputText(NetworkIr ir) => ir.InputHeight > 0 ? $"[N, {ir.InChannels}, {ir.InputHeight}, {ir.InputWidth}]" : $"[N, {ir.InChannels}, H, W]";

    /// <summary>Named network-level nodes (stem, transitions, head) in order, each name once.</summary>
    private static List<Node> NetworkModules(NetworkIr ir)
    {
        var seen = new HashSet<string>();
        var list = new List<Node>();
        var fusion = ir.Fusion is { } f ? new[] { f } : Array.Empty<Node>();
        foreach (var node in ir.Stem.Nodes.Concat(ir.Stages.SelectMany(s => s.Transition.Nodes)).Concat(fusion).Concat(ir.Head.Nodes))
        {
            if (node.Name.Length > 0 && seen.Add(node.Name)) list.Add(node);
        }
        return list;
    }

    private static void EmitConstants(IndentedWriter w, NetworkModel model)
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
        Const(ir.ImageOutput ? "0: the network outputs an image (see <see cref=\"OutChannels\"/> and <see cref=\"Scale\"/>), it has no classifier." : "Classes of the linear head; 0 when the network is a feature extractor without a head.", "int", "NumClasses", Int(ir.NumClasses));
        EmitImageConstants(w, model);
        Const("The input size the shapes below were inferred for (0 = not declared).", "int", "InputSize", Int(ir.InputSize));
        if (ir.InputHeight != ir.InputWidth)
        {
            Const("The input height the shapes below were inferred for (a non-square input).", "int", "InputHeight", Int(ir.InputHeight));
            Const("The input width the shapes below were inferred for (a non-square input).", "int", "InputWidth", Int(ir.InputWidth));
        }
        Const("Learnable parameters (buffers such as BN running statistics excluded), as <c>sum(p.numel() for p in model.parameters())</c>.", "long", "ParameterCount", Format(a.ParameterCount));
        if (ir.InputHeight > 0)
        {
            Const($"Multiply-adds of one forward pass of one {ir.InputHeight}×{ir.InputWidth} image (convolutions and the linear head).", "long", "MultiplyAdds", Format(a.MultiplyAdds));
        }
        Const("Channels the stem outputs.", "int", "StemChannels", Int(a.Stem.Output(default).C));
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            var o = a.Stages[i].Out;
            Const($"Channels of <c>{ir.Stages[i].Field}</c>'s output {o}.", "int", $"Layer{i + 1}Channels", Int(o.C));
            if (o.Known && o.H == o.W) Const($"Height and width of <c>{ir.Stages[i].Field}</c>'s output at <see cref=\"InputSize\"/>.", "int", $"Layer{i + 1}Size", Int(o.H));
        }
        Const(ir.ImageOutput ? "Channels of <c>forward</c>'s output image (as <see cref=\"OutChannels\"/>)." : ir.NumClasses > 0 ? "Width of <c>forward</c>'s output: the class logits." : "Width of <c>forward</c>'s output: the pooled features (no head).",
            "int", "OutputFeatures", Int(a.Head.Output(a.Features).C));
    }

    private static void EmitFields(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        foreach (var node in NetworkModules(ir))
        {
            w.Line($"/// <summary>{FieldDoc(node)}</summary>");
            w.Line($"public readonly {d.ModuleType(node)} {node.Name};");
            w.Line();
            if (node == ir.Stem.Nodes.LastOrDefault(n => n.Name.Length > 0))
            {
                for (var i = 0; i < ir.Stages.Count; i++)
                {
                    var stage = ir.Stages[i];
                    var classes = string.Join(", ", stage.Blocks.Select(b => ir.Blocks[b.Template].Reference).Distinct().Select(c => $"<see cref=\"{c}\"/>"));
                    w.Line($"/// <summary>Stage {i + 1}: {stage.Blocks.Count} block(s) ({classes}), output {model.Analysis.Stages[i].Out}.</summary>");
                    w.Line($"public readonly {d.SequentialType} {stage.Field};");
                    w.Line();
                }
            }
        }
    }

    private static string FieldDoc(Node n) => ImageFieldDoc(n) ?? n.Op switch
    {
        Op.Conv => $"{n.Kernel}×{n.Kernel} convolution, stride {Int(n.Stride.Constant)}: {Int(n.InC.Constant)} → {Int(n.OutC.Constant)} channels.",
        Op.Sequential => $"Deep stem (ResNet-C): three 3×3 convolutions to {Int(n.OutC.Constant)} channels, the first with stride 2.",
        Op.BatchNorm => $"Batch norm over {Int(n.OutC.Constant)} channels.",
        Op.Relu => "ReLU (stateless, shared).",
        Op.MaxPool => $"{n.Kernel}×{n.Kernel} max-pool, stride {Int(n.Stride.Constant)}.",
        Op.AdaptiveAvgPool => $"Global average pool to {n.OutH}×{n.OutW}.",
        Op.Linear => $"Linear head: {Int(n.InC.Constant)} → {Int(n.OutC.Constant)}.",
        _ => ShapeInference.TypeName(n) + ".",
    };

    private static void EmitConstructor(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        var name = ir.Target.Name;
        var zeroInit = ir.ZeroInitResidual && ir.Blocks.Any(b => b.ZeroInitField is not null);
        w.Line(ir.Init == WeightInit.PyTorchDefault
            ? $"/// <summary>Builds the network; every layer keeps PyTorch's default initialisation (convolutions: Kaiming uniform, a = √5){(zeroInit ? "; each block's last BN weight 0" : "")}.</summary>"
            : $"/// <summary>Builds the network with torchvision's initialisation (Kaiming normal, fan-out, for convolutions; BN weight 1, bias 0{(zeroInit ? "; each block's last BN weight 0" : "")}).</summary>");
        w.Open($"public {name}() : base(nameof({name}))");
        var modules = NetworkModules(ir);
        var stemModules = modules.Where(m => ir.Stem.Nodes.Contains(m)).ToList();
        foreach (var node in stemModules) RegisterNetworkModule(w, node, d);
        foreach (var stage in ir.Stages)
        {
            foreach (var node in stage.Transition.Nodes.Where(n => n.Name.Length > 0)) RegisterNetworkModule(w, node, d);
            w.Line($"{stage.Field} = {d.SequentialOpen}");
            w.Indent();
            for (var j = 0; j < stage.Blocks.Count; j++)
            {
                w.Line(NewBlock(ir, stage.Blocks[j], d) + (j == stage.Blocks.Count - 1 ? ");" : ","));
            }
            w.Outdent();
            w.Line($"register_module(\"{stage.Field}\", {stage.Field});");
        }
        foreach (var node in modules.Where(m => !stemModules.Contains(m) && !ir.Stages.Any(s => s.Transition.Nodes.Contains(m)))) RegisterNetworkModule(w, node, d);
        w.Line("InitializeWeights();");
        w.Close();
        w.Line();
    }

    /// <summary>A network-level module; a Sequential (the deep stem) one child per line.</summary>
    private static void RegisterNetworkModule(IndentedWriter w, Node node, Dialect d)
    {
        if (node.Op != Op.Sequential || node.Body is not { Nodes.Count: > 2 } body)
        {
            Register(w, node.Name, d.Create(node, Constant));
            return;
        }
        w.Line($"{node.Name} = {d.SequentialOpen}");
        w.Indent();
        for (var i = 0; i < body.Nodes.Count; i++) w.Line(d.Create(body.Nodes[i], Constant) + (i == body.Nodes.Count - 1 ? ");" : ","));
        w.Outdent();
        w.Line($"register_module(\"{node.Name}\", {node.Name});");
    }

    private static void Register(IndentedWriter w, string field, string creation)
    {
        w.Line($"{field} = {creation};");
        w.Line($"register_module(\"{field}\", {field});");
    }

    /// <summary>One block instance: required arguments positionally, the rest by name when not the default.</summary>
    private static string NewBlock(NetworkIr ir, BlockUse use, Dialect d)
    {
        var template = ir.Blocks[use.Template];
        var args = new List<string>();
        foreach (var p in template.Params)
        {
            if (p.Type == Generator.ParamType.Double)
            {
                if (p.Name == "drop_path" && use.DropPath > 0) args.Add($"drop_path: {Double(use.DropPath)}");
                continue;
            }
            var value = use.Args.FirstOrDefault(b => b.Name == p.Name)?.Value ?? p.Default;
            if (p.Required) args.Add(Int(value));
            else if (value != p.Default) args.Add($"{p.Name}: {Int(value)}");
        }
        if (use.Downsample is { } downsample) args.Add($"downsample: {d.Create(downsample, Constant)}");
        return $"new {template.Reference}({string.Join(", ", args)})";
    }

    private static void EmitChain(IndentedWriter w, Graph graph, GraphShapes shapes, Dialect d, ref bool declared, string input)
    {
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var src = declared ? "x" : input;
            var call = node.Name.Length > 0 ? $"{node.Name}.call({src})" : Functional(node, src, d, Constant);
            w.Line($"{(declared ? "" : "var ")}x = {call}; // {shapes.Out[i]}");
            declared = true;
        }
    }

    private static void EmitStem(IndentedWriter w, NetworkModel model, Dialect d, ref bool declared)
    {
        EmitChain(w, model.Ir.Stem, model.Analysis.Stem, d, ref declared, "input");
    }

    private static void EmitForward(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        w.Line($"/// <summary>Runs the network on <c>[N, {ir.InChannels}, H, W]</c> input and returns {(ir.ImageOutput ? $"the ×{ir.Scale} image" : ir.NumClasses > 0 ? "the logits" : "the pooled features")} <c>{a.Head.Output(a.Features)}</c>.</summary>");
        w.Line("/// <param name=\"input\">A batch of images.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The input is not 4-d or has the wrong channel count.</exception>");
        w.Open($"public override {d.Tensor} forward({d.Tensor} input)");
        w.Line("CheckInput(input);");
        var declared = false;
        EmitStem(w, model, d, ref declared);
        if (ir.Fusion is not null) EmitFusedStages(w, model, d, ref declared);
        for (var i = 0; i < ir.Stages.Count && ir.Fusion is null; i++)
        {
            EmitChain(w, ir.Stages[i].Transition, a.Stages[i].Transition, d, ref declared, "input");
            w.Line($"{(declared ? "" : "var ")}x = {ir.Stages[i].Field}.call({(declared ? "x" : "input")}); // {a.Stages[i].Out}");
            declared = true;
        }
        EmitChain(w, ir.Head, a.Head, d, ref declared, "input");
        w.Line("return x;");
        w.Close();
        w.Line();
    }

    private static void EmitForwardFeatures(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        w.Line("/// <summary>Runs the stem and every stage and returns each stage's output (a backbone for detection or segmentation).</summary>");
        w.Line("/// <param name=\"input\">A batch of images.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The input is not 4-d or has the wrong channel count.</exception>");
        w.Open($"public FeatureMaps ForwardFeatures({d.Tensor} input)");
        w.Line("CheckInput(input);");
        var declared = false;
        EmitStem(w, model, d, ref declared);
        var previous = declared ? "x" : "input";
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            if (ir.Stages[i].Transition.Nodes.Count > 0)
            {
                EmitChain(w, ir.Stages[i].Transition, a.Stages[i].Transition, d, ref declared, previous);
                previous = "x";
            }
            w.Line($"var c{i + 1} = {ir.Stages[i].Field}.call({previous}); // {a.Stages[i].Out}");
            previous = $"c{i + 1}";
            if (i + 1 < ir.Stages.Count && ir.Stages[i + 1].Transition.Nodes.Count > 0)
            {
                w.Line($"{(declared ? "" : "var ")}x = {previous};");
                declared = true;
            }
        }
        w.Line($"return new FeatureMaps({string.Join(", ", Enumerable.Range(1, ir.Stages.Count).Select(i => $"c{i}"))});");
        w.Close();
        w.Line();
    }

    private static void EmitCheckInput(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        w.Open($"private static void CheckInput({d.Tensor} input)");
        w.Open("if (input.dim() != 4 || input.size(1) != InChannels)");
        w.Line("throw new global::System.ArgumentException(");
        w.Indent();
        w.Line($"$\"{ir.Target.Name} expects input of shape [N, {ir.InChannels}, H, W]; got [{{string.Join(\", \", input.shape)}}].\", nameof(input));");
        w.Outdent();
        w.Close();
        if (ir.InputHeight > 0 && ir.Head.Nodes.Any(n => n.Op == Op.Flatten) && !ir.Head.Nodes.Any(n => n.Op == Op.AdaptiveAvgPool))
        {
            // A flatten head's first linear layer was sized for exactly the declared input.
            w.Open($"if (input.size(2) != {ir.InputHeight} || input.size(3) != {ir.InputWidth})");
            w.Line("throw new global::System.ArgumentException(");
            w.Indent();
            w.Line($"$\"{ir.Target.Name} flattens its last feature map, so it expects input of shape [N, {ir.InChannels}, {ir.InputHeight}, {ir.InputWidth}]; got [{{string.Join(\", \", input.shape)}}].\", nameof(input));");
            w.Outdent();
            w.Close();
        }
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The switch cases every network's InitializeWeights shares: Kaiming-normal convolution kernels (ResNets use
    /// fan-out, DenseNets fan-in: <paramref name="kaiming"/>), batch norm weight 1 and bias 0.
    /// </summary>
    private static void EmitConvAndNormInit(IndentedWriter w, Dialect d, string kaiming)
    {
        w.Line($"case {d.ConvType} conv when conv.weight is {{ }} kernel:");
        w.Indent();
        w.Line(kaiming + ";");
        w.Line("break;");
        w.Outdent();
        w.Line($"case {d.BatchNormType} norm:");
        w.Indent();
        w.Line($"if (norm.weight is {{ }} weight) {d.Constant("weight", 1)};");
        w.Line($"if (norm.bias is {{ }} bias) {d.Constant("bias", 0)};");
        w.Line("break;");
        w.Outdent();
    }

    /// <summary>With <see cref="WeightInit.PyTorchDefault"/> the layers keep the initialisation their constructors gave them: says so, and returns true.</summary>
    private static bool EmitDefaultInitComment(IndentedWriter w, NetworkIr ir)
    {
        if (ir.Init != WeightInit.PyTorchDefault) return false;
        w.Line("// Init = WeightInit.PyTorchDefault: every layer keeps the initialisation its constructor gave it, as in the paper's code.");
        return true;
    }

    private static void EmitInitialize(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        w.Open("private void InitializeWeights()");
        if (!EmitDefaultInitComment(w, ir))
        {
            w.Line("apply(module =>");
            w.Open();
            w.Line("switch (module)");
            w.Open();
            EmitConvAndNormInit(w, d, d.KaimingNormalFanOut("kernel"));
            w.Close();
            w.Close(");");
        }
        var targets = ir.Blocks.Where(b => b.ZeroInitField is not null && ir.Stages.Any(s => s.Blocks.Any(u => ir.Blocks[u.Template] == b))).ToList();
        if (ir.ZeroInitResidual && targets.Count > 0)
        {
            w.Line("// Zero-init each block's last BN so every residual block starts as the identity (Goyal et al., 2017).");
            w.Line("apply(module =>");
            w.Open();
            w.Line("switch (module)");
            w.Open();
            foreach (var block in targets)
            {
                w.Line($"case {block.Reference} block when block.{block.ZeroInitField}.weight is {{ }} weight:");
                w.Indent();
                w.Line($"{d.Constant("weight", 0)};");
                w.Line("break;");
                w.Outdent();
            }
            w.Close();
            w.Close(");");
        }
        w.Close();
        w.Line();
    }

    private static void EmitSummary(IndentedWriter w, NetworkModel model)
    {
        var ir = model.Ir;
        var a = model.Analysis;
        var rows = new List<(string Layer, string Output, string Params)> { ("Layer (type)", "Output shape", "Param #") };
        foreach (var row in a.Summary)
        {
            rows.Add((new string(' ', 2 * row.Depth) + $"{row.Layer} ({row.Type})", row.Output, Human(row.Parameters)));
        }
        var c1 = rows.Max(r => r.Layer.Length) + 2;
        var c2 = rows.Max(r => r.Output.Length) + 2;
        var c3 = rows.Max(r => r.Params.Length);
        var rule = new string('=', c1 + c2 + c3);
        var lines = new List<string> { rule };
        for (var i = 0; i < rows.Count; i++)
        {
            lines.Add(rows[i].Layer.PadRight(c1) + rows[i].Output.PadRight(c2) + rows[i].Params.PadLeft(c3));
            if (i == 0) lines.Add(new string('-', c1 + c2 + c3));
        }
        lines.Add(rule);
        lines.Add($"Total params: {Human(a.ParameterCount)}");
        if (ir.InputHeight > 0) lines.Add($"Multiply-adds at {ir.InputHeight}×{ir.InputWidth}: {Human(a.MultiplyAdds)}");
        lines.Add($"Input: {InputText(ir)}  Output: {a.Head.Output(a.Features)}");
        lines.Add(rule);

        w.Line("/// <summary>A table of the layers with their output shapes and parameter counts (like torchinfo's or Keras's summary).</summary>");
        w.Line("public static string Summary() => SummaryText;");
        w.Line();
        w.Line("private const string SummaryText =");
        w.Indent();
        for (var i = 0; i < lines.Count; i++)
        {
            w.Line(Literal(lines[i] + "\n") + (i == lines.Count - 1 ? ";" : " +"));
        }
        w.Outdent();
    }

    private static void EmitFeatureMaps(IndentedWriter w, NetworkModel model, Dialect d)
    {
        var ir = model.Ir;
        w.Line("/// <summary>The output of every stage, from <see cref=\"ForwardFeatures\"/>; named as torchvision's <c>IntermediateLayerGetter</c> names them.</summary>");
        w.Open("public sealed class FeatureMaps");
        var parameters = string.Join(", ", ir.Stages.Select(s => $"{d.Tensor} {s.Field}"));
        w.Line("/// <summary>Wraps the stage outputs.</summary>");
        w.Open($"public FeatureMaps({parameters})");
        foreach (var stage in ir.Stages) w.Line($"this.{stage.Field} = {stage.Field};");
        w.Close();
        for (var i = 0; i < ir.Stages.Count; i++)
        {
            w.Line();
            w.Line($"/// <summary>Output of <c>{ir.Stages[i].Field}</c>: {model.Analysis.Stages[i].Out}.</summary>");
            w.Line($"public {d.Tensor} {ir.Stages[i].Field} {{ get; }}");
        }
        w.Line();
        w.Line("/// <summary>The stage outputs in order.</summary>");
        w.Line($"public {d.Tensor}[] ToArray() => new[] {{ {string.Join(", ", ir.Stages.Select(s => s.Field))} }};");
        w.Close();
    }

    // ------------------------------------------------------------------ block classes

    /// <summary>A user's [ResidualBlock] class, completed into the real block class in its own file.</summary>
    public static GeneratedFile EmitUserBlock(BlockTemplate template, Dialect d)
    {
        var target = template.UserClass!;
        var w = new IndentedWriter();
        Header(w, d, target);
        var depth = OpenTarget(w, target);
        EmitBlockClass(w, template, d, nested: false);
        CloseTarget(w, depth);
        return new GeneratedFile(target.HintPrefix + ".Block.g.cs", w.ToString());
    }

    private static string TypeOf(TemplateParam p) => p.Type == Generator.ParamType.Double ? "double" : "long";

    private static void EmitBlockClass(IndentedWriter w, BlockTemplate block, Dialect d, bool nested)
    {
        var name = nested ? block.ClassName : block.UserClass!.Name;
        var modules = block.Body.Nodes.Where(n => n.Name.Length > 0).ToList();
        w.Line($"/// <summary>{block.Description}. One class serves every block of this kind: channels, stride and shortcut are arguments.</summary>");
        if (!nested) w.Line(GeneratedCode);
        w.Open(nested ? $"public sealed class {name} : {d.ModuleBase}" : $"partial class {name} : {d.ModuleBase}");
        w.Line("#pragma warning disable CS1591 // the fields are the block's layers, named as torchvision names them");
        foreach (var node in modules) w.Line($"public readonly {d.ModuleType(node)} {node.Name};");
        w.Line($"public readonly {d.ModuleBase}? downsample;");
        foreach (var p in block.Params.Where(p => p.Type == Generator.ParamType.Double)) w.Line($"public readonly double {p.Name};");
        var kept = ForwardParams(block);
        foreach (var p in kept) w.Line($"private readonly long {p};");
        w.Line("#pragma warning restore CS1591");
        w.Line();

        var parameters = block.Params.Where(p => p.Required).Select(p => $"{TypeOf(p)} {p.Name}")
            .Concat(block.Params.Where(p => !p.Required && p.Type == Generator.ParamType.Long).Select(p => $"long {p.Name} = {Int(p.Default)}"))
            .Append($"{d.ModuleBase}? downsample = null")
            .Concat(block.Params.Where(p => p.Type == Generator.ParamType.Double).Select(p => $"double {p.Name} = 0.0"));
        w.Line("/// <summary>Creates the block (as torchvision's <c>_make_layer</c> does: the network passes the shortcut module when the shape changes).</summary>");
        foreach (var p in block.Params) w.Line($"/// <param name=\"{p.Name}\">{ParamDoc(p.Name)}</param>");
        w.Line("/// <param name=\"downsample\">The shortcut module, or null for the identity.</param>");
        w.Open($"public {name}({string.Join(", ", parameters)}) : base(nameof({name}))");
        foreach (var node in modules) Register(w, node.Name, d.Create(node, ExprText));
        EmitGateBias(w, block, d);
        w.Line("this.downsample = downsample;");
        w.Line("if (downsample is not null) register_module(\"downsample\", downsample);");
        foreach (var p in block.Params.Where(p => p.Type == Generator.ParamType.Double)) w.Line($"this.{p.Name} = {p.Name};");
        foreach (var p in kept) w.Line($"this.{p} = {p};");
        w.Close();
        w.Line();

        w.Line("/// <summary>Residual branch plus shortcut.</summary>");
        w.Line("/// <param name=\"x\">The block input.</param>");
        w.Open($"public override {d.Tensor} forward({d.Tensor} x)");
        EmitBlockForward(w, block, d);
        w.Close();
        w.Close();
    }

    /// <summary>Parameters a functional call in forward reads (a strided pool's stride): kept as fields.</summary>
    private static List<string> ForwardParams(BlockTemplate block) =>
        block.Body.Nodes.Where(n => n.Name.Length == 0 && n.Op is Op.MaxPool or Op.AvgPool)
            .SelectMany(n => new[] { n.Stride.Param, n.Padding.Param })
            .Where(p => p is not null).Select(p => p!).Distinct().ToList();

    private static string ParamDoc(string name) => name switch
    {
        "in_channels" => "Channels of the block input.",
        "out_channels" => "Channels of the block output.",
        "width" => "Channels of the inner 3×3 convolution.",
        "se_channels" => "Channels of the squeeze-excitation bottleneck (the output channels over the reduction).",
        "planes" => "The stage's filters (channel counts of the layers are multiples of it).",
        "stride" => "Stride of the block (the first of a downsampling stage).",
        "groups" => "Groups of the 3×3 convolution (ResNeXt cardinality).",
        "dilation" => "Dilation of the 3×3 convolution.",
        "drop_path" => "Stochastic-depth rate: the probability of dropping the residual branch of a sample in training.",
        _ => name,
    };

    /// <summary>
    /// Writes a block body as statements. The chain lives in <c>y</c>; a value read again later (the
    /// pre-activated input of a v2 block) gets its own variable; the shortcut is <c>identity</c>.
    /// Shape comments are symbolic: one class serves every channel count and stride.
    /// </summary>
    private static void EmitBlockForward(IndentedWriter w, BlockTemplate block, Dialect d)
    {
        var nodes = block.Body.Nodes;
        var names = new Dictionary<int, string> { [-1] = "x" };
        var declared = new HashSet<string> { "x" };
        var shapes = SymbolicShapes(block);
        int InputOf(int i) => nodes[i].Inputs.Count > 0 ? nodes[i].Inputs[0] : i - 1;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var src = names[InputOf(i)];
            // Kept in its own variable when a later reader comes after something else overwrote the chain.
            var readLater = Enumerable.Range(i + 2, Math.Max(0, nodes.Count - i - 2))
                .Any(j => nodes[j].Inputs.Contains(i) && Enumerable.Range(i + 1, j - i - 1).Any(k => nodes[k].Op != Op.Shortcut));
            var feedsShortcut = nodes.Any(m => m.Op == Op.Shortcut && m.Inputs.Contains(i));
            var target = node.Op == Op.Shortcut ? "identity" : VariableOf(nodes, i, readLater, feedsShortcut);
            var decl = declared.Add(target) ? "var " : "";
            names[i] = target;
            var comment = $" // {shapes[i]}";
            switch (node.Op)
            {
                case Op.Shortcut:
                    w.Line($"{decl}identity = downsample is null ? x : downsample.call({src});{comment}");
                    break;
                case Op.Add:
                {
                    var other = names[node.Inputs[1]];
                    if (node.InPlace && src == target && decl.Length == 0) w.Line($"{target}.add_({other});{comment}");
                    else w.Line($"{decl}{target} = {string.Join(" + ", node.Inputs.Select(j => names[j]))};{comment}");
                    break;
                }
                case Op.Concat:
                    w.Line($"{decl}{target} = {d.Cat(node.Inputs.Select(j => names[j]).ToArray())};{comment}");
                    break;
                case Op.DropPath:
                    w.Line($"{decl}{target} = {d.DropPath(src, "drop_path")};{comment}");
                    break;
                case Op.Gate:
                    w.Line($"{decl}{target} = {GateExpression(names[node.Inputs[0]], names[node.Inputs[1]], names[node.Inputs[2]])};{comment}");
                    break;
                default:
                    var call = node.Name.Length > 0 ? $"{node.Name}.call({src})" : Functional(node, src, d, ExprText);
                    w.Line($"{decl}{target} = {call};{comment}");
                    break;
            }
        }
        w.Line($"return {names[nodes.Count - 1]};");
    }

    /// <summary>Shapes of a template's nodes as text over its parameters (e.g. <c>[N, width, H/stride, W/stride]</c>).</summary>
    private static string[] SymbolicShapes(BlockTemplate block)
    {
        var nodes = block.Body.Nodes;
        var result = new string[nodes.Count];
        var channels = new string[nodes.Count];
        var spatial = new string[nodes.Count];
        string C(int i) => i < 0 ? "in_channels" : channels[i];
        string S(int i) => i < 0 ? "" : spatial[i];
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            var input = n.Inputs.Count > 0 ? n.Inputs[0] : i - 1;
            channels[i] = n.Op is Op.Conv or Op.ZeroPad || (n.Op == Op.Concat && n.OutC != Expr.Zero) ? ExprText(n.OutC, compact: true) : C(input);
            spatial[i] = S(input);
            if (n.Op is Op.Conv or Op.MaxPool or Op.AvgPool)
            {
                var stride = ExprText(n.Stride, compact: true);
                var d = n.Op == Op.Conv ? n.Dilation : Expr.One;
                // "Same" padding keeps the size up to the stride; anything else changes it (marked ′).
                var regular = (n.Padding.IsConstant && d.IsConstant && 2 * n.Padding.Constant == d.Constant * (n.Kernel - 1))
                    || (!n.Padding.IsConstant && n.Padding == d && n.Kernel == 3);
                if (!regular) spatial[i] += "'";
                else if (stride != "1") spatial[i] += "/" + stride;
            }
            if (n.Op == Op.Shortcut)
            {
                var add = nodes.FirstOrDefault(m => m.Op == Op.Add && m.Inputs.Contains(i));
                var branch = add is null ? i - 1 : add.Inputs[0];
                channels[i] = C(branch);
                spatial[i] = S(branch);
            }
            result[i] = $"[N, {channels[i]}, H{spatial[i]}, W{spatial[i]}]";
        }
        return result;
    }

    /// <summary>A functional (unnamed) node applied to <paramref name="x"/>.</summary>
    private static string Functional(Node node, string x, Dialect d, Func<Expr, string> expr) => node.Op switch
    {
        Op.Relu => d.Relu(x, node.InPlace),
        Op.LeakyRelu => d.LeakyRelu(x, Double(node.Value)),
        Op.MaxPool => d.MaxPool(x, node.Kernel, expr(node.Stride), expr(node.Padding)),
        Op.AvgPool => d.AvgPool(x, node.Kernel, expr(node.Stride), expr(node.Padding)),
        Op.Dropout => d.Dropout(x, Double(node.Value)),
        Op.Flatten => $"{x}.flatten(1)",
        Op.Identity => x,
        Op.Sigmoid => $"{x}.sigmoid()",
        Op.PixelShuffle => d.PixelShuffle(x, node.Kernel),
        _ => throw new InvalidOperationException($"{node.Op} has no functional form; lowering must name it"),
    };

    // ------------------------------------------------------------------ helpers

    private static string Constant(Expr e) => e.IsConstant ? Int(e.Constant) : ExprText(e);

    /// <summary>An IR integer as C#: a literal, or its parameter expression.</summary>
    public static string ExprText(Expr e) => ExprText(e, compact: false);

    private static string ExprText(Expr e, bool compact)
    {
        if (e.IsConstant) return Int(e.Constant);
        string Term(string? p, long f) => f == 1 ? p! : compact ? $"{p}*{Int(f)}" : $"{p} * {Int(f)}";
        var text = Term(e.Param, e.Factor);
        var sum = e.Param2 is not null || e.Constant != 0; // the channels of a concatenation (Lowering.Branches.cs)
        if (e.Param2 is not null) text += " + " + Term(e.Param2, e.Factor2);
        if (e.Constant != 0) text += " + " + Int(e.Constant);
        if (e.Divisor <= 1) return text;
        if (sum) text = $"({text})";
        return compact ? $"{text}/{Int(e.Divisor)}" : $"global::System.Math.Max(1, {text} / {Int(e.Divisor)})";
    }

    private static void Header(IndentedWriter w, Dialect d, TypeTarget target)
    {
        w.Line("// <auto-generated/>");
        w.Line($"// Generated by {ToolName} {ToolVersion} for {d.Name} from the attributes on {target.FullName.Replace("global::", "")}. Do not edit: change the attributes instead.");
        w.Line("#nullable enable");
        w.Line();
    }

    private static int OpenTarget(IndentedWriter w, TypeTarget target)
    {
        var depth = 0;
        if (target.Namespace is not null)
        {
            w.Open($"namespace {target.Namespace}");
            depth++;
        }
        foreach (var container in target.Containers)
        {
            w.Open($"partial {container.Keyword} {container.Name}");
            depth++;
        }
        return depth;
    }

    private static void CloseTarget(IndentedWriter w, int depth)
    {
        for (var i = 0; i < depth; i++) w.Close();
    }

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", "_");

    private static string Human(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Double(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") ? text : text + ".0";
    }

    private static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
