using Microsoft.CodeAnalysis;
using Xunit;

namespace ResNetGen.Runtime.Tests.Layering;

/// <summary>The runtime's layers point one way: Torch ← Data ← Distributed ← Training.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void No_runtime_layer_references_a_higher_one()
    {
        var compilation = RuntimeSources.Compilation;
        // Every type, namespace and simple name must resolve, or a reference could go unseen. (Members
        // that only source generators add, as JsonSerializerContext's, stay unresolved here: they are
        // declared on a type that does resolve, and is checked.)
        var unresolved = compilation.GetDiagnostics()
            .Where(d => d.Id is "CS0246" or "CS0234" or "CS0103")
            .Select(d => d.ToString())
            .ToList();
        Assert.True(unresolved.Count == 0, "unresolved names in the runtime's sources:\n" + string.Join("\n", unresolved));
        // The sources declare exactly the four layers: none is missing (the check would pass vacuously)
        // and no namespace beside them escapes the rules (give a new one its layer in LayerRules).
        var declared = compilation.Assembly.GlobalNamespace.GetNamespaceMembers().Single(ns => ns.Name == "ResNetGen")
            .GetNamespaceMembers().Select(ns => ns.ToDisplayString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(LayerRules.Layers.Order(StringComparer.Ordinal), declared);

        var violations = LayerRules.Find(compilation);

        Assert.True(violations.Count == 0, "lower layers reference higher ones:\n" + string.Join("\n", violations));
    }

    [Theory]
    // A member of a higher layer's type
    [InlineData("ResNetGen.Torch.Modules", "public sealed class Leak { public ResNetGen.Distributed.ProcessGroup? Group { get; set; } }",
        "ResNetGen.Distributed")]
    // A using directive, and the type it brings in
    [InlineData("ResNetGen.Data", "using ResNetGen.Training; static class Leak { static System.Type T() => typeof(Trainer); }",
        "ResNetGen.Training")]
    // A static member reached through a partly qualified name
    [InlineData("ResNetGen.Torch", "static class Leak { static void M() => Distributed.LocalLauncher.FreePort(); }",
        "ResNetGen.Distributed")]
    // A higher layer's type constructed from below
    [InlineData("ResNetGen.Distributed", "static class Leak { static object M() => new ResNetGen.Training.TrainerOptions(); }",
        "ResNetGen.Training")]
    public void A_lower_layer_using_a_higher_one_is_reported(string ns, string code, string higher)
    {
        var source = code.StartsWith("using", StringComparison.Ordinal)
            ? code.Insert(code.IndexOf(';') + 1, $" namespace {ns} {{") + " }"
            : $"namespace {ns} {{ {code} }}";

        var violations = LayerRules.Find(RuntimeSources.Compile([("Leak.cs", source)]), "Leak.cs");

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal(higher, LayerRules.Layers[LayerRules.LayerOf(v.ReferencedNamespace)]));
    }

    [Theory]
    [InlineData("ResNetGen.Training", "static class Fine { static object M() => new ResNetGen.Torch.Modules.Identity(); }")]
    [InlineData("ResNetGen.Distributed", "static class Fine { static object M(ResNetGen.Data.TensorDataset d) => d; }")]
    [InlineData("ResNetGen.Torch", "static class Fine { static int M() => ResNetGen.Torch.torch.get_num_threads(); }")]
    public void Using_the_same_or_a_lower_layer_is_allowed(string ns, string code)
    {
        var compilation = RuntimeSources.Compile([("Fine.cs", $"namespace {ns} {{ {code} }}")]);
        var fine = compilation.SyntaxTrees.Single(t => t.FilePath == "Fine.cs");
        Assert.Empty(compilation.GetSemanticModel(fine).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        Assert.Empty(LayerRules.Find(compilation, "Fine.cs"));
    }
}
