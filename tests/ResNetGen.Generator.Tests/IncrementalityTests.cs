using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ResNetGen.Generator.Tests;

public class IncrementalityTests
{
    private static readonly string[] TrackedSteps =
    {
        ResNetGenerator.Steps.Target, ResNetGenerator.Steps.Parse, ResNetGenerator.Steps.Analyse, ResNetGenerator.Steps.Model, ResNetGenerator.Steps.Emit,
        ResNetGenerator.Steps.Blocks, ResNetGenerator.Steps.BlockSpecs, ResNetGenerator.Steps.BlockEmit, ResNetGenerator.Steps.OrphanStages,
    };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(
            Families.All["CustomBlock"],
            Families.All["ResNet50"],
            "namespace Other; public class Unrelated { public int A; }",
            "using ResNetGen; [ResidualStage(8, 1)] public partial class Orphan { }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, CSharpCompilation next) =>
        driver.RunGenerators(next).GetRunResult().Results.Single();

    [Fact]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var unrelated = compilation.SyntaxTrees.ElementAt(2);
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int A; public int B; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var result = Rerun(driver, edited);

        foreach (var name in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
            foreach (var step in result.TrackedSteps[name])
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason}");
                }
            }
        }
        foreach (var (_, steps) in result.TrackedOutputSteps)
        {
            Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
    }

    [Fact]
    public void Comment_in_the_network_file_reparses_but_does_not_re_emit()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText("// a comment moves every location\n" + Families.All["ResNet50"], GeneratorHarness.ParseOptions, tree.FilePath));
        var result = Rerun(driver, edited);
        var models = result.TrackedSteps[ResNetGenerator.Steps.Model].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.All(models, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        var emits = result.TrackedSteps[ResNetGenerator.Steps.Emit].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.All(emits, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Changing_an_attribute_re_emits_that_network()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Families.All["ResNet50"].Replace("InputSize = 224", "InputSize = 224, NumClasses = 10"), GeneratorHarness.ParseOptions, tree.FilePath));
        var result = Rerun(driver, edited);
        Assert.Contains(result.TrackedSteps[ResNetGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }
}
