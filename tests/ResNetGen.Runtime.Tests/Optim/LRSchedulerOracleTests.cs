using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Optim;

/// <summary>
/// Each scheduler's learning-rate sequence (and OneCycleLR's momentum sequence) against
/// torch.optim.lr_scheduler's, read after construction and after every step, for two
/// parameter groups with different rates.
/// </summary>
public sealed class LRSchedulerOracleTests(ITestOutputHelper output)
{
    private sealed record Case(string Name, int Steps, string PySetup, Func<IReadOnlyList<Parameter>, (Optimizer, LRScheduler)> Make);

    private const string PySgd = "opt = O.SGD([{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.01}], lr=0.1, momentum=0.9)\n";
    private const string PyAdamW = "opt = O.AdamW([{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.002}], lr=0.01)\n";

    private static SGD Sgd(IReadOnlyList<Parameter> ps) =>
        new([new ParamGroup([ps[0]]), new ParamGroup([ps[1]], new Dictionary<string, double> { ["lr"] = 0.01 })], lr: 0.1, momentum: 0.9);

    private static AdamW Adam(IReadOnlyList<Parameter> ps) =>
        new([new ParamGroup([ps[0]]), new ParamGroup([ps[1]], new Dictionary<string, double> { ["lr"] = 0.002 })], lr: 0.01);

    private static readonly Dictionary<string, Case> AllCases = new Case[]
    {
        new("StepLR", 12, PySgd + "sched = L.StepLR(opt, step_size=3, gamma=0.5)",
            ps => { var o = Sgd(ps); return (o, new StepLR(o, step_size: 3, gamma: 0.5)); }),
        new("MultiStepLR", 12, PySgd + "sched = L.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3)",
            ps => { var o = Sgd(ps); return (o, new MultiStepLR(o, [2, 5, 5, 9], gamma: 0.3)); }),
        new("CosineAnnealingLR past T_max", 25, PySgd + "sched = L.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)",
            ps => { var o = Sgd(ps); return (o, new CosineAnnealingLR(o, T_max: 10, eta_min: 0.001)); }),
        new("LinearLR", 8, PySgd + "sched = L.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=4)",
            ps => { var o = Sgd(ps); return (o, new LinearLR(o, start_factor: 0.25, end_factor: 1.0, total_iters: 4)); }),
        new("LinearWarmup then cosine = SequentialLR(LinearLR, CosineAnnealingLR)", 20,
            PySgd + "sched = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=5), L.CosineAnnealingLR(opt, T_max=15)], milestones=[5])",
            ps => { var o = Sgd(ps); var cos = new CosineAnnealingLR(o, T_max: 15); return (o, new LinearWarmup(o, 5, cos, start_factor: 0.1)); }),
        new("LinearWarmup alone = LinearLR", 8, PySgd + "sched = L.LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=5)",
            ps => { var o = Sgd(ps); return (o, new LinearWarmup(o, 5)); }),
        new("SequentialLR(StepLR, MultiStepLR)", 14,
            PySgd + "sched = L.SequentialLR(opt, [L.StepLR(opt, 2, 0.5), L.MultiStepLR(opt, [3, 6], 0.1)], milestones=[4])",
            ps => { var o = Sgd(ps); return (o, new SequentialLR(o, [new StepLR(o, 2, 0.5), new MultiStepLR(o, [3, 6], 0.1)], [4])); }),
        new("OneCycleLR SGD (cos, momentum cycling)", 20, PySgd + "sched = L.OneCycleLR(opt, max_lr=0.5, total_steps=20)",
            ps => { var o = Sgd(ps); return (o, new OneCycleLR(o, max_lr: 0.5, total_steps: 20)); }),
        new("OneCycleLR SGD per-group max_lr, pct_start 0.4, div factors", 30,
            PySgd + "sched = L.OneCycleLR(opt, max_lr=[0.4, 0.04], epochs=3, steps_per_epoch=10, pct_start=0.4, div_factor=10.0, final_div_factor=100.0)",
            ps => { var o = Sgd(ps); return (o, new OneCycleLR(o, [0.4, 0.04], null, 3, 10, 0.4, "cos", true, [0.85, 0.85], [0.95, 0.95], 10.0, 100.0, false, -1)); }),
        new("OneCycleLR AdamW (linear, three phase, beta1 cycling)", 24,
            PyAdamW + "sched = L.OneCycleLR(opt, max_lr=0.02, total_steps=24, anneal_strategy='linear', three_phase=True, base_momentum=0.8, max_momentum=0.9)",
            ps => { var o = Adam(ps); return (o, new OneCycleLR(o, max_lr: 0.02, total_steps: 24, anneal_strategy: "linear", three_phase: true, base_momentum: 0.8, max_momentum: 0.9)); }),
        new("OneCycleLR without momentum cycling", 10, PySgd + "sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)",
            ps => { var o = Sgd(ps); return (o, new OneCycleLR(o, max_lr: 1.0, total_steps: 10, cycle_momentum: false)); }),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> Cases() => new(AllCases.Keys);

    private const string PyRun = """
        import warnings
        warnings.simplefilter("ignore")
        O, L = torch.optim, torch.optim.lr_scheduler
        ps = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        exec(params["setup"])
        def momenta():
            return [g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups]
        lrs, mom = [list(sched.get_last_lr())], [momenta()]
        for _ in range(params["steps"]):
            opt.step()
            sched.step()
            lrs.append(list(sched.get_last_lr()))
            mom.append(momenta())
        outputs["lr"] = torch.tensor(lrs, dtype=torch.float64)
        outputs["momentum"] = torch.tensor(mom, dtype=torch.float64)
        """;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sequence_EqualsTorch(string name)
    {
        var c = AllCases[name];
        var expected = PythonOracle.Shared.Run(PyRun, parameters: new { setup = c.PySetup, steps = c.Steps });
        var ps = new List<Parameter> { new(torch.zeros(2)), new(torch.zeros(3)) };
        var (opt, sched) = c.Make(ps);
        using var _ = opt;
        var lrs = new List<double>();
        var momenta = new List<double>();
        void Record()
        {
            lrs.AddRange(sched is SequentialLR seq ? seq.get_last_lr() : sched.get_last_lr());
            Assert.Equal(opt.param_groups.Select(g => g.lr), sched is SequentialLR s2 ? s2.get_last_lr() : sched.get_last_lr());
            momenta.AddRange(opt.param_groups.Select(g => g.TryGetValue("momentum", out var m) ? m : g["beta1"]));
        }
        Record();
        for (var s = 0; s < c.Steps; s++)
        {
            opt.step();
            sched.step();
            Record();
        }
        using var actualLr = torch.tensor(lrs.ToArray(), [c.Steps + 1, 2]);
        using var actualMomentum = torch.tensor(momenta.ToArray(), [c.Steps + 1, 2]);
        var devLr = OracleAssert.Close(expected["lr"], actualLr, rtol: 1e-12, atol: 1e-15, what: $"{name}: lr");
        var devM = OracleAssert.Close(expected["momentum"], actualMomentum, rtol: 1e-12, atol: 1e-15, what: $"{name}: momentum");
        // The schedule does change the rate (the comparison is not between two constant sequences).
        Assert.True(lrs.Distinct().Count() > 2, $"{name}: the learning rate never changed");
        output.WriteLine($"{name}: max relative deviation lr {devLr:g3}, momentum {devM:g3}; exact: {expected["lr"].ToArray<double>().SequenceEqual(lrs)}");
    }

    [Fact]
    public void OneCycleLR_SteppingPastTotalSteps_Throws()
    {
        using var opt = new SGD([new Parameter(torch.zeros(1))], lr: 0.1, momentum: 0.9);
        var sched = new OneCycleLR(opt, max_lr: 1.0, total_steps: 3);
        for (var i = 0; i < 3; i++) sched.step();
        var e = Assert.Throws<InvalidOperationException>(() => sched.step());
        Assert.Contains("total steps is 3", e.Message);
    }

    [Fact]
    public void OneCycleLR_CyclesSgdMomentum_AndNeedsALength()
    {
        // SGD built with momentum 0 still gets its momentum cycled, as in PyTorch (cycle_momentum=True by default).
        using var opt = new SGD([new Parameter(torch.zeros(1))], lr: 0.1);
        _ = new OneCycleLR(opt, max_lr: 1.0, total_steps: 10);
        Assert.Equal(0.95, opt.param_groups[0]["momentum"]);
        var e = Assert.Throws<ArgumentException>(() => new OneCycleLR(opt, max_lr: 1.0));
        Assert.Contains("total_steps", e.Message);
    }
}
