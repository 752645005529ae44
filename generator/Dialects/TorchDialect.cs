using System;
using System.Linq;

namespace ResNetGen.Generator;

/// <summary>ResNetGen.Torch, this project's own libtorch binding (ResNetGen.Runtime).</summary>
internal sealed class TorchDialect : Dialect
{
    public static readonly TorchDialect Instance = new();

    private const string T = "global::ResNetGen.Torch.Tensor";
    private const string M = "global::ResNetGen.Torch.Modules";
    private const string F = "global::ResNetGen.Torch.torch.nn.functional";
    private const string Init = "global::ResNetGen.Torch.torch.nn.init";

    public override string Name => "ResNetGen.Torch";

    public override string Tensor => T;

    public override string ModuleBase => $"global::ResNetGen.Torch.Module<{T}, {T}>";

    public override string SequentialType => $"{M}.Sequential";

    public override string SequentialOpen => $"new {M}.Sequential(";

    public override string ConvType => $"{M}.Conv2d";

    public override string BatchNormType => $"{M}.BatchNorm2d";

    public override string ModuleType(Node node) => $"{M}.{TypeName(node.Op)}";

    private static string TypeName(Op op) => op switch
    {
        Op.Conv => "Conv2d",
        Op.BatchNorm => "BatchNorm2d",
        Op.Relu => "ReLU",
        Op.LeakyRelu => "LeakyReLU",
        Op.MaxPool => "MaxPool2d",
        Op.AvgPool => "AvgPool2d",
        Op.AdaptiveAvgPool => "AdaptiveAvgPool2d",
        Op.Linear => "Linear",
        Op.Sequential => "Sequential",
        Op.Identity => "Identity",
        Op.Dropout => "Dropout",
        Op.Flatten => "Flatten",
        Op.SqueezeExcite => "SqueezeExcite",
        Op.ZeroPad => "ZeroPadShortcut",
        Op.PixelShuffle => "PixelShuffle",
        _ => throw new InvalidOperationException($"{op} is not a module"),
    };

    public override string Create(Node n, Func<Expr, string> expr) => n.Op switch
    {
        Op.Conv => $"new {M}.Conv2d({ConvArgs(n, expr, "kernel_size", "bias")})",
        Op.BatchNorm => $"new {M}.BatchNorm2d({expr(n.OutC)})",
        Op.Relu => n.InPlace ? $"new {M}.ReLU(inplace: true)" : $"new {M}.ReLU()",
        Op.LeakyRelu => $"new {M}.LeakyReLU({Emitter.Double(n.Value)})",
        Op.MaxPool => $"new {M}.MaxPool2d({n.Kernel}, stride: {expr(n.Stride)}, padding: {expr(n.Padding)})",
        Op.AvgPool => $"new {M}.AvgPool2d({n.Kernel}, stride: {expr(n.Stride)}{(n.Padding != Expr.Zero ? $", padding: {expr(n.Padding)}" : "")}{(n.CeilMode ? ", ceil_mode: true" : "")}{(n.CountIncludePad ? "" : ", count_include_pad: false")})",
        Op.AdaptiveAvgPool => $"new {M}.AdaptiveAvgPool2d({n.OutH}, {n.OutW})",
        Op.Linear => $"new {M}.Linear({expr(n.InC)}, {expr(n.OutC)}{(n.Bias ? "" : ", bias: false")})",
        Op.Sequential => $"new {M}.Sequential({string.Join(", ", (n.Body ?? Graph.Empty).Nodes.Select(c => Create(c, expr)))})",
        Op.Identity => $"new {M}.Identity()",
        Op.Dropout => $"new {M}.Dropout({Emitter.Double(n.Value)})",
        Op.Flatten => $"new {M}.Flatten()",
        Op.SqueezeExcite => $"new {M}.SqueezeExcite({expr(n.OutC)}, {expr(n.Reduced)})",
        Op.ZeroPad => $"new {M}.ZeroPadShortcut({expr(n.Stride)}, {expr(n.OutC)})",
        Op.PixelShuffle => $"new {M}.PixelShuffle({n.Kernel})",
        _ => throw new InvalidOperationException($"{n.Op} is not a module"),
    };

    public override string Relu(string x, bool inPlace) => inPlace ? $"{F}.relu({x}, inplace: true)" : $"{F}.relu({x})";

    public override string LeakyRelu(string x, string slope) => $"{F}.leaky_relu({x}, {slope})";

    public override string MaxPool(string x, int kernel, string stride, string padding) => $"{F}.max_pool2d({x}, {kernel}, stride: {stride}, padding: {padding})";

    public override string AvgPool(string x, int kernel, string stride, string padding) => $"{F}.avg_pool2d({x}, {kernel}, stride: {stride}, padding: {padding})";

    public override string Dropout(string x, string p) => $"{F}.dropout({x}, {p}, training)";

    public override string PixelShuffle(string x, int factor) => $"{F}.pixel_shuffle({x}, {factor})";

    public override string Cat(params string[] xs) => $"global::ResNetGen.Torch.torch.cat(new[] {{ {string.Join(", ", xs)} }}, 1)";

    public override string AdaptiveAvgPool(string x, int h, int w) => $"{F}.adaptive_avg_pool2d({x}, {h}, {w})";

    public override string DropPath(string x, string rate) => $"{F}.drop_path({x}, {rate}, training)";

    public override string KaimingNormalFanOut(string weight) =>
        $"{Init}.kaiming_normal_({weight}, mode: global::ResNetGen.Torch.FanMode.FanOut, nonlinearity: global::ResNetGen.Torch.Nonlinearity.ReLU)";

    public override string Fill(string tensor, string value) => $"{Init}.constant_({tensor}, {value})";

    public override string KaimingNormalFanIn(string weight) =>
        $"{Init}.kaiming_normal_({weight}, mode: global::ResNetGen.Torch.FanMode.FanIn, nonlinearity: global::ResNetGen.Torch.Nonlinearity.ReLU)";

    public override string Constant(string tensor, int value) => value == 0 ? $"{Init}.zeros_({tensor})" : $"{Init}.constant_({tensor}, {value})";
}
