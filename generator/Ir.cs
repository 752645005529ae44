using System;

namespace ResNetGen.Generator;

// ---------------------------------------------------------------------------------------------
// The network IR: target-neutral, equatable, free of symbols and attributes. Lowering builds it
// from a spec; shape inference and counting read it; each emitter dialect prints it. Names in it
// are the registered (state_dict) names of modules, never a target's type names.
// ---------------------------------------------------------------------------------------------

/// <summary>
/// An integer of the IR: a constant, or (inside a block template) a template parameter times
/// <see cref="Factor"/>, divided by <see cref="Divisor"/> (then at least 1), so one block class serves
/// every channel count and stride.
/// </summary>
internal readonly record struct Expr(long Constant, string? Param, long Factor, long Divisor)
{
    /// <summary>
    /// A second parameter term, for the channels of a concatenation of branches that scale differently
    /// (<c>in_channels + planes * 2</c>); then <see cref="Constant"/> adds too, and <see cref="Divisor"/> divides the sum.
    /// </summary>
    public string? Param2 { get; init; }

    public long Factor2 { get; init; }

    public static Expr Of(long value) => new(value, null, 1, 1);

    public static Expr P(string name, long factor = 1, long divisor = 1) => new(0, name, factor, divisor);

    public static readonly Expr One = Of(1);

    public static readonly Expr Zero = Of(0);

    public bool IsConstant => Param is null && Param2 is null;

    public long Eval(EquatableArray<Binding> bindings)
    {
        if (IsConstant) return Constant;
        long Value(string? name)
        {
            if (name is null) return 0;
            var value = 0L;
            foreach (var b in bindings)
            {
                if (b.Name == name) value = b.Value;
            }
            return value;
        }
        var sum = checked(Constant + Value(Param) * Factor + Value(Param2) * Factor2);
        return Divisor > 1 ? Math.Max(1, sum / Divisor) : sum;
    }

    /// <summary>This expression scaled by a constant (a stride multiplied by a layer's own stride).</summary>
    public Expr Times(long factor) => IsConstant
        ? Of(checked(Constant * factor))
        : this with { Constant = checked(Constant * factor), Factor = checked(Factor * factor), Factor2 = checked(Factor2 * factor) };
}

/// <summary>The value of one template parameter in one block instance.</summary>
internal sealed record Binding(string Name, long Value);

/// <summary>The layers (and joins) a network is built from.</summary>
internal enum Op
{
    /// <summary>2-d convolution (kernel, stride, padding, dilation, groups, bias).</summary>
    Conv,
    BatchNorm,
    Relu,
    LeakyRelu,
    Sigmoid,
    MaxPool,
    AvgPool,
    /// <summary>Adaptive average pool to <see cref="Node.OutH"/> × <see cref="Node.OutW"/>.</summary>
    AdaptiveAvgPool,
    Dropout,
    /// <summary>Stochastic depth on a residual branch (rate from the template parameter <c>drop_path</c>).</summary>
    DropPath,
    Linear,
    Flatten,
    SqueezeExcite,
    /// <summary>Option-A shortcut: subsample by the stride, zero-pad the channels up to OutC.</summary>
    ZeroPad,
    /// <summary>An ordered container of <see cref="Node.Body"/> (children named 0, 1, ...).</summary>
    Sequential,
    Identity,
    /// <summary>A block's shortcut: the block's <c>downsample</c> module applied to Inputs[0] when the
    /// block instance has one, else the block input.</summary>
    Shortcut,
    /// <summary>Elementwise sum of the inputs: the residual join (the Add that reads the <see cref="Shortcut"/> node), or a [Join(Add)] of parallel branches.</summary>
    Add,
    /// <summary>Channel concatenation of the inputs (dense layers; a [Join(Concat)] of parallel branches, with the summed channels in <see cref="Node.OutC"/>).</summary>
    Concat,
    /// <summary>Highway gate y = H·T + x·(1 − T) of Inputs [H, T, x] (not lowered into yet).</summary>
    Gate,
    /// <summary>Sub-pixel upsampling: [N, C·r², H, W] → [N, C, H·r, W·r], the factor r in <see cref="Node.Kernel"/>; no parameters.</summary>
    PixelShuffle,
}

/// <summary>
/// One node of a graph. <see cref="Inputs"/> index earlier nodes of the same graph; -1 is the graph's
/// input. A named node is a registered module (field); an unnamed one is a functional call.
/// </summary>
internal sealed record Node(Op Op, string Name, EquatableArray<int> Inputs)
{
    public Expr InC { get; init; } = Expr.Zero;
    public Expr OutC { get; init; } = Expr.Zero;
    public int Kernel { get; init; }
    public Expr Stride { get; init; } = Expr.One;
    public Expr Padding { get; init; } = Expr.Zero;
    public Expr Dilation { get; init; } = Expr.One;
    public Expr Groups { get; init; } = Expr.One;
    public bool Bias { get; init; }
    /// <summary>Dropout probability, leaky-ReLU slope.</summary>
    public double Value { get; init; }
    /// <summary>Squeeze-excite bottleneck channels.</summary>
    public Expr Reduced { get; init; } = Expr.Zero;
    public bool CeilMode { get; init; }
    public bool CountIncludePad { get; init; } = true;
    /// <summary>ReLU may overwrite its input; Add may accumulate into its first input.</summary>
    public bool InPlace { get; init; }
    /// <summary>Adaptive pool output size (height, width).</summary>
    public int OutH { get; init; }
    public int OutW { get; init; }
    /// <summary>Children of a <see cref="Op.Sequential"/>.</summary>
    public Graph? Body { get; init; }

    public static EquatableArray<int> From(params int[] inputs) => inputs.ToEquatableArray();
}

/// <summary>A small graph: nodes in evaluation order; the last node is the output.</summary>
internal sealed record Graph(EquatableArray<Node> Nodes)
{
    public static readonly Graph Empty = new(EquatableArray<Node>.Empty);

    public Node? Last => Nodes.Count == 0 ? null : Nodes[Nodes.Count - 1];
}

internal enum ParamType { Long, Double }

/// <summary>A constructor parameter of a block class (and its default, 0 = required).</summary>
internal sealed record TemplateParam(string Name, ParamType Type, long Default, bool Required);

/// <summary>
/// One block class: its parameters and its body (branch, <see cref="Op.Shortcut"/>, <see cref="Op.Add"/>,
/// post-activation) written with <see cref="Expr"/> parameters. Every block instance of a network binds
/// the parameters; the class is written once.
/// </summary>
internal sealed record BlockTemplate(
    string ClassName, string Description, EquatableArray<TemplateParam> Params, Graph Body,
    string? ZeroInitField, TypeTarget? UserClass)
{
    /// <summary>A user's [ResidualBlock] class: emitted into its own file, referenced by full name.</summary>
    public bool IsUserClass => UserClass is not null;

    /// <summary>How networks refer to the class.</summary>
    public string Reference => UserClass?.FullName ?? ClassName;
}

/// <summary>One block of a stage: its class, its arguments, its shortcut module (null = identity).</summary>
internal sealed record BlockUse(int Template, EquatableArray<Binding> Args, Node? Downsample, double DropPath);

/// <summary>A stage: an optional transition (run before the first block), then the blocks.</summary>
internal sealed record StageIr(string Field, Graph Transition, EquatableArray<BlockUse> Blocks);

/// <summary>
/// A lowered network. Stem, transitions and head are graphs of network-level modules (their named
/// nodes become the network's fields, in torchvision's names); the stages hold block instances.
/// Heights and widths are separate throughout, so non-square inputs need no change here.
/// </summary>
internal sealed record NetworkIr(
    TypeTarget Target, string Description,
    int InChannels, int InputHeight, int InputWidth, int NumClasses,
    Graph Stem, EquatableArray<StageIr> Stages, Graph Head,
    EquatableArray<BlockTemplate> Blocks, bool ZeroInitResidual)
{
    public int InputSize => InputHeight == InputWidth ? InputHeight : 0;

    /// <summary>A DenseNet: emitted in torchvision's DenseNet layout (<c>features</c>, <c>classifier</c>).</summary>
    public bool DenseLayout { get; init; }

    /// <summary>torchvision's initialisation, or each layer's PyTorch default (no re-initialisation).</summary>
    public WeightInit Init { get; init; }

    /// <summary>
    /// [FeatureFusion]'s 1×1 convolution (the field <c>fusion</c>), or null. It reads the concatenation of
    /// every block's output (stage by stage) and then the stem's output; the head reads its output.
    /// </summary>
    public Node? Fusion { get; init; }

    /// <summary>[Reconstruction]'s upscaling factor (0: none); the head is then the image-output tail.</summary>
    public int Scale { get; init; }

    /// <summary>The network outputs an image (a [Reconstruction] tail), not a vector.</summary>
    public bool ImageOutput => Scale > 0;
}
