using System;
using System.Collections.Generic;
using System.Linq;

namespace ResNetGen.Generator;

/// <summary>
/// TorchSharp 0.107 (modules from the <c>torch.nn</c> factories; their constructors are internal) plus
/// the fixed modules of ResNetGen.TorchSharp. Field name = registered name and no Tensor fields, because
/// TorchSharp's <c>register_module</c> reflects over fields.
/// </summary>
internal sealed class TorchSharpDialect : Dialect
{
    public static readonly TorchSharpDialect Instance = new();

    private const string T = "global::TorchSharp.torch.Tensor";
    private const string Nn = "global::TorchSharp.torch.nn";
    private const string M = "global::TorchSharp.Modules";
    private const string F = "global::TorchSharp.torch.nn.functional";
    private const string Init = "global::TorchSharp.torch.nn.init";
    private const string Helpers = "global::ResNetGen.TorchSharp";

    public override string Name => "TorchSharp";

    public override string Tensor => T;

    public override string ModuleBase => $"{Nn}.Module<{T}, {T}>";

    public override string SequentialType => $"{M}.Sequential";

    public override string SequentialOpen => $"{Nn}.Sequential(";

    public override string ConvType => $"{M}.Conv2d";

    public override string BatchNormType => $"{M}.BatchNorm2d";

    public override string ModuleType(Node node) => node.Op switch
    {
        Op.SqueezeExcite => $"{Helpers}.SqueezeExcite",
        Op.ZeroPad => "ZeroPadShortcut",
        _ => $"{M}.{TypeName(node.Op)}",
    };

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
        Op.PixelShuffle => "PixelShuffle",
        _ => throw new InvalidOperationException($"{op} is not a module"),
    };

    /// <summary>ResNetGen.TorchSharp's factories take <c>int</c> channel counts.</summary>
    private static string AsInt(string value) => int.TryParse(value, out _) ? value : $"(int)({value})";

    public override string Create(Node n, Func<Expr, string> expr) => n.Op switch
    {
        Op.Conv => $"{Nn}.Conv2d({ConvArgs(n, expr, "kernel_size", "bias")})",
        Op.BatchNorm => $"{Nn}.BatchNorm2d({expr(n.OutC)})",
        Op.Relu => n.InPlace ? $"{Nn}.ReLU(inplace: true)" : $"{Nn}.ReLU()",
        Op.LeakyRelu => $"{Nn}.LeakyReLU({Emitter.Double(n.Value)})",
        Op.MaxPool => $"{Nn}.MaxPool2d({n.Kernel}, stride: {expr(n.Stride)}, padding: {expr(n.Padding)})",
        Op.AvgPool => $"{Nn}.AvgPool2d({n.Kernel}, stride: {expr(n.Stride)}{(n.Padding != Expr.Zero ? $", padding: {expr(n.Padding)}" : "")}{(n.CeilMode ? ", ceil_mode: true" : "")}{(n.CountIncludePad ? "" : ", count_include_pad: false")})",
        Op.AdaptiveAvgPool => n.OutH == n.OutW ? $"{Nn}.AdaptiveAvgPool2d({n.OutH})" : $"{Nn}.AdaptiveAvgPool2d(({n.OutH}, {n.OutW}))",
        Op.Linear => $"{Nn}.Linear({expr(n.InC)}, {expr(n.OutC)}{(n.Bias ? "" : ", hasBias: false")})",
        Op.Sequential => $"{Nn}.Sequential({string.Join(", ", (n.Body ?? Graph.Empty).Nodes.Select(c => Create(c, expr)))})",
        Op.Identity => $"{Nn}.Identity()",
        Op.Dropout => $"{Nn}.Dropout({Emitter.Double(n.Value)})",
        Op.Flatten => $"{Nn}.Flatten()",
        Op.SqueezeExcite => $"{Helpers}.Layers.SqueezeExcite({AsInt(expr(n.OutC))}, {AsInt(expr(n.Reduced))})",
        Op.ZeroPad => $"new ZeroPadShortcut({expr(n.Stride)}, {expr(n.OutC)})",
        Op.PixelShuffle => $"{Nn}.PixelShuffle({n.Kernel})",
        _ => throw new InvalidOperationException($"{n.Op} is not a module"),
    };

    public override string Relu(string x, bool inPlace) => inPlace ? $"{F}.relu({x}, inplace: true)" : $"{F}.relu({x})";

    public override string LeakyRelu(string x, string slope) => $"{F}.leaky_relu({x}, {slope})";

    public override string MaxPool(string x, int kernel, string stride, string padding) => $"{F}.max_pool2d({x}, {kernel}, {stride}, {padding})";

    public override string AvgPool(string x, int kernel, string stride, string padding) => $"{F}.avg_pool2d({x}, {kernel}, {stride}, {padding})";

    public override string Dropout(string x, string p) => $"{F}.dropout({x}, {p}, training)";

    public override string PixelShuffle(string x, int factor) => $"{F}.pixel_shuffle({x}, {factor})";

    public override string Cat(params string[] xs) => $"global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", xs)} }}, 1)";

    public override string AdaptiveAvgPool(string x, int h, int w) => $"{F}.adaptive_avg_pool2d({x}, new long[] {{ {h}, {w} }})";

    public override string DropPath(string x, string rate) => $"{Helpers}.Functional.drop_path({x}, {rate}, training)";

    public override string KaimingNormalFanOut(string weight) =>
        $"{Init}.kaiming_normal_({weight}, mode: {Init}.FanInOut.FanOut, nonlinearity: {Init}.NonlinearityType.ReLU)";

    public override string Fill(string tensor, string value) => $"{Init}.constant_({tensor}, {value})";

    public override string KaimingNormalFanIn(string weight) =>
        $"{Init}.kaiming_normal_({weight}, mode: {Init}.FanInOut.FanIn, nonlinearity: {Init}.NonlinearityType.ReLU)";

    public override string Constant(string tensor, int value) => value == 0 ? $"{Init}.zeros_({tensor})" : $"{Init}.constant_({tensor}, {value})";

    public override IEnumerable<string> ZeroPadHelper => new[]
    {
        "/// <summary>Option-A shortcut as a module, so a block takes it like any other <c>downsample</c> (no parameters, no state).</summary>",
        $"private sealed class ZeroPadShortcut : {ModuleBase}",
        "{",
        "    private readonly int stride;",
        "    private readonly int out_channels;",
        "",
        "    public ZeroPadShortcut(long stride, long out_channels) : base(nameof(ZeroPadShortcut))",
        "    {",
        "        this.stride = (int)stride;",
        "        this.out_channels = (int)out_channels;",
        "    }",
        "",
        $"    public override {T} forward({T} x) => {Helpers}.Functional.zero_pad_shortcut(x, stride, out_channels);",
        "}",
    };
}
