using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// The networks of samples/ResNetGen.Zoo/Literature.cs generated for TorchSharp: the runtime count equals
/// the generated constant and an independent PyTorch definition's (Python/literature_oracle.py), and a
/// forward and backward pass runs at the declared input size.
/// </summary>
public sealed class LiteratureTests
{
    public sealed record Case(Func<nn.Module<Tensor, Tensor>> Create, long ParameterCount, long[] Input, long Classes);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["KerasStudyCardResNet"] = new(() => new Zoo.KerasStudyCardResNet(), Zoo.KerasStudyCardResNet.ParameterCount, [2, 3, 32, 32], 10),
        ["KerasResNet20V1"] = new(() => new Zoo.KerasResNet20V1(), Zoo.KerasResNet20V1.ParameterCount, [2, 3, 32, 32], 10),
        ["KerasResNet56V2"] = new(() => new Zoo.KerasResNet56V2(), Zoo.KerasResNet56V2.ParameterCount, [2, 3, 32, 32], 10),
        ["WideResNet28x10"] = new(() => new Zoo.WideResNet28x10(), Zoo.WideResNet28x10.ParameterCount, [1, 3, 32, 32], 10),
        ["PreActResNet110"] = new(() => new Zoo.PreActResNet110(), Zoo.PreActResNet110.ParameterCount, [2, 3, 32, 32], 10),
        ["SpecResNet"] = new(() => new Zoo.SpecResNet(), Zoo.SpecResNet.ParameterCount, [1, 1, Zoo.SpecResNet.InputHeight, Zoo.SpecResNet.InputWidth], 2),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    private static readonly Lazy<Dictionary<string, long>> Oracle = new(RunOracle);

    private static Dictionary<string, long> RunOracle()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Python", "literature_oracle.py");
        var start = new ProcessStartInfo("/usr/bin/python3", $"\"{script}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"literature_oracle.py failed: {stderr.Result}");
        using var doc = JsonDocument.Parse(stdout.Result);
        return doc.RootElement.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetProperty("params").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Counts_match_the_independent_pytorch_definition_and_forward_backward_run(string name)
    {
        var c = Cases[name];
        Assert.Equal(Oracle.Value[name], c.ParameterCount);
        manual_seed(5);
        using var model = c.Create();
        Assert.Equal(c.ParameterCount, StateDicts.ParameterCount(model));
        model.train();
        using var scope = NewDisposeScope();
        var logits = model.call(randn(c.Input));
        Assert.Equal([c.Input[0], c.Classes], logits.shape);
        var loss = nn.functional.cross_entropy(logits, zeros(c.Input[0], dtype: ScalarType.Int64));
        Assert.True(float.IsFinite(loss.item<float>()));
        loss.backward();
        var withGradient = model.parameters().Count(p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        Assert.True(withGradient > 0.9 * model.parameters().Count(), $"{name}: {withGradient} of {model.parameters().Count()} parameters got a gradient");
    }
}
