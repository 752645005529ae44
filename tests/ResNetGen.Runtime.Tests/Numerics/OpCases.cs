using ResNetGen.Torch;
using F = ResNetGen.Torch.torch.nn.functional;
using Init = ResNetGen.Torch.torch.nn.init;

namespace ResNetGen.Runtime.Tests.Numerics;

/// <summary>Every op the foundation issue lists, with the PyTorch expression it must equal.</summary>
public static class OpCases
{
    private static OpInput In(string name, params long[] shape) => new(name, () => torch.randn(shape));
    private static OpInput Fixed(string name, Func<Tensor> make) => new(name, make, Grad: false);
    private static Tensor[] One(Tensor t) => [t];

    public static readonly OpCase[] All =
    [
        // ---- convolution ----
        new("conv2d", [In("x", 2, 3, 9, 9), In("w", 4, 3, 3, 3), In("b", 4)],
            a => One(F.conv2d(a[0], a[1], a[2])), "F.conv2d(x, w, b)"),
        new("conv2d stride 2 padding 1 no bias", [In("x", 2, 3, 9, 9), In("w", 5, 3, 3, 3)],
            a => One(F.conv2d(a[0], a[1], null, stride: 2, padding: 1)), "F.conv2d(x, w, None, stride=2, padding=1)"),
        new("conv2d dilation 2", [In("x", 1, 2, 11, 11), In("w", 3, 2, 3, 3)],
            a => One(F.conv2d(a[0], a[1], null, padding: 2, dilation: 2)), "F.conv2d(x, w, None, padding=2, dilation=2)"),
        new("conv2d groups 2", [In("x", 2, 4, 7, 7), In("w", 6, 2, 3, 3), In("b", 6)],
            a => One(F.conv2d(a[0], a[1], a[2], padding: 1, groups: 2)), "F.conv2d(x, w, b, padding=1, groups=2)"),
        new("conv2d 1x1 stride 2 (projection shortcut)", [In("x", 2, 4, 8, 8), In("w", 8, 4, 1, 1)],
            a => One(F.conv2d(a[0], a[1], null, stride: 2)), "F.conv2d(x, w, None, stride=2)"),

        // ---- batch norm: outputs, gradients and the running statistics it updates ----
        new("batch_norm train updates running stats",
            [In("x", 4, 3, 5, 5), In("w", 3), In("b", 3), Fixed("rm", () => torch.zeros([3])), Fixed("rv", () => torch.ones([3]))],
            a => [F.batch_norm(a[0], a[3], a[4], a[1], a[2], training: true, momentum: 0.1, eps: 1e-5), a[3].clone(), a[4].clone()],
            "(F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5), rm.clone(), rv.clone())"),
        new("batch_norm eval uses running stats",
            [In("x", 4, 3, 5, 5), In("w", 3), In("b", 3), Fixed("rm", () => torch.randn([3])), Fixed("rv", () => torch.rand([3]) + 0.5)],
            a => One(F.batch_norm(a[0], a[3], a[4], a[1], a[2], training: false, eps: 1e-3)),
            "F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-3)"),

        // ---- activations ----
        new("relu", [In("x", 3, 4)], a => One(F.relu(a[0])), "F.relu(x)"),
        new("relu_ in place", [In("x", 3, 4)], a => One(F.relu(a[0] * 1.0, inplace: true)), "F.relu(x * 1.0, inplace=True)"),
        new("leaky_relu", [In("x", 3, 4)], a => One(F.leaky_relu(a[0], 0.2)), "F.leaky_relu(x, 0.2)"),
        new("sigmoid", [In("x", 3, 4)], a => One(a[0].sigmoid()), "torch.sigmoid(x)"),

        // ---- pooling ----
        new("max_pool2d 3x3/2 pad 1", [In("x", 2, 3, 9, 9)], a => One(F.max_pool2d(a[0], 3, 2, 1)), "F.max_pool2d(x, 3, 2, 1)"),
        new("avg_pool2d 2x2", [In("x", 2, 3, 8, 8)], a => One(F.avg_pool2d(a[0], 2)), "F.avg_pool2d(x, 2)"),
        new("avg_pool2d 3x3/2 pad 1 ceil, pad excluded", [In("x", 2, 3, 8, 8)],
            a => One(F.avg_pool2d(a[0], 3, 2, 1, ceil_mode: true, count_include_pad: false)),
            "F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)"),
        new("adaptive_avg_pool2d 1x1", [In("x", 2, 5, 7, 7)], a => One(F.adaptive_avg_pool2d(a[0], 1, 1)), "F.adaptive_avg_pool2d(x, 1)"),
        new("adaptive_avg_pool2d 3x2", [In("x", 2, 5, 7, 8)], a => One(F.adaptive_avg_pool2d(a[0], 3, 2)), "F.adaptive_avg_pool2d(x, (3, 2))"),
        new("adaptive_max_pool2d 2x2", [In("x", 2, 5, 7, 7)], a => One(F.adaptive_max_pool2d(a[0], 2, 2)), "F.adaptive_max_pool2d(x, 2)"),

        // ---- linear, arithmetic ----
        new("linear", [In("x", 5, 7), In("w", 3, 7), In("b", 3)], a => One(F.linear(a[0], a[1], a[2])), "F.linear(x, w, b)"),
        new("add with alpha", [In("a", 3, 4), In("b", 3, 4)], a => One(a[0].add(a[1], alpha: 0.5)), "torch.add(a, b, alpha=0.5)"),
        new("add broadcast", [In("a", 3, 4), In("b", 4)], a => One(a[0] + a[1]), "a + b"),
        new("add_ in place", [In("a", 3, 4), In("b", 3, 4)], a => One((a[0] * 1.0).add_(a[1])), "(a * 1.0).add_(b)"),
        new("mul", [In("a", 3, 4), In("b", 3, 4)], a => One(a[0] * a[1]), "a * b"),
        new("mul_ in place", [In("a", 3, 4), In("b", 3, 4)], a => One((a[0] * 1.0).mul_(a[1])), "(a * 1.0).mul_(b)"),
        new("sub, div, scalar ops", [In("a", 3, 4), In("b", 3, 4)],
            a => One((a[0] - a[1]) / (a[1].abs() + 1.0) * 3.0 - 2.0), "(a - b) / (b.abs() + 1.0) * 3.0 - 2.0"),

        // ---- shape ----
        new("cat", [In("a", 2, 3), In("b", 4, 3)], a => One(torch.cat([a[0], a[1]], 0)), "torch.cat([a, b], 0)"),
        new("cat dim 1", [In("a", 2, 3, 2, 2), In("b", 2, 1, 2, 2)], a => One(torch.cat([a[0], a[1]], 1)), "torch.cat([a, b], 1)"),
        new("flatten", [In("x", 2, 3, 4, 5)], a => One(a[0].flatten(1)), "torch.flatten(x, 1)"),
        new("view", [In("x", 2, 3, 4)], a => One(a[0].view(6, 4)), "x.view(6, 4)"),
        new("reshape after permute", [In("x", 2, 3, 4)], a => One(a[0].permute(2, 0, 1).reshape(4, 6)), "x.permute(2, 0, 1).reshape(4, 6)"),
        new("permute", [In("x", 2, 3, 4, 5)], a => One(a[0].permute(0, 2, 3, 1)), "x.permute(0, 2, 3, 1)"),
        new("pixel_shuffle 2", [In("x", 2, 8, 3, 5)], a => One(F.pixel_shuffle(a[0], 2)), "F.pixel_shuffle(x, 2)"),
        new("pixel_shuffle 3", [In("x", 1, 18, 2, 4)], a => One(F.pixel_shuffle(a[0], 3)), "F.pixel_shuffle(x, 3)"),
        new("pixel_shuffle 2, 5-d batch", [In("x", 2, 3, 4, 2, 2)], a => One(F.pixel_shuffle(a[0], 2)), "F.pixel_shuffle(x, 2)"),
        new("strided slice (option A subsample)", [In("x", 2, 3, 8, 8)],
            a => One(a[0].slice(2, 0, 8, 2).slice(3, 0, 8, 2)), "x[:, :, ::2, ::2]"),
        new("pad channels with zeros (option A)", [In("x", 2, 3, 4, 4)],
            a => One(F.pad(a[0], [0, 0, 0, 0, 2, 3])), "F.pad(x, (0, 0, 0, 0, 2, 3))"),
        new("pad spatial with a value", [In("x", 2, 3, 4, 4)], a => One(F.pad(a[0], [1, 2, 0, 1], 0.5)), "F.pad(x, (1, 2, 0, 1), value=0.5)"),

        // ---- random ops: same seed, same generator, same numbers ----
        new("dropout (same seed, same mask)", [In("x", 4, 50)], a => One(F.dropout(a[0], 0.3, training: true)),
            "F.dropout(x, 0.3, training=True)", Seed: 11),
        new("dropout in eval is the identity", [In("x", 4, 5)], a => One(F.dropout(a[0], 0.3, training: false)),
            "F.dropout(x, 0.3, training=False)"),

        // ---- losses and normalisers ----
        new("cross_entropy", [In("x", 6, 5), Fixed("y", () => torch.tensor(new long[] { 0, 4, 2, 2, 1, 3 }))],
            a => One(F.cross_entropy(a[0], a[1])), "F.cross_entropy(x, y)"),
        new("cross_entropy label smoothing 0.1", [In("x", 6, 5), Fixed("y", () => torch.tensor(new long[] { 0, 4, 2, 2, 1, 3 }))],
            a => One(F.cross_entropy(a[0], a[1], label_smoothing: 0.1)), "F.cross_entropy(x, y, label_smoothing=0.1)"),
        new("cross_entropy sum", [In("x", 6, 5), Fixed("y", () => torch.tensor(new long[] { 0, 4, 2, 2, 1, 3 }))],
            a => One(F.cross_entropy(a[0], a[1], reduction: Reduction.Sum)), "F.cross_entropy(x, y, reduction='sum')"),
        new("softmax", [In("x", 4, 6)], a => One(F.softmax(a[0], 1)), "F.softmax(x, 1)"),
        new("log_softmax", [In("x", 4, 6)], a => One(F.log_softmax(a[0], -1)), "F.log_softmax(x, -1)"),

        // ---- reductions and queries ----
        new("sum", [In("x", 3, 4)], a => One(a[0].sum()), "x.sum()"),
        new("sum over dims keepdim", [In("x", 2, 3, 4)], a => One(a[0].sum([0, 2], keepdim: true)), "x.sum((0, 2), keepdim=True)"),
        new("mean", [In("x", 3, 4)], a => One(a[0].mean()), "x.mean()"),
        new("mean over spatial dims", [In("x", 2, 3, 4, 4)], a => One(a[0].mean([2, 3])), "x.mean((2, 3))"),
        new("argmax", [Fixed("x", () => torch.randn([5, 7]))], a => One(a[0].argmax(1)), "x.argmax(1)"),
        new("topk", [In("x", 4, 9)], a => { var (v, i) = a[0].topk(3, 1); return [v, i]; }, "torch.topk(x, 3, 1)"),
        new("eq", [Fixed("a", () => torch.randint(0, 3, [20])), Fixed("b", () => torch.randint(0, 3, [20]))],
            a => One(a[0].eq(a[1])), "a.eq(b)"),

        // ---- initialisers: same seed, same draws ----
        new("kaiming_normal_ fan_out relu", [], _ => One(Init.kaiming_normal_(torch.empty([16, 8, 3, 3]), mode: FanMode.FanOut, nonlinearity: Nonlinearity.ReLU)),
            "nn.init.kaiming_normal_(torch.empty(16, 8, 3, 3), mode='fan_out', nonlinearity='relu')", Seed: 3),
        new("kaiming_normal_ fan_in leaky", [], _ => One(Init.kaiming_normal_(torch.empty([16, 8, 3, 3]), a: 0.1)),
            "nn.init.kaiming_normal_(torch.empty(16, 8, 3, 3), a=0.1)", Seed: 3),
        new("kaiming_uniform_ fan_in a=sqrt5 (default conv init)", [], _ => One(Init.kaiming_uniform_(torch.empty([16, 8, 3, 3]), a: Math.Sqrt(5))),
            "nn.init.kaiming_uniform_(torch.empty(16, 8, 3, 3), a=math.sqrt(5))", Seed: 4),
        new("kaiming_uniform_ fan_out", [], _ => One(Init.kaiming_uniform_(torch.empty([10, 20]), mode: FanMode.FanOut, nonlinearity: Nonlinearity.ReLU)),
            "nn.init.kaiming_uniform_(torch.empty(10, 20), mode='fan_out', nonlinearity='relu')", Seed: 4),
        new("uniform_", [], _ => One(Init.uniform_(torch.empty([100]), -0.5, 2)), "nn.init.uniform_(torch.empty(100), -0.5, 2)", Seed: 5),
        new("normal_", [], _ => One(Init.normal_(torch.empty([100]), 1, 0.1)), "nn.init.normal_(torch.empty(100), 1, 0.1)", Seed: 5),
        new("zeros_ and ones_", [], _ => [Init.zeros_(torch.randn([5])), Init.ones_(torch.randn([5]))],
            "(nn.init.zeros_(torch.randn(5)), nn.init.ones_(torch.randn(5)))"),
        new("manual_seed then randn", [], _ => One(torch.randn([10])), "torch.randn(10)", Seed: 1234),
    ];
}
