namespace ResNetGen.Generator.Tests;

/// <summary>
/// What the IR holds beyond today's families (the next generator issue builds on it): non-square
/// inputs, parallel branches joined by concatenation, a highway gate, a transition between stages.
/// Shape inference and counting work on them already.
/// </summary>
public class IrTests
{
    private static readonly EquatableArray<Binding> None = EquatableArray<Binding>.Empty;

    private static Node Conv(long inC, long outC, int k, long stride = 1, long padding = 0, params int[] inputs) =>
        new(Op.Conv, "", inputs.ToEquatableArray()) { InC = Expr.Of(inC), OutC = Expr.Of(outC), Kernel = k, Stride = Expr.Of(stride), Padding = Expr.Of(padding) };

    [Fact]
    public void Height_and_width_are_inferred_apart()
    {
        var graph = new Graph(new[] { Conv(3, 8, 3, 2, 1) }.ToEquatableArray());
        var r = ShapeInference.Graph(graph, None, Shape.Input(3, 32, 48), null, null);
        Assert.Equal(new Shape(8, 16, 24, 0, 0), r.Out[0]);
        Assert.Equal(8 * 3 * 9, r.Parameters);
        Assert.Equal(16 * 24 * 8 * 3 * 9, r.MultiplyAdds);
    }

    [Fact]
    public void Parallel_branches_join_by_concatenation()
    {
        var graph = new Graph(new[]
        {
            Conv(3, 4, 1, inputs: -1),
            Conv(3, 6, 3, padding: 1, inputs: -1),
            new Node(Op.Concat, "", Node.From(0, 1)),
        }.ToEquatableArray());
        var r = ShapeInference.Graph(graph, None, Shape.Input(3, 10, 10), null, null);
        Assert.Equal(10, r.Out[2].C);
        Assert.Equal(10, r.Out[2].H);
        Assert.Equal(3 * 4 + 3 * 6 * 9, r.Parameters);
    }

    [Fact]
    public void Highway_gate_keeps_the_input_shape()
    {
        var graph = new Graph(new[]
        {
            Conv(16, 16, 3, padding: 1, inputs: -1),                 // H(x)
            Conv(16, 16, 1, inputs: -1) with { Bias = true },        // T(x) before the sigmoid
            new Node(Op.Sigmoid, "", Node.From(1)),
            new Node(Op.Gate, "", Node.From(0, 2, -1)),              // H·T + x·(1 − T)
        }.ToEquatableArray());
        var r = ShapeInference.Graph(graph, None, Shape.Input(16, 8, 8), null, null);
        Assert.Equal(new Shape(16, 8, 8, 0, 0), r.Out[3]);
        Assert.Equal(16 * 16 * 9 + 16 * 16 + 16, r.Parameters);
    }

    [Fact]
    public void A_transition_between_stages_is_counted_and_summarised()
    {
        var run = GeneratorHarness.Run(Families.All["CifarOptionB"]);
        Assert.Empty(run.GeneratorDiagnostics);
        var spec = Lowering.Lower(SpecOf(), EquatableArray<CustomBlockSpec>.Empty, default);
        var ir = spec.Model!.Ir;
        var transition = new Graph(new[]
        {
            new Node(Op.BatchNorm, "transition2", EquatableArray<int>.Empty) { InC = Expr.Of(16), OutC = Expr.Of(16) },
        }.ToEquatableArray());
        var stages = ir.Stages.Select((s, i) => i == 1 ? s with { Transition = transition } : s).ToEquatableArray();
        var before = ShapeInference.Analyse(ir);
        var after = ShapeInference.Analyse(ir with { Stages = stages });
        Assert.Equal(before.ParameterCount + 32, after.ParameterCount);
        Assert.Contains(after.Summary, r => r.Layer == "transition2" && r.Parameters == 32);
    }

    /// <summary>ResNet-20 (option B) as a spec, as the parser would produce it.</summary>
    private static NetworkSpec SpecOf() => new(
        new TypeTarget("Zoo", EquatableArray<ContainingType>.Empty, "R20", "public", "global::Zoo.R20"),
        3, 10, 32, StemKind.Cifar, 16, BlockKind.Basic, ShortcutKind.Projection, 1, 64, false, 0, 0, false, 0,
        new[]
        {
            new StageSpec(16, 3, 1, null, null, null, null, null, null, null, null),
            new StageSpec(32, 3, 2, null, null, null, null, null, null, null, null),
            new StageSpec(64, 3, 2, null, null, null, null, null, null, null, null),
        }.ToEquatableArray(),
        EquatableArray<string>.Empty);
}
