using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Optim;

/// <summary>
/// SGD and AdamW trajectories against torch.optim (PyTorch 1.13, live): same initial parameters,
/// the same gradient fed as p.grad at every step (some parameters skip some steps), 20 steps, every
/// step compared.
/// </summary>
public sealed class OptimizerOracleTests(ITestOutputHelper output)
{
    internal const int Steps = 20;
    internal static readonly long[][] Shapes = [[4, 3], [3], [2, 2, 2], [5]];

    /// <summary>Whether parameter <paramref name="i"/> gets a gradient at step <paramref name="s"/> (param 2 skips every third step).</summary>
    internal static bool HasGrad(int s, int i) => !(i == 2 && s % 3 == 1);

    internal sealed record Case(string Name, string PyOptimizer, string PyKwargs, Func<IReadOnlyList<Parameter>, Optimizer> Make,
        string? PyGroups = null)
    {
        public override string ToString() => Name;
    }

    // Group layout for the multi-group cases: params 0 and 1 with their own lr (and weight decay), 2 and 3 with the defaults.
    private static IEnumerable<ParamGroup> TwoGroups(IReadOnlyList<Parameter> ps) =>
    [
        new ParamGroup([ps[0], ps[1]], new Dictionary<string, double> { ["lr"] = 0.03, ["weight_decay"] = 0.2 }),
        new ParamGroup([ps[2], ps[3]]),
    ];

    private const string PyTwoGroups = """[{"params": [0, 1], "lr": 0.03, "weight_decay": 0.2}, {"params": [2, 3]}]""";

    public static TheoryData<string> Cases() => new(AllCases.Keys);

    internal static readonly Dictionary<string, Case> AllCases = new Case[]
    {
        new("sgd plain", "SGD", "dict(lr=0.1)", ps => new SGD(ps, lr: 0.1)),
        new("sgd momentum 0.9", "SGD", "dict(lr=0.05, momentum=0.9)", ps => new SGD(ps, lr: 0.05, momentum: 0.9)),
        new("sgd nesterov + weight decay", "SGD", "dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)",
            ps => new SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 5e-4)),
        new("sgd dampening + weight decay + maximize", "SGD", "dict(lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.01, maximize=True)",
            ps => new SGD(ps, lr: 0.02, momentum: 0.8, dampening: 0.3, weight_decay: 0.01, maximize: true)),
        new("sgd nesterov, two groups", "SGD", "dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)",
            ps => new SGD(TwoGroups(ps), lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 1e-3), PyTwoGroups),
        new("sgd nesterov + weight decay, foreach", "SGD", "dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4, foreach=True)",
            ps => new SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 5e-4, @foreach: true)),
        new("adamw defaults", "AdamW", "dict()", ps => new AdamW(ps)),
        new("adamw lr 0.01 wd 0.1", "AdamW", "dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)",
            ps => new AdamW(ps, lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.1)),
        new("adamw amsgrad", "AdamW", "dict(lr=0.01, amsgrad=True, weight_decay=0.05)",
            ps => new AdamW(ps, lr: 0.01, amsgrad: true, weight_decay: 0.05)),
        new("adamw amsgrad + maximize, two groups", "AdamW", "dict(lr=0.01, amsgrad=True, maximize=True)",
            ps => new AdamW(TwoGroups(ps), lr: 0.01, amsgrad: true, maximize: true), PyTwoGroups),
        new("adamw amsgrad, foreach", "AdamW", "dict(lr=0.01, amsgrad=True, weight_decay=0.05, foreach=True)",
            ps => new AdamW(ps, lr: 0.01, amsgrad: true, weight_decay: 0.05, @foreach: true)),
        new("adamw foreach", "AdamW", "dict(lr=0.003, weight_decay=0.01, foreach=True)",
            ps => new AdamW(ps, lr: 0.003, weight_decay: 0.01, @foreach: true)),
    }.ToDictionary(c => c.Name);

    /// <summary>Initial parameters and per-step gradients (float32, seeded), by oracle input name.</summary>
    internal static OrderedDictionary<string, Tensor> Problem(long seed = 1234)
    {
        torch.manual_seed(seed);
        var data = new OrderedDictionary<string, Tensor>();
        for (var i = 0; i < Shapes.Length; i++) data[$"p{i}"] = torch.randn(Shapes[i]);
        for (var s = 0; s < Steps; s++)
            for (var i = 0; i < Shapes.Length; i++)
                if (HasGrad(s, i)) data[$"g{s}_{i}"] = torch.randn(Shapes[i]);
        return data;
    }

    internal static List<Parameter> Params(OrderedDictionary<string, Tensor> problem) =>
        Enumerable.Range(0, Shapes.Length).Select(i => new Parameter(problem[$"p{i}"].clone())).ToList();

    /// <summary>Sets step <paramref name="s"/>'s gradients (or none) and steps.</summary>
    internal static void FeedAndStep(Optimizer opt, IReadOnlyList<Parameter> ps, OrderedDictionary<string, Tensor> problem, int s)
    {
        for (var i = 0; i < ps.Count; i++)
        {
            if (problem.TryGetValue($"g{s}_{i}", out var g))
            {
                using var copy = g.clone();
                ps[i].grad = copy;
            }
            else
            {
                ps[i].grad = null;
            }
        }
        opt.step();
    }

    internal const string PyTrajectory = """
        ps = [inputs["p%d" % i].clone().requires_grad_(True) for i in range(params["n"])]
        groups = params.get("groups")
        groups = [dict(g, params=[ps[i] for i in g["params"]]) for g in groups] if groups else ps
        opt = getattr(torch.optim, params["opt"])(groups, **eval(params["kwargs"]))
        for s in range(params["steps"]):
            for i, p in enumerate(ps):
                key = "g%d_%d" % (s, i)
                p.grad = inputs[key].clone() if key in inputs else None
            opt.step()
            for i, p in enumerate(ps):
                outputs["p%d_%d" % (s, i)] = p.detach().clone()
        """;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trajectory_EqualsTorchOptim(string name)
    {
        var c = AllCases[name];
        var problem = Problem();
        var expected = PythonOracle.Shared.Run(PyTrajectory, problem,
            new { n = Shapes.Length, opt = c.PyOptimizer, kwargs = c.PyKwargs, steps = Steps, groups = c.PyGroups is null ? (object?)null : System.Text.Json.JsonDocument.Parse(c.PyGroups).RootElement });

        var ps = Params(problem);
        using var opt = c.Make(ps);
        double worst = 0;
        var bitExact = true;
        for (var s = 0; s < Steps; s++)
        {
            FeedAndStep(opt, ps, problem, s);
            for (var i = 0; i < ps.Count; i++)
            {
                var e = expected[$"p{s}_{i}"];
                worst = Math.Max(worst, OracleAssert.Close(e, ps[i], rtol: 1e-5, atol: 1e-7, what: $"{name}, step {s + 1}, param {i}"));
                bitExact &= e.ToArray<float>().SequenceEqual(ps[i].ToArray<float>());
            }
        }
        // The parameters did move (the comparison is not between two unchanged copies).
        Assert.NotEqual(problem["p0"].ToArray<float>(), ps[0].ToArray<float>());
        output.WriteLine($"{name}: max relative deviation from torch.optim over {Steps} steps = {worst:g3}; bit-exact: {bitExact}");
    }
}
