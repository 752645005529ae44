using System.Reflection;
using Microsoft.CodeAnalysis;
using ResNetGen.Torch;
using Xunit.Abstractions;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// The random branch programs that compile (<see cref="BranchRobustnessTests.RandomBranchProgram"/>), built
/// into assemblies and run on ResNetGen.Torch: what shape inference predicted at generation time (the
/// output shape, <c>ParameterCount</c>) is what libtorch computes, and a backward pass reaches every parameter.
/// </summary>
[Collection("branch zoo")]
public class BranchRuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_branch_programs_that_compile_run_forward_and_backward_as_predicted()
    {
        var ran = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var source = BranchRobustnessTests.RandomBranchProgram(seed);
            var run = GeneratorHarness.Run(Target.ResNetGenTorch, source);
            if (run.HasGeneratorErrors || run.Generated.Length == 0) continue;
            using var image = new MemoryStream();
            var emitted = run.Output.Emit(image);
            Assert.True(emitted.Success, $"seed {seed}: {GeneratorHarness.Describe(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))}\n{source}");
            var type = Assembly.Load(image.ToArray()).GetTypes().Single(t => t.Name == $"BranchNet{seed}");
            long Constant(string name) => Convert.ToInt64(type.GetField(name)!.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture);
            var size = Constant("InputSize") > 0 ? Constant("InputSize") : 32;
            var classes = Constant("NumClasses") > 0 ? Constant("NumClasses") : Constant("OutputFeatures");

            using var net = (Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
            using var scope = torch.NewDisposeScope();
            Assert.True(Constant("ParameterCount") == net.parameters().Sum(p => p.numel()), $"seed {seed}: ParameterCount {Constant("ParameterCount")} but the module has {net.parameters().Sum(p => p.numel())}\n{source}");
            net.train();
            Tensor y;
            try
            {
                y = net.forward(torch.randn(2, Constant("InChannels"), size, size));
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: forward failed: {ex.Message}\n{source}");
            }
            Assert.True(y.shape.SequenceEqual(new[] { 2L, classes }), $"seed {seed}: output [{string.Join(", ", y.shape)}], predicted [2, {classes}]\n{source}");
            y.sum().backward();
            foreach (var (name, p) in net.named_parameters())
            {
                Assert.True(p.grad is not null, $"seed {seed}: {name} got no gradient\n{source}");
            }
            ran++;
        }
        output.WriteLine($"{ran} compiled random branch programs ran forward and backward with the predicted shapes and counts");
        Assert.True(ran >= 40, $"only {ran} programs ran");
    }
}
