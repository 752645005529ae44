using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Numerics;

/// <summary>
/// Every op and its gradient against a live PyTorch (Debian's python3-torch): same inputs, same
/// outputs within 1e-5 relative. Inputs are made here and sent over; PyTorch never sees our results.
/// </summary>
public class OpNumericsTests(ITestOutputHelper output)
{
    private const double Rtol = 1e-5, Atol = 1e-6;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in OpCases.All) data.Add(c.Name);
        return data;
    }

    [Fact]
    public void Case_names_are_unique() =>
        Assert.Equal(OpCases.All.Length, OpCases.All.Select(c => c.Name).Distinct().Count());

    [Theory]
    [MemberData(nameof(Names))]
    public void Op_and_its_gradient_match_pytorch(string name)
    {
        var op = OpCases.All.Single(c => c.Name == name);
        using var scope = torch.NewDisposeScope();

        torch.manual_seed(42);
        var inputs = op.Inputs.Select(i => i.Make()).ToArray();
        var gradNames = new List<string>();
        for (var i = 0; i < inputs.Length; i++)
        {
            if (op.Inputs[i].Grad && inputs[i].dtype.IsFloatingPoint())
            {
                inputs[i].requires_grad = true;
                gradNames.Add(op.Inputs[i].Name);
            }
        }

        // Python sees copies of the inputs (made before our op can touch them, e.g. BN's running stats).
        var sent = op.Inputs.Select((input, i) => new KeyValuePair<string, Tensor>(input.Name, inputs[i].detach().clone())).ToList();

        // Float reductions (e.g. conv2d's weight gradient) split their work by thread count, so the
        // oracle runs with ours: other tests in this process may have set it (the Trainer does).
        var threads = torch.get_num_threads();
        torch.manual_seed(op.Seed);
        var ours = op.Ours(inputs);

        // Upstream gradients for the differentiable outputs, identical on both sides.
        torch.manual_seed(99);
        var upstream = ours.Select(o => o.requires_grad ? torch.randn(o.shape) : null).ToArray();
        for (var i = 0; i < ours.Length; i++)
            if (upstream[i] is { } g) sent.Add(new($"gout{i}", g));
        var differentiable = Enumerable.Range(0, ours.Length).Where(i => upstream[i] is not null).ToList();
        if (differentiable.Count > 0)
        {
            var loss = differentiable.Select(i => (ours[i] * upstream[i]!).sum()).Aggregate((a, b) => a + b);
            loss.backward();
        }

        var expected = PythonOracle.Shared.Run($$"""
            torch.set_num_threads(params["threads"])
            grad_names = params["grad_names"]
            for n in grad_names:
                inputs[n].requires_grad_(True)
            torch.manual_seed(params["seed"])
            res = {{op.Python}}
            outs = list(res) if isinstance(res, (tuple, list)) else [res]
            for i, o in enumerate(outs):
                outputs[f"out{i}"] = o.detach()
            terms = [(o * inputs[f"gout{i}"]).sum() for i, o in enumerate(outs) if f"gout{i}" in inputs]
            if terms:
                sum(terms).backward()
            for n in grad_names:
                outputs["grad_" + n] = inputs[n].grad
            """, sent, new { grad_names = gradNames, seed = op.Seed, threads });

        Assert.Equal(ours.Length, expected.Keys.Count(k => k.StartsWith("out", StringComparison.Ordinal)));
        double worst = 0;
        for (var i = 0; i < ours.Length; i++)
            worst = Math.Max(worst, Compare(expected[$"out{i}"], ours[i], $"output {i}"));
        for (var i = 0; i < inputs.Length; i++)
        {
            if (!gradNames.Contains(op.Inputs[i].Name)) continue;
            var grad = inputs[i].grad;
            Assert.True(grad is not null, $"no gradient for input '{op.Inputs[i].Name}'");
            worst = Math.Max(worst, Compare(expected["grad_" + op.Inputs[i].Name], grad!, $"gradient of {op.Inputs[i].Name}"));
        }
        output.WriteLine($"{name}: max relative deviation {worst:g3}");
        foreach (var t in expected.Values) t.Dispose();
    }

    private static double Compare(Tensor expected, Tensor actual, string what)
    {
        if (!expected.dtype.IsFloatingPoint())
        {
            OracleAssert.Equal(expected, actual, what);
            return 0;
        }
        Assert.Equal(expected.dtype, actual.dtype);
        return OracleAssert.Close(expected, actual, Rtol, Atol, what);
    }
}
