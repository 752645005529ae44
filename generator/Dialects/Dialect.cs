using System;
using System.Collections.Generic;
using System.Text;

namespace ResNetGen.Generator;

/// <summary>
/// What an emitter needs to know about one target: its type names, factories and functional calls.
/// Every name of a target lives in its dialect (as dotnet/runtime's generators keep their well-known
/// type names in one place); the emitter core and everything before it stay target-neutral.
/// </summary>
internal abstract class Dialect
{
    public static Dialect For(TargetKind kind) => kind == TargetKind.TorchSharp ? TorchSharpDialect.Instance : TorchDialect.Instance;

    /// <summary>The target's name in the generated header.</summary>
    public abstract string Name { get; }

    public abstract string Tensor { get; }

    /// <summary><c>Module&lt;Tensor, Tensor&gt;</c> of the target.</summary>
    public abstract string ModuleBase { get; }

    public abstract string SequentialType { get; }

    /// <summary>The start of a multi-line Sequential construction (its arguments follow, one per line).</summary>
    public abstract string SequentialOpen { get; }

    public abstract string ConvType { get; }

    public abstract string BatchNormType { get; }

    /// <summary>The field type of a named node.</summary>
    public abstract string ModuleType(Node node);

    /// <summary>An expression constructing the module of <paramref name="node"/>; integers printed by <paramref name="expr"/>.</summary>
    public abstract string Create(Node node, Func<Expr, string> expr);

    public abstract string Relu(string x, bool inPlace);

    public abstract string LeakyRelu(string x, string slope);

    public abstract string MaxPool(string x, int kernel, string stride, string padding);

    public abstract string AvgPool(string x, int kernel, string stride, string padding);

    /// <summary>Dropout, active in training only.</summary>
    public abstract string Dropout(string x, string p);

    /// <summary>Functional sub-pixel upsampling: <c>[N, C·r², H, W] → [N, C, H·r, W·r]</c>.</summary>
    public abstract string PixelShuffle(string x, int factor);

    /// <summary>Channel concatenation (dim 1) of the tensors, in order.</summary>
    public abstract string Cat(params string[] xs);

    /// <summary>Functional adaptive average pool to <paramref name="h"/> × <paramref name="w"/>.</summary>
    public abstract string AdaptiveAvgPool(string x, int h, int w);

    /// <summary>Stochastic depth with the rate held in the field <paramref name="rate"/>.</summary>
    public abstract string DropPath(string x, string rate);

    /// <summary>torchvision's convolution init: Kaiming normal, fan-out, ReLU gain.</summary>
    public abstract string KaimingNormalFanOut(string weight);

    public abstract string Constant(string tensor, int value);

    /// <summary>Fills a tensor with a real constant (a highway gate's initial bias).</summary>
    public abstract string Fill(string tensor, string value);

    /// <summary>PyTorch's default <c>kaiming_normal_</c> (fan-in, gain √2), as torchvision's DenseNet initialises its convolutions.</summary>
    public abstract string KaimingNormalFanIn(string weight);

    /// <summary>Lines of a helper class the target lacks for the option-A shortcut (nested in the network), or null.</summary>
    public virtual IEnumerable<string>? ZeroPadHelper => null;

    /// <summary>Convolution arguments after the channels, PyTorch's names, defaults left out.</summary>
    protected static string ConvArgs(Node n, Func<Expr, string> expr, string kernelName, string biasName)
    {
        var sb = new StringBuilder($"{expr(n.InC)}, {expr(n.OutC)}, {kernelName}: {n.Kernel}");
        if (n.Stride != Expr.One) sb.Append($", stride: {expr(n.Stride)}");
        if (n.Padding != Expr.Zero) sb.Append($", padding: {expr(n.Padding)}");
        if (n.Dilation != Expr.One) sb.Append($", dilation: {expr(n.Dilation)}");
        if (n.Groups != Expr.One) sb.Append($", groups: {expr(n.Groups)}");
        sb.Append($", {biasName}: {(n.Bias ? "true" : "false")}");
        return sb.ToString();
    }
}
