using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;
using Xunit;
using static ResNetGen.Runtime.Tests.Optim.OptimizerOracleTests;

namespace ResNetGen.Runtime.Tests.Optim;

/// <summary>Optimizer state: save/resume, skipped parameters, moved parameters, zero_grad, bad input.</summary>
public sealed class OptimizerStateTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"rng-opt-{Guid.NewGuid():N}");

    public OptimizerStateTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    public static TheoryData<string> ResumeCases() => new(["sgd nesterov + cosine", "adamw amsgrad, two groups + onecycle"]);

    private static (Optimizer, LRScheduler) Make(string name, IReadOnlyList<Parameter> ps, double lr) => name switch
    {
        "sgd nesterov + cosine" => Sched(new SGD(ps, lr: lr, momentum: 0.9, nesterov: true, weight_decay: 1e-3), o => new CosineAnnealingLR(o, T_max: Steps)),
        _ => Sched(new AdamW([new ParamGroup([ps[0], ps[1]], new Dictionary<string, double> { ["weight_decay"] = 0.1 }), new ParamGroup([ps[2], ps[3]])],
                lr: lr, amsgrad: true), o => new OneCycleLR(o, max_lr: lr * 10, total_steps: Steps)),
    };

    private static (Optimizer, LRScheduler) Sched(Optimizer o, Func<Optimizer, LRScheduler> s) => (o, s(o));

    [Theory]
    [MemberData(nameof(ResumeCases))]
    public void StateDict_SavedWithTheWeightsInOneFile_ResumesToTheIdenticalTrajectory(string name)
    {
        var problem = Problem(seed: 77);

        // Uninterrupted run.
        var straight = Params(problem);
        var (optA, schedA) = Make(name, straight, 0.01);
        using var _a = optA;
        var straightTrajectory = new List<float[]>();
        var straightLrs = new List<double[]>();
        for (var s = 0; s < Steps; s++)
        {
            FeedAndStep(optA, straight, problem, s);
            schedA.step();
            straightTrajectory.Add(straight.SelectMany(p => p.ToArray<float>()).ToArray());
            straightLrs.Add(schedA.get_last_lr().ToArray());
        }

        // Interrupted run: 10 steps, checkpoint (weights + optimizer + scheduler in one safetensors file), resume.
        var path = Path.Combine(dir, "checkpoint.safetensors");
        {
            var first = Params(problem);
            var (optB, schedB) = Make(name, first, 0.01);
            using var _b = optB;
            for (var s = 0; s < Steps / 2; s++)
            {
                FeedAndStep(optB, first, problem, s);
                schedB.step();
            }
            using var optState = optB.state_dict();
            var (tensors, metadata) = optState.ToFlat();
            for (var i = 0; i < first.Count; i++) tensors[$"model.p{i}"] = first[i];
            foreach (var (k, v) in schedB.state_dict()) metadata["scheduler." + k] = v;
            Safetensors.Save(path, tensors, metadata);
        }

        var loaded = Safetensors.Load(path, out var meta);
        var resumed = Enumerable.Range(0, Shapes.Length).Select(i => new Parameter(loaded[$"model.p{i}"])).ToList();
        var (optC, schedC) = Make(name, resumed, 0.5); // a different lr: the checkpoint must restore it
        using var _c = optC;
        using (var restored = OptimizerStateDict.FromFlat(loaded, meta)) optC.load_state_dict(restored);
        schedC.load_state_dict(meta.Where(kv => kv.Key.StartsWith("scheduler.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["scheduler.".Length..], kv => kv.Value));
        foreach (var t in loaded.Values) t.Dispose();

        for (var s = Steps / 2; s < Steps; s++)
        {
            FeedAndStep(optC, resumed, problem, s);
            schedC.step();
            var now = resumed.SelectMany(p => p.ToArray<float>()).ToArray();
            Assert.True(straightTrajectory[s].SequenceEqual(now), $"{name}: step {s + 1} after resuming differs from the uninterrupted run");
            Assert.Equal(straightLrs[s], schedC.get_last_lr());
        }
    }

    [Fact]
    public void ResumingWithoutTheOptimizerState_WouldDiffer()
    {
        // The control for the resume test: restoring only the weights does not give the same trajectory,
        // so that test's equality really depends on the restored momentum/Adam state.
        var problem = Problem(seed: 77);
        var a = Params(problem);
        using var optA = new AdamW(a, lr: 0.01);
        for (var s = 0; s < 10; s++) FeedAndStep(optA, a, problem, s);
        var b = a.Select(p => new Parameter(p.clone())).ToList();
        using var optB = new AdamW(b, lr: 0.01);
        FeedAndStep(optA, a, problem, 10);
        FeedAndStep(optB, b, problem, 10);
        Assert.NotEqual(a[0].ToArray<float>(), b[0].ToArray<float>());
    }

    [Fact]
    public void StateDict_HoldsPerParameterState_AndStepCountsSkipParametersWithoutGrad()
    {
        var problem = Problem();
        var ps = Params(problem);
        ps.Add(new Parameter(torch.ones([2]))); // never gets a gradient
        using var opt = new AdamW(ps, lr: 0.01, weight_decay: 0.5);
        for (var s = 0; s < Steps; s++)
        {
            ps[^1].grad = null;
            FeedAndStep(opt, ps.Take(Shapes.Length).ToList(), problem, s);
        }
        using var sd = opt.state_dict();
        Assert.Equal([0, 1, 2, 3], sd.state.Keys);
        var expectedSteps = Enumerable.Range(0, Shapes.Length).Select(i => Enumerable.Range(0, Steps).Count(s => HasGrad(s, i))).ToArray();
        Assert.NotEqual(expectedSteps[0], expectedSteps[2]);
        for (var i = 0; i < Shapes.Length; i++)
        {
            Assert.Equal(expectedSteps[i], sd.state[i]["step"].item());
            Assert.Equal(Shapes[i], sd.state[i]["exp_avg"].shape);
            Assert.False(sd.state[i].ContainsKey("max_exp_avg_sq"));
        }
        // The parameter without a gradient was not touched, not even by weight decay.
        Assert.Equal(new float[] { 1, 1 }, ps[^1].ToArray<float>());
        Assert.Empty(opt.state(ps[^1]));
        Assert.Single(sd.param_groups);
        Assert.Equal(Enumerable.Range(0, ps.Count), sd.param_groups[0].@params);
        Assert.Equal(0.5, sd.param_groups[0].options["weight_decay"]);
    }

    private const string PyMoveToFloat64 = """
        ps = [inputs["p%d" % i].clone().requires_grad_(True) for i in range(params["n"])]
        opt = torch.optim.AdamW(ps, lr=0.01, amsgrad=True, weight_decay=0.1)
        for s in range(params["steps"]):
            if s == params["move_at"]:
                for p in ps:
                    p.data = p.data.double()
                for st in opt.state.values():
                    for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
                        st[k] = st[k].double()
            for i, p in enumerate(ps):
                key = "g%d_%d" % (s, i)
                p.grad = inputs[key].to(p.dtype) if key in inputs else None
            opt.step()
        for i, p in enumerate(ps):
            outputs["p%d" % i] = p.detach()
        """;

    [Fact]
    public void OptimizerBuiltBeforeADtypeMove_KeepsWorking_AndItsStateFollows()
    {
        // Parameter.set_data is what Module.to does: same Parameter objects, new data. The optimizer's
        // state follows the parameters to float64 on the next step (as PyTorch's load_state_dict would cast it).
        var problem = Problem(seed: 5);
        const int moveAt = 8;
        var expected = PythonOracle.Shared.Run(PyMoveToFloat64, problem, new { n = Shapes.Length, steps = Steps, move_at = moveAt });

        var ps = Params(problem);
        using var opt = new AdamW(ps, lr: 0.01, amsgrad: true, weight_decay: 0.1);
        for (var s = 0; s < Steps; s++)
        {
            if (s == moveAt)
            {
                foreach (var p in ps)
                {
                    using var d = p.to(ScalarType.Float64);
                    p.set_data(d);
                }
            }
            for (var i = 0; i < ps.Count; i++)
            {
                if (problem.TryGetValue($"g{s}_{i}", out var g))
                {
                    using var g64 = g.to(ps[i].dtype);
                    ps[i].grad = g64;
                }
                else ps[i].grad = null;
            }
            opt.step();
        }
        for (var i = 0; i < ps.Count; i++)
        {
            Assert.Equal(ScalarType.Float64, ps[i].dtype);
            var st = opt.state(ps[i]);
            Assert.Equal(ScalarType.Float64, st["exp_avg"].dtype);
            Assert.Equal(ScalarType.Float64, st["max_exp_avg_sq"].dtype);
            OracleAssert.Close(expected[$"p{i}"], ps[i], rtol: 1e-12, atol: 1e-15, what: $"param {i}");
        }
    }

    [Fact]
    public void OptimizerBuiltBeforeModuleTo_KeepsTraining()
    {
        torch.manual_seed(3);
        using var model = new ResNetGen.Torch.Modules.Linear(4, 2);
        using var opt = new SGD(model.parameters(), lr: 0.1, momentum: 0.9);
        using var x = torch.randn([8, 4]);
        double Loss()
        {
            using var scope = torch.NewDisposeScope();
            using var xs = x.to(model.weight.dtype);
            var y = model.forward(xs);
            var loss = (y * y).mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
            return loss.item();
        }
        var first = Loss();
        Loss();
        model.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, opt.param_groups[0].@params[0].dtype); // the very same Parameter objects
        double last = 0;
        for (var i = 0; i < 10; i++) last = Loss();
        Assert.Equal(ScalarType.Float64, opt.state(model.weight)["momentum_buffer"].dtype);
        Assert.True(last < first * 0.5, $"loss should fall after the move: {first} -> {last}");
    }

    [Fact]
    public void ZeroGrad_SetsToNone_OrZeroes_InOneCall()
    {
        var ps = new List<Parameter> { new(torch.ones([3])), new(torch.ones([2])) };
        using var opt = new SGD(ps, lr: 0.1);
        foreach (var p in ps) { using var g = torch.ones(p.shape); p.grad = g; }
        opt.zero_grad(set_to_none: false);
        Assert.All(ps, p => Assert.All(p.grad!.ToArray<float>(), v => Assert.Equal(0f, v)));
        opt.zero_grad();
        Assert.All(ps, p => Assert.Null(p.grad));
    }

    [Fact]
    public void ParameterGroups_KeepTheirOwnOptions_AndCanBeAddedLater()
    {
        var a = new Parameter(torch.ones([2]));
        var b = new Parameter(torch.ones([2]));
        using var opt = new SGD([new ParamGroup([a], new Dictionary<string, double> { ["lr"] = 1.0 })], lr: 0.1);
        opt.add_param_group(new ParamGroup([b]));
        Assert.Equal(1.0, opt.param_groups[0].lr);
        Assert.Equal(0.1, opt.param_groups[1].lr);
        foreach (var p in new[] { a, b }) { using var g = torch.ones([2]); p.grad = g; }
        opt.step();
        Assert.Equal(new float[] { 0, 0 }, a.ToArray<float>());
        Assert.Equal(new float[] { 0.9f, 0.9f }, b.ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => opt.add_param_group(new ParamGroup([a])));
        Assert.Contains("more than one parameter group", e.Message);
    }

    // ---- bad input --------------------------------------------------------------------------

    [Fact]
    public void BadHyperparameters_AreRejected()
    {
        var p = new[] { new Parameter(torch.ones([1])) };
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new SGD(p, lr: -1)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new SGD(p, lr: 0.1, nesterov: true)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentException>(() => new SGD(p, lr: 0.1, momentum: -0.5)).Message);
        Assert.Contains("beta parameter at index 0", Assert.Throws<ArgumentException>(() => new AdamW(p, beta1: 1.0)).Message);
        Assert.Contains("epsilon", Assert.Throws<ArgumentException>(() => new AdamW(p, eps: -1)).Message);
        Assert.Contains("empty parameter list", Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Parameter>(), lr: 0.1)).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new SGD([p[0], p[0]], lr: 0.1)).Message);
        Assert.Contains("floating point", Assert.Throws<ArgumentException>(() => new SGD([new Parameter(torch.ones([1], ScalarType.Int64), requires_grad: false)], lr: 0.1)).Message);
        // A group option set to a bad value later is caught at step time, before anything changes.
        using var opt = new SGD(p, lr: 0.1);
        opt.param_groups[0].lr = -0.1;
        Assert.Throws<ArgumentException>(() => opt.step());
    }

    [Fact]
    public void GradientOfTheWrongShape_ThrowsWithTheShapes_AndChangesNothing()
    {
        var ok = new Parameter(torch.ones([2]));
        var bad = new Parameter(torch.ones([2, 3]));
        using var opt = new AdamW([ok, bad], lr: 0.1);
        using (var g = torch.ones([2])) ok.grad = g;
        using (var g = torch.ones([3, 2])) bad.grad = g; // libtorch lets this through; the step must not
        var e = Assert.Throws<TorchException>(() => opt.step());
        Assert.Contains("parameter 1", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal(new float[] { 1, 1 }, ok.ToArray<float>());
        Assert.Empty(opt.state(ok));
    }

    [Fact]
    public void DisposedParameter_ThrowsObjectDisposed()
    {
        var p = new Parameter(torch.ones([2]));
        using var opt = new SGD([p], lr: 0.1);
        p.Dispose();
        Assert.Throws<ObjectDisposedException>(() => opt.step());
        Assert.Throws<ObjectDisposedException>(() => opt.zero_grad());
    }

    [Fact]
    public void LoadStateDict_FromAnotherLayout_IsRejected_AndLeavesTheStateAlone()
    {
        var problem = Problem();
        var ps = Params(problem);
        using var opt = new SGD(ps, lr: 0.1, momentum: 0.9);
        FeedAndStep(opt, ps, problem, 0);
        using var good = opt.state_dict();

        using var other = new SGD(ps.Take(2), lr: 0.1, momentum: 0.9);
        Assert.Contains("has 4 parameters", Assert.Throws<ArgumentException>(() => other.load_state_dict(good)).Message);

        using var adam = new AdamW(ps, lr: 0.1);
        Assert.Contains("saved by SGD", Assert.Throws<ArgumentException>(() => adam.load_state_dict(good)).Message);

        // A state tensor of the wrong shape: rejected, and the optimizer keeps its own state.
        var before = opt.state(ps[0])["momentum_buffer"].ToArray<float>();
        using var broken = new OptimizerStateDict("SGD");
        broken.param_groups.AddRange(good.param_groups);
        broken.state[0] = new Dictionary<string, Tensor> { ["momentum_buffer"] = torch.zeros([7]) };
        Assert.Contains("shape [7]", Assert.Throws<ArgumentException>(() => opt.load_state_dict(broken)).Message);
        Assert.Equal(before, opt.state(ps[0])["momentum_buffer"].ToArray<float>());
    }

    [Fact]
    public void OptimizerStateFile_WithoutOptimizerState_IsReportedWithTheFileName()
    {
        var path = Path.Combine(dir, "weights-only.safetensors");
        using var w = torch.ones([2]);
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = w });
        var e = Assert.Throws<InvalidDataException>(() => OptimizerStateDict.Load(path));
        Assert.Contains(path, e.Message);

        // And the one-file Save/Load round trip works.
        var problem = Problem();
        var ps = Params(problem);
        using var opt = new AdamW(ps, lr: 0.02);
        FeedAndStep(opt, ps, problem, 0);
        var file = Path.Combine(dir, "opt.safetensors");
        using (var sd = opt.state_dict()) sd.Save(file);
        using var back = OptimizerStateDict.Load(file);
        Assert.Equal("AdamW", back.optimizer);
        Assert.Equal(0.02, back.param_groups[0].options["lr"]);
        OracleAssert.Equal(opt.state(ps[1])["exp_avg_sq"], back.state[1]["exp_avg_sq"]);
    }
}
