using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

namespace ResNetGen.Generator;

/// <summary>Resolved model → C# source, with an indented writer. No symbols, no Roslyn types.</summary>
internal static class Emitter
{
    public const string ToolName = "ResNetGen.Generator";
    public const string ToolVersion = "1.0.0";

    private const string Tensor = "global::ResNetGen.Torch.Tensor";
    private const string ModuleBase = "global::ResNetGen.Torch.Module<global::ResNetGen.Torch.Tensor, global::ResNetGen.Torch.Tensor>";
    private const string Modules = "global::ResNetGen.Torch.Modules";
    private const string F = "global::ResNetGen.Torch.torch.nn.functional";
    private const string Init = "global::ResNetGen.Torch.torch.nn.init";
    private static readonly string GeneratedCode = $"[global::System.CodeDom.Compiler.GeneratedCode(\"{ToolName}\", \"{ToolVersion}\")]";

    // ------------------------------------------------------------------ networks

    public static GeneratedFile EmitNetwork(NetworkModel model, CancellationToken ct)
    {
        var w = new IndentedWriter();
        Header(w, $"the attributes on {model.Target.FullName.Replace("global::", "")}");
        var depth = OpenTarget(w, model.Target);
        var name = model.Target.Name;

        w.Line("/// <summary>");
        w.Line($"/// A residual network generated from the attributes on <c>{name}</c>: {Describe(model)}.");
        w.Line($"/// {Format(model.ParameterCount)} parameters; input <c>[N, {model.InChannels}, {(model.InputSize > 0 ? model.InputSize + ", " + model.InputSize : "H, W")}]</c>, output <c>{OutputShape(model)}</c>.");
        w.Line("/// Fields are named as torchvision names them, so <c>state_dict()</c> keys match a torchvision model of the same architecture.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"partial class {name} : {ModuleBase}");

        EmitConstants(w, model);
        EmitNetworkFields(w, model);
        EmitNetworkConstructor(w, model);
        ct.ThrowIfCancellationRequested();
        EmitForward(w, model);
        EmitForwardFeatures(w, model);
        EmitCheckInput(w, model);
        EmitInitialize(w, model);
        EmitSummary(w, model);

        foreach (var block in model.BlockClasses)
        {
            ct.ThrowIfCancellationRequested();
            w.Line();
            EmitBlock(w, model, block);
        }
        if (model.HasSqueezeExcite)
        {
            w.Line();
            EmitSqueezeExcite(w);
        }
        w.Line();
        EmitFeatureMaps(w, model);

        w.Close();
        CloseTarget(w, depth);
        return new GeneratedFile(model.Target.HintPrefix + ".g.cs", w.ToString());
    }

    private static string Describe(NetworkModel model)
    {
        var stages = string.Join(", ", model.Stages.Select(s => $"{s.Blocks.Count}"));
        var stem = model.Stem.Kind switch { StemKind.Cifar => "CIFAR stem", StemKind.Deep => "deep stem", _ => "ImageNet stem" };
        return $"{stem}, {model.Stages.Count} stage(s) of [{stages}] blocks";
    }

    private static string OutputShape(NetworkModel model) =>
        model.NumClasses > 0 ? $"[N, {model.NumClasses}]" : $"[N, {model.FinalShape.C}]";

    private static void EmitConstants(IndentedWriter w, NetworkModel model)
    {
        w.Line("/// <summary>Input channels the network expects.</summary>");
        w.Line($"public const int InChannels = {model.InChannels};");
        w.Line();
        w.Line("/// <summary>Classes of the linear head; 0 when the network is a feature extractor without a head.</summary>");
        w.Line($"public const int NumClasses = {model.NumClasses};");
        w.Line();
        w.Line("/// <summary>The input size the shapes below were inferred for (0 = not declared).</summary>");
        w.Line($"public const int InputSize = {model.InputSize};");
        w.Line();
        w.Line("/// <summary>Number of learnable parameters (buffers such as BN running statistics excluded), as <c>sum(p.numel() for p in model.parameters())</c>.</summary>");
        w.Line($"public const long ParameterCount = {Format(model.ParameterCount)};");
        w.Line();
        if (model.InputSize > 0)
        {
            w.Line($"/// <summary>Multiply-adds of one forward pass of one {model.InputSize}×{model.InputSize} image (convolutions and the linear head).</summary>");
            w.Line($"public const long MultiplyAdds = {Format(model.MultiplyAdds)};");
            w.Line();
        }
        w.Line("/// <summary>Channels the stem outputs.</summary>");
        w.Line($"public const int StemChannels = {model.Stem.OutC};");
        for (var i = 0; i < model.Stages.Count; i++)
        {
            var stage = model.Stages[i];
            w.Line();
            w.Line($"/// <summary>Channels of <c>{stage.Field}</c>'s output {stage.Out}.</summary>");
            w.Line($"public const int Layer{i + 1}Channels = {stage.Out.C};");
            if (stage.Out.Known)
            {
                w.Line();
                w.Line($"/// <summary>Height and width of <c>{stage.Field}</c>'s output at <see cref=\"InputSize\"/>.</summary>");
                w.Line($"public const int Layer{i + 1}Size = {stage.Out.H};");
            }
        }
        w.Line();
        w.Line(model.NumClasses > 0
            ? "/// <summary>Width of <c>forward</c>'s output: the class logits.</summary>"
            : "/// <summary>Width of <c>forward</c>'s output: the pooled features (no head).</summary>");
        w.Line($"public const int OutputFeatures = {(model.NumClasses > 0 ? model.NumClasses : model.FinalShape.C)};");
        w.Line();
    }

    private static bool HasRelu(NetworkModel model) => model.Stem.Norm || model.FinalNorm;

    private static void EmitNetworkFields(IndentedWriter w, NetworkModel model)
    {
        var stem = model.Stem;
        switch (stem.Kind)
        {
            case StemKind.Deep:
                w.Line($"/// <summary>Deep stem (ResNet-C): three 3×3 convolutions {stem.InC} → {stem.MidC} → {stem.MidC} → {stem.OutC}, the first with stride 2.</summary>");
                w.Line($"public readonly {Modules}.Sequential conv1;");
                break;
            case StemKind.Cifar:
                w.Line($"/// <summary>Stem convolution: 3×3, stride 1, {stem.InC} → {stem.OutC} channels.</summary>");
                w.Line($"public readonly {Modules}.Conv2d conv1;");
                break;
            default:
                w.Line($"/// <summary>Stem convolution: 7×7, stride 2, {stem.InC} → {stem.OutC} channels.</summary>");
                w.Line($"public readonly {Modules}.Conv2d conv1;");
                break;
        }
        w.Line();
        if (stem.Norm)
        {
            w.Line("/// <summary>Batch norm after the stem convolution.</summary>");
            w.Line($"public readonly {Modules}.BatchNorm2d bn1;");
            w.Line();
        }
        if (HasRelu(model))
        {
            w.Line("/// <summary>The network's ReLU (stateless, shared).</summary>");
            w.Line($"public readonly {Modules}.ReLU relu;");
            w.Line();
        }
        if (stem.Kind != StemKind.Cifar)
        {
            w.Line("/// <summary>3×3 max-pool, stride 2.</summary>");
            w.Line($"public readonly {Modules}.MaxPool2d maxpool;");
            w.Line();
        }
        for (var i = 0; i < model.Stages.Count; i++)
        {
            var stage = model.Stages[i];
            var classes = string.Join(", ", stage.Blocks.Select(b => b.ClassName).Distinct().Select(c => $"<see cref=\"{c}\"/>"));
            w.Line($"/// <summary>Stage {i + 1}: {stage.Blocks.Count} block(s) ({classes}), output {stage.Out}.</summary>");
            w.Line($"public readonly {Modules}.Sequential {stage.Field};");
            w.Line();
        }
        if (model.FinalNorm)
        {
            w.Line("/// <summary>Final batch norm of the pre-activation network (followed by ReLU).</summary>");
            w.Line($"public readonly {Modules}.BatchNorm2d norm;");
            w.Line();
        }
        w.Line("/// <summary>Global average pool to 1×1.</summary>");
        w.Line($"public readonly {Modules}.AdaptiveAvgPool2d avgpool;");
        w.Line();
        if (model.NumClasses > 0)
        {
            w.Line($"/// <summary>Linear head: {model.FinalShape.C} → {model.NumClasses}.</summary>");
            w.Line($"public readonly {Modules}.Linear fc;");
            w.Line();
        }
    }

    private static string ConvNew(long inC, long outC, int k, int s, int p, int d, int g, bool bias)
    {
        var sb = new StringBuilder($"new {Modules}.Conv2d({inC}, {outC}, kernel_size: {k}");
        if (s != 1) sb.Append($", stride: {s}");
        if (p != 0) sb.Append($", padding: {p}");
        if (d != 1) sb.Append($", dilation: {d}");
        if (g != 1) sb.Append($", groups: {g}");
        sb.Append($", bias: {(bias ? "true" : "false")})");
        return sb.ToString();
    }

    private static void Register(IndentedWriter w, string field, string creation)
    {
        w.Line($"{field} = {creation};");
        w.Line($"register_module(\"{field}\", {field});");
    }

    private static void EmitNetworkConstructor(IndentedWriter w, NetworkModel model)
    {
        var name = model.Target.Name;
        var stem = model.Stem;
        w.Line($"/// <summary>Builds the network with torchvision's initialisation (Kaiming normal, fan-out, for convolutions; BN weight 1, bias 0{(model.ZeroInitResidual ? "; each block's last BN weight 0" : "")}).</summary>");
        w.Open($"public {name}() : base(nameof({name}))");
        switch (stem.Kind)
        {
            case StemKind.Deep:
                w.Line($"conv1 = new {Modules}.Sequential(");
                w.Indent();
                w.Line(ConvNew(stem.InC, stem.MidC, 3, 2, 1, 1, 1, false) + ",");
                w.Line($"new {Modules}.BatchNorm2d({stem.MidC}),");
                w.Line($"new {Modules}.ReLU(),");
                w.Line(ConvNew(stem.MidC, stem.MidC, 3, 1, 1, 1, 1, false) + ",");
                w.Line($"new {Modules}.BatchNorm2d({stem.MidC}),");
                w.Line($"new {Modules}.ReLU(),");
                w.Line(ConvNew(stem.MidC, stem.OutC, 3, 1, 1, 1, 1, false) + ");");
                w.Outdent();
                w.Line("register_module(\"conv1\", conv1);");
                break;
            case StemKind.Cifar:
                Register(w, "conv1", ConvNew(stem.InC, stem.OutC, 3, 1, 1, 1, 1, false));
                break;
            default:
                Register(w, "conv1", ConvNew(stem.InC, stem.OutC, 7, 2, 3, 1, 1, false));
                break;
        }
        if (stem.Norm) Register(w, "bn1", $"new {Modules}.BatchNorm2d({stem.OutC})");
        if (HasRelu(model)) Register(w, "relu", $"new {Modules}.ReLU()");
        if (stem.Kind != StemKind.Cifar) Register(w, "maxpool", $"new {Modules}.MaxPool2d(3, stride: 2, padding: 1)");
        foreach (var stage in model.Stages)
        {
            w.Line($"{stage.Field} = new {Modules}.Sequential(");
            w.Indent();
            for (var j = 0; j < stage.Blocks.Count; j++)
            {
                var block = stage.Blocks[j];
                var args = model.DropPath > 0 ? $"drop_path: {Double(block.DropPath)}" : "";
                w.Line($"new {block.ClassName}({args}){(j == stage.Blocks.Count - 1 ? ");" : ",")}");
            }
            w.Outdent();
            w.Line($"register_module(\"{stage.Field}\", {stage.Field});");
        }
        if (model.FinalNorm) Register(w, "norm", $"new {Modules}.BatchNorm2d({model.FinalShape.C})");
        Register(w, "avgpool", $"new {Modules}.AdaptiveAvgPool2d(1, 1)");
        if (model.NumClasses > 0) Register(w, "fc", $"new {Modules}.Linear({model.FinalShape.C}, {model.NumClasses})");
        w.Line("InitializeWeights();");
        w.Close();
        w.Line();
    }

    private static void EmitStemForward(IndentedWriter w, NetworkModel model)
    {
        var stem = model.Stem;
        w.Line($"var x = conv1.call(input);{Comment(stem.AfterConv)}");
        if (stem.Norm)
        {
            w.Line($"x = bn1.call(x);{Comment(stem.AfterConv)}");
            w.Line($"x = {F}.relu(x, inplace: true);{Comment(stem.AfterConv)}");
        }
        if (stem.Kind != StemKind.Cifar) w.Line($"x = maxpool.call(x);{Comment(stem.Out)}");
    }

    private static void EmitForward(IndentedWriter w, NetworkModel model)
    {
        w.Line($"/// <summary>Runs the network on <c>[N, {model.InChannels}, H, W]</c> input and returns {(model.NumClasses > 0 ? "the logits" : "the pooled features")} <c>{OutputShape(model)}</c>.</summary>");
        w.Line("/// <param name=\"input\">A batch of images.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The input is not 4-d or has the wrong channel count.</exception>");
        w.Open($"public override {Tensor} forward({Tensor} input)");
        w.Line("CheckInput(input);");
        EmitStemForward(w, model);
        foreach (var stage in model.Stages) w.Line($"x = {stage.Field}.call(x);{Comment(stage.Out)}");
        if (model.FinalNorm)
        {
            w.Line($"x = norm.call(x);{Comment(model.FinalShape)}");
            w.Line($"x = {F}.relu(x, inplace: true);{Comment(model.FinalShape)}");
        }
        w.Line($"x = avgpool.call(x); // [N, {model.FinalShape.C}, 1, 1]");
        w.Line($"x = x.flatten(1); // [N, {model.FinalShape.C}]");
        if (model.NumClasses > 0)
        {
            if (model.Dropout > 0) w.Line($"x = {F}.dropout(x, {Double(model.Dropout)}, training); // [N, {model.FinalShape.C}]");
            w.Line($"x = fc.call(x); // [N, {model.NumClasses}]");
        }
        w.Line("return x;");
        w.Close();
        w.Line();
    }

    private static void EmitForwardFeatures(IndentedWriter w, NetworkModel model)
    {
        w.Line("/// <summary>Runs the stem and every stage and returns each stage's output (a backbone for detection or segmentation).</summary>");
        w.Line("/// <param name=\"input\">A batch of images.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The input is not 4-d or has the wrong channel count.</exception>");
        w.Open($"public FeatureMaps ForwardFeatures({Tensor} input)");
        w.Line("CheckInput(input);");
        EmitStemForward(w, model);
        var previous = "x";
        for (var i = 0; i < model.Stages.Count; i++)
        {
            var stage = model.Stages[i];
            w.Line($"var c{i + 1} = {stage.Field}.call({previous});{Comment(stage.Out)}");
            previous = $"c{i + 1}";
        }
        w.Line($"return new FeatureMaps({string.Join(", ", Enumerable.Range(1, model.Stages.Count).Select(i => $"c{i}"))});");
        w.Close();
        w.Line();
    }

    private static void EmitCheckInput(IndentedWriter w, NetworkModel model)
    {
        var name = model.Target.Name;
        w.Open($"private static void CheckInput({Tensor} input)");
        w.Open("if (input.dim() != 4 || input.size(1) != InChannels)");
        w.Line("throw new global::System.ArgumentException(");
        w.Indent();
        w.Line($"$\"{name} expects input of shape [N, {model.InChannels}, H, W]; got [{{string.Join(\", \", input.shape)}}].\", nameof(input));");
        w.Outdent();
        w.Close();
        w.Close();
        w.Line();
    }

    private static void EmitInitialize(IndentedWriter w, NetworkModel model)
    {
        w.Open("private void InitializeWeights()");
        w.Line("apply(module =>");
        w.Open();
        w.Line("switch (module)");
        w.Open();
        w.Line($"case {Modules}.Conv2d conv:");
        w.Indent();
        w.Line($"{Init}.kaiming_normal_(conv.weight, mode: global::ResNetGen.Torch.FanMode.FanOut, nonlinearity: global::ResNetGen.Torch.Nonlinearity.ReLU);");
        w.Line("break;");
        w.Outdent();
        w.Line($"case {Modules}.BatchNorm2d norm:");
        w.Indent();
        w.Line($"if (norm.weight is {{ }} weight) {Init}.constant_(weight, 1);");
        w.Line($"if (norm.bias is {{ }} bias) {Init}.constant_(bias, 0);");
        w.Line("break;");
        w.Outdent();
        w.Close();
        w.Close(");");
        var targets = model.BlockClasses.Where(b => b.ZeroInitField is not null).ToList();
        if (model.ZeroInitResidual && targets.Count > 0)
        {
            w.Line("// Zero-init each block's last BN so every residual block starts as the identity (Goyal et al., 2017).");
            w.Line("apply(module =>");
            w.Open();
            w.Line("switch (module)");
            w.Open();
            foreach (var block in targets)
            {
                w.Line($"case {block.ClassName} block when block.{block.ZeroInitField}.weight is {{ }} weight:");
                w.Indent();
                w.Line($"{Init}.zeros_(weight);");
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
        var rows = new List<(string Layer, string Output, string Params)> { ("Layer (type)", "Output shape", "Param #") };
        foreach (var row in model.Summary)
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
        lines.Add($"Total params: {Human(model.ParameterCount)}");
        if (model.InputSize > 0) lines.Add($"Multiply-adds at {model.InputSize}×{model.InputSize}: {Human(model.MultiplyAdds)}");
        lines.Add($"Input: [N, {model.InChannels}, {(model.InputSize > 0 ? $"{model.InputSize}, {model.InputSize}" : "H, W")}]  Output: {OutputShape(model)}");
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

    private static void EmitFeatureMaps(IndentedWriter w, NetworkModel model)
    {
        w.Line("/// <summary>The output of every stage, from <see cref=\"ForwardFeatures\"/>; named as torchvision's <c>IntermediateLayerGetter</c> names them.</summary>");
        w.Line(GeneratedCode);
        w.Open("public sealed class FeatureMaps");
        var parameters = string.Join(", ", model.Stages.Select(s => $"{Tensor} {s.Field}"));
        w.Line("/// <summary>Wraps the stage outputs.</summary>");
        w.Open($"public FeatureMaps({parameters})");
        foreach (var stage in model.Stages) w.Line($"this.{stage.Field} = {stage.Field};");
        w.Close();
        foreach (var stage in model.Stages)
        {
            w.Line();
            w.Line($"/// <summary>Output of <c>{stage.Field}</c>: {stage.Out}.</summary>");
            w.Line($"public {Tensor} {stage.Field} {{ get; }}");
        }
        w.Line();
        w.Line("/// <summary>The stage outputs in order.</summary>");
        w.Line($"public {Tensor}[] ToArray() => new[] {{ {string.Join(", ", model.Stages.Select(s => s.Field))} }};");
        w.Close();
    }

    // ------------------------------------------------------------------ blocks

    private static void EmitBlock(IndentedWriter w, NetworkModel model, BlockClassModel block)
    {
        var name = block.ClassName;
        var shortcut = block.Shortcut.Kind switch
        {
            ResolvedShortcut.Identity => "identity shortcut",
            ResolvedShortcut.Projection => "projection shortcut (1×1 conv + BN)",
            ResolvedShortcut.ZeroPad => "zero-padding shortcut (option A)",
            _ => "average-pool + projection shortcut (ResNet-D)",
        };
        var stride = block.Shortcut.Kind == ResolvedShortcut.Identity ? 1 : block.Shortcut.Stride;
        w.Line($"/// <summary>{block.Description}: {block.In} → {block.Out}{(stride > 1 ? $", stride {stride}" : "")}, {shortcut}; {Format(block.Parameters)} parameters.</summary>");
        w.Line(GeneratedCode);
        w.Open($"{block.Accessibility} sealed class {name} : {block.BaseClass ?? ModuleBase}");

        w.Line("/// <summary>Learnable parameters of one block of this shape.</summary>");
        w.Line($"public const long ParameterCount = {Format(block.Parameters)};");
        w.Line();

        var declared = new HashSet<string>();
        foreach (var layer in block.Branch)
        {
            if (layer.Field.Length == 0 || !declared.Add(layer.Field)) continue;
            var (type, doc) = layer.Kind switch
            {
                LayerKind.Conv => ("Conv2d", $"{layer.Kernel}×{layer.Kernel} convolution{(layer.Stride > 1 ? $", stride {layer.Stride}" : "")}{(layer.Groups > 1 ? $", {layer.Groups} groups" : "")}{(layer.Dilation > 1 ? $", dilation {layer.Dilation}" : "")}: {layer.InC} → {layer.OutC} channels."),
                LayerKind.BatchNorm => ("BatchNorm2d", $"Batch norm over {layer.OutC} channels."),
                LayerKind.Relu => ("ReLU", "ReLU (stateless, shared)."),
                _ => ("", ""),
            };
            w.Line($"/// <summary>{(layer.Kind == LayerKind.SqueezeExcite ? $"Squeeze-and-excitation: {layer.InC} → {layer.Reduced} → {layer.InC}." : doc)}</summary>");
            w.Line(layer.Kind == LayerKind.SqueezeExcite
                ? $"public readonly SqueezeExcite {layer.Field};"
                : $"public readonly {Modules}.{type} {layer.Field};");
            w.Line();
        }
        if (block.PostActivation == ActivationKind.Relu && declared.Add("relu"))
        {
            w.Line("/// <summary>ReLU (stateless, shared).</summary>");
            w.Line($"public readonly {Modules}.ReLU relu;");
            w.Line();
        }
        var hasDownsample = block.Shortcut.Kind is ResolvedShortcut.Projection or ResolvedShortcut.AvgDown;
        if (hasDownsample)
        {
            w.Line(block.Shortcut.Kind == ResolvedShortcut.Projection
                ? $"/// <summary>Projection shortcut: 1×1 convolution{(block.Shortcut.Stride > 1 ? $" (stride {block.Shortcut.Stride})" : "")} {block.Shortcut.InC} → {block.Shortcut.OutC}, then batch norm.</summary>"
                : $"/// <summary>ResNet-D shortcut: {(block.Shortcut.Stride > 1 ? $"{block.Shortcut.Stride}×{block.Shortcut.Stride} average pool, " : "identity pool, ")}1×1 convolution {block.Shortcut.InC} → {block.Shortcut.OutC}, batch norm.</summary>");
            w.Line($"public readonly {Modules}.Sequential downsample;");
            w.Line();
        }
        var dropPath = model.DropPath > 0;
        if (dropPath)
        {
            w.Line("/// <summary>Stochastic-depth rate of this block (drop path, per sample, training only).</summary>");
            w.Line("public readonly double drop_path;");
            w.Line();
        }

        // constructor
        w.Line($"/// <summary>Creates the block{(dropPath ? " with its drop-path rate" : "")}.</summary>");
        if (dropPath) w.Line("/// <param name=\"drop_path\">Probability of dropping the residual branch of a sample in training.</param>");
        w.Open($"public {name}({(dropPath ? "double drop_path = 0.0" : "")}) : base(nameof({name}))");
        var registered = new HashSet<string>();
        void RegisterRelu()
        {
            if (registered.Add("relu")) Register(w, "relu", $"new {Modules}.ReLU()");
        }
        foreach (var layer in block.Branch)
        {
            if (layer.Field.Length == 0 || registered.Contains(layer.Field)) continue;
            switch (layer.Kind)
            {
                case LayerKind.Conv:
                    registered.Add(layer.Field);
                    Register(w, layer.Field, ConvNew(layer.InC, layer.OutC, layer.Kernel, layer.Stride, layer.Padding, layer.Dilation, layer.Groups, layer.Bias));
                    break;
                case LayerKind.BatchNorm:
                    registered.Add(layer.Field);
                    Register(w, layer.Field, $"new {Modules}.BatchNorm2d({layer.OutC})");
                    break;
                case LayerKind.Relu:
                    RegisterRelu();
                    break;
                case LayerKind.SqueezeExcite:
                    registered.Add(layer.Field);
                    Register(w, layer.Field, $"new SqueezeExcite({layer.InC}, {layer.Reduced})");
                    break;
            }
        }
        if (block.PostActivation == ActivationKind.Relu) RegisterRelu();
        if (hasDownsample)
        {
            var s = block.Shortcut;
            w.Line($"downsample = new {Modules}.Sequential(");
            w.Indent();
            if (s.Kind == ResolvedShortcut.AvgDown)
            {
                w.Line(s.Stride > 1
                    ? $"new {Modules}.AvgPool2d({s.Stride}, stride: {s.Stride}, ceil_mode: true, count_include_pad: false),"
                    : $"new {Modules}.Identity(),");
                w.Line(ConvNew(s.InC, s.OutC, 1, 1, 0, 1, 1, false) + ",");
            }
            else
            {
                w.Line(ConvNew(s.InC, s.OutC, 1, s.Stride, 0, 1, 1, false) + ",");
            }
            w.Line($"new {Modules}.BatchNorm2d({s.OutC}));");
            w.Outdent();
            w.Line("register_module(\"downsample\", downsample);");
        }
        if (dropPath) w.Line("this.drop_path = drop_path;");
        w.Close();
        w.Line();

        // forward
        w.Line($"/// <summary>Residual branch plus shortcut: {block.In} → {block.Out}.</summary>");
        w.Line("/// <param name=\"x\">The block input.</param>");
        w.Open($"public override {Tensor} forward({Tensor} x)");
        w.Line("var identity = x;");
        var started = false;
        string Target()
        {
            if (started) return "y = ";
            started = true;
            return "var y = ";
        }
        string Source() => started ? "y" : "x";
        for (var i = 0; i < block.Branch.Count; i++)
        {
            var layer = block.Branch[i];
            var src = Source();
            // Like torchvision's ReLU(inplace=True): a ReLU right after a BatchNorm overwrites the BN's
            // output, which BN's backward never reads. Anywhere else it might be the block's input.
            var afterNorm = i > 0 && block.Branch[i - 1].Kind == LayerKind.BatchNorm;
            var line = layer.Kind switch
            {
                LayerKind.Relu when afterNorm => $"{F}.relu({src}, inplace: true)",
                LayerKind.Conv or LayerKind.BatchNorm or LayerKind.Relu or LayerKind.SqueezeExcite => $"{layer.Field}.call({src})",
                LayerKind.LeakyRelu => $"{F}.leaky_relu({src}, {Double(layer.Value)})",
                LayerKind.MaxPool => $"{F}.max_pool2d({src}, {layer.Kernel}, stride: {layer.Stride}, padding: {layer.Padding})",
                LayerKind.AvgPool => $"{F}.avg_pool2d({src}, {layer.Kernel}, stride: {layer.Stride}, padding: {layer.Padding})",
                _ => $"{F}.dropout({src}, {Double(layer.Value)}, training)",
            };
            w.Line($"{Target()}{line};{Comment(layer.Out)}");
            if (i == block.TapAfter && block.Shortcut.Kind != ResolvedShortcut.Identity)
            {
                w.Line("identity = y; // pre-activated input feeds the shortcut (ResNet v2)");
            }
        }
        if (!started) w.Line("var y = x;");
        switch (block.Shortcut.Kind)
        {
            case ResolvedShortcut.Projection:
            case ResolvedShortcut.AvgDown:
                w.Line($"identity = downsample.call(identity);{Comment(block.Shortcut.Out)}");
                break;
            case ResolvedShortcut.ZeroPad:
                if (block.Shortcut.Stride > 1)
                {
                    var s = block.Shortcut.Stride;
                    w.Line($"identity = identity.slice(2, 0, identity.size(2), {s}).slice(3, 0, identity.size(3), {s});{Comment(block.Shortcut.Out with { C = block.Shortcut.InC })}");
                }
                w.Line($"identity = {F}.pad(identity, new long[] {{ 0, 0, 0, 0, {block.Shortcut.PadBefore}, {block.Shortcut.PadAfter} }});{Comment(block.Shortcut.Out)}");
                break;
        }
        if (dropPath) w.Line($"if (drop_path > 0) y = {F}.drop_path(y, drop_path, training);");
        // torchvision's `out += identity`: in place when the branch ends in a BatchNorm (whose backward
        // never reads its output); otherwise the branch's last output may be needed by autograd.
        var endsInNorm = block.Branch.Count > 0 && block.Branch[block.Branch.Count - 1].Kind == LayerKind.BatchNorm;
        w.Line(endsInNorm ? $"y.add_(identity);{Comment(block.Out)}" : $"y = y + identity;{Comment(block.Out)}");
        switch (block.PostActivation)
        {
            case ActivationKind.Relu:
                w.Line($"y = {F}.relu(y, inplace: true);{Comment(block.Out)}");
                break;
            case ActivationKind.LeakyRelu:
                w.Line($"y = {F}.leaky_relu(y, {Double(block.NegativeSlope)});{Comment(block.Out)}");
                break;
        }
        w.Line("return y;");
        w.Close();
        w.Close();
    }

    private static void EmitSqueezeExcite(IndentedWriter w)
    {
        w.Line("/// <summary>Squeeze-and-excitation (Hu et al., 2018): global average pool, 1×1 conv down, ReLU, 1×1 conv up, sigmoid gate (timm's <c>SEModule</c>).</summary>");
        w.Line(GeneratedCode);
        w.Open($"public sealed class SqueezeExcite : {ModuleBase}");
        w.Line("/// <summary>1×1 convolution reducing the channels.</summary>");
        w.Line($"public readonly {Modules}.Conv2d fc1;");
        w.Line();
        w.Line("/// <summary>1×1 convolution restoring the channels.</summary>");
        w.Line($"public readonly {Modules}.Conv2d fc2;");
        w.Line();
        w.Line("/// <summary>Creates the gate.</summary>");
        w.Line("/// <param name=\"channels\">Channels in and out.</param>");
        w.Line("/// <param name=\"reduced\">Channels of the bottleneck.</param>");
        w.Open("public SqueezeExcite(long channels, long reduced) : base(nameof(SqueezeExcite))");
        Register(w, "fc1", $"new {Modules}.Conv2d(channels, reduced, kernel_size: 1, bias: true)");
        Register(w, "fc2", $"new {Modules}.Conv2d(reduced, channels, kernel_size: 1, bias: true)");
        w.Close();
        w.Line();
        w.Line("/// <summary>Scales each channel of <paramref name=\"x\"/> by its learned gate.</summary>");
        w.Line("/// <param name=\"x\">Feature map [N, C, H, W].</param>");
        w.Open($"public override {Tensor} forward({Tensor} x)");
        w.Line("var s = x.mean(new long[] { 2, 3 }, keepdim: true); // [N, C, 1, 1]");
        w.Line($"s = {F}.relu(fc1.call(s)); // [N, C/r, 1, 1]");
        w.Line("s = fc2.call(s).sigmoid(); // [N, C, 1, 1]");
        w.Line("return x * s; // [N, C, H, W]");
        w.Close();
        w.Close();
    }

    // ------------------------------------------------------------------ custom block bases

    public static GeneratedFile EmitBlockBase(CustomBlockSpec block)
    {
        var w = new IndentedWriter();
        Header(w, $"the attributes on {block.Target.FullName.Replace("global::", "")}");
        var depth = OpenTarget(w, block.Target);
        var name = block.Target.Name;
        var layers = string.Join(" → ", block.Layers.Select(l => l.Kind.ToString()));
        w.Line("/// <summary>");
        w.Line($"/// Custom residual block <c>{name}</c>: {layers}. The generator derives one sealed class per");
        w.Line("/// distinct shape from it, nested in each network that uses it.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"abstract partial class {name} : {ModuleBase}");
        w.Line($"/// <summary>Number of layers in the residual branch.</summary>");
        w.Line($"public const int BranchLayers = {block.Layers.Count};");
        w.Line();
        w.Line("/// <summary>Initialises the module with its name.</summary>");
        w.Line("/// <param name=\"name\">The module name.</param>");
        w.Line($"protected {name}(string name) : base(name)");
        w.Open();
        w.Close();
        w.Close();
        CloseTarget(w, depth);
        return new GeneratedFile(block.Target.HintPrefix + ".Block.g.cs", w.ToString());
    }

    // ------------------------------------------------------------------ helpers

    private static void Header(IndentedWriter w, string from)
    {
        w.Line("// <auto-generated/>");
        w.Line($"// Generated by {ToolName} {ToolVersion} from {from}. Do not edit: change the attributes instead.");
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

    private static string Comment(Shape shape) => $" // {shape}";

    private static string Format(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", "_");

    private static string Human(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Double(double value)
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
