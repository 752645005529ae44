using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// The incrementality harness, in the style of NetEscapades.EnumGenerators' tests: run each case twice
/// over equal compilations; the second run must find every tracked step Cached or Unchanged, and no
/// step may carry a symbol, a syntax node or a compilation (which would pin old compilations in memory
/// and defeat caching). Locations are allowed only in the diagnostics branch, never in the models.
/// </summary>
public class IncrementalityHarnessTests
{
    private static readonly string[] AllSteps =
    {
        ResNetGenerator.Steps.Target, ResNetGenerator.Steps.Parse, ResNetGenerator.Steps.Analyse, ResNetGenerator.Steps.Model,
        ResNetGenerator.Steps.Emit, ResNetGenerator.Steps.Blocks, ResNetGenerator.Steps.BlockSpecs, ResNetGenerator.Steps.BlockEmit,
        ResNetGenerator.Steps.OrphanStages,
    };

    private static readonly string[] LocationFreeSteps = { ResNetGenerator.Steps.Model, ResNetGenerator.Steps.Emit, ResNetGenerator.Steps.BlockSpecs, ResNetGenerator.Steps.Target };

    public static TheoryData<string, Target> Cases()
    {
        var data = new TheoryData<string, Target>();
        foreach (var family in new[] { "ResNet50", "CifarOptionA", "CustomBlock", "PreActResNet18", "StochasticDepth", "SqueezeExcite" })
        {
            data.Add(family, Target.ResNetGenTorch);
            data.Add(family, Target.TorchSharp);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Second_run_is_cached_and_no_step_holds_symbols_syntax_or_compilations(string family, Target target)
    {
        // An orphan stage and an unused block, so every branch of the pipeline has an input to track.
        var compilation = GeneratorHarness.Compile(target, Families.All[family],
            "using ResNetGen; [ResidualStage(8, 1)] public partial class Orphan { }",
            "using ResNetGen; [ResidualBlock] [Conv(3)] [BatchNorm] public partial class SpareBlock { }");
        var driver = GeneratorHarness.CreateDriver();
        driver = driver.RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.NotEmpty(first.GeneratedSources);

        driver = driver.RunGenerators(compilation.Clone());
        var second = driver.GetRunResult().Results.Single();

        foreach (var name in AllSteps)
        {
            Assert.True(first.TrackedSteps.ContainsKey(name), $"{name} was not tracked");
            var steps1 = first.TrackedSteps[name];
            var steps2 = second.TrackedSteps[name];
            Assert.Equal(steps1.Length, steps2.Length);
            for (var i = 0; i < steps2.Length; i++)
            {
                var outputs1 = steps1[i].Outputs.Select(o => o.Value).ToList();
                var outputs2 = steps2[i].Outputs.Select(o => o.Value).ToList();
                Assert.Equal(outputs1, outputs2); // value equality: what makes caching possible
                foreach (var (value, reason) in steps2[i].Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason}");
                    AssertNoCompilerObjects(value, name, allowLocations: !LocationFreeSteps.Contains(name));
                }
            }
        }
    }

    [Fact]
    public void The_walker_finds_a_symbol_hidden_in_a_record()
    {
        var compilation = GeneratorHarness.Compile("public class C { }");
        var symbol = compilation.GetTypeByMetadataName("C")!;
        var error = Assert.ThrowsAny<Exception>(() => AssertNoCompilerObjects(new { Inner = new List<object> { 1, symbol } }, "test", allowLocations: false));
        Assert.Contains("ISymbol", error.Message);
    }

    /// <summary>Walks an object graph (fields, collections) and fails on ISymbol, SyntaxNode, Compilation (and Location where not allowed).</summary>
    internal static void AssertNoCompilerObjects(object? root, string step, bool allowLocations)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(object? Value, string Path)>();
        stack.Push((root, step));
        while (stack.Count > 0)
        {
            var (value, path) = stack.Pop();
            if (value is null) continue;
            var type = value.GetType();
            if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) continue;
            if (value is ISymbol) throw new Xunit.Sdk.XunitException($"{path} holds an ISymbol ({type.Name})");
            if (value is SyntaxNode) throw new Xunit.Sdk.XunitException($"{path} holds a SyntaxNode ({type.Name})");
            if (value is Compilation) throw new Xunit.Sdk.XunitException($"{path} holds a Compilation ({type.Name})");
            if (value is Location)
            {
                if (!allowLocations) throw new Xunit.Sdk.XunitException($"{path} holds a Location: models must be location-free");
                continue; // compares by tree and span; allowed in the diagnostics branch
            }
            if (!type.IsValueType && !seen.Add(value)) continue;
            if (value is IEnumerable items)
            {
                var i = 0;
                foreach (var item in items) stack.Push((item, $"{path}[{i++}]"));
                continue;
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    stack.Push((field.GetValue(value), $"{path}.{field.Name}"));
                }
            }
        }
    }
}
