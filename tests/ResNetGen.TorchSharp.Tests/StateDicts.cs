using System.Text;
using Module = TorchSharp.torch.nn.Module;

namespace ResNetGen.TorchSharp.Tests;

/// <summary>State-dict comparisons and by-name loading with the shape checks TorchSharp leaves out.</summary>
public static class StateDicts
{
    /// <summary>Every state-dict key with its shape, ordered by key (TorchSharp lists parameters, then buffers).</summary>
    public static SortedDictionary<string, long[]> Signature(Module module) =>
        new(module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape), StringComparer.Ordinal);

    /// <summary>Number of trainable parameter elements.</summary>
    public static long ParameterCount(Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>
    /// The differences between two key → shape maps, one per line (missing, unexpected, other shape);
    /// empty when they are equal.
    /// </summary>
    public static string Differences(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> actual)
    {
        var text = new StringBuilder();
        foreach (var (key, shape) in expected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(key, out var other)) text.AppendLine($"missing {key} {Shape(shape)}");
            else if (!shape.SequenceEqual(other)) text.AppendLine($"{key}: expected {Shape(shape)}, got {Shape(other)}");
        }
        foreach (var key in actual.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            text.AppendLine($"unexpected {key} {Shape(actual[key])}");
        }
        return text.ToString();
    }

    /// <summary>Asserts that <paramref name="actual"/>'s keys and shapes are exactly <paramref name="expected"/>.</summary>
    public static void AssertSameSignature(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> actual, string what)
    {
        var differences = Differences(expected, actual);
        Assert.True(differences.Length == 0, $"{what}: state_dict keys/shapes differ:\n{differences}");
    }

    /// <summary>
    /// Copies <paramref name="source"/>'s state into <paramref name="target"/> by name, after checking
    /// that both have exactly the same keys and shapes: TorchSharp's <c>load_state_dict</c> copies a
    /// smaller tensor into a larger one without complaint.
    /// </summary>
    public static void CopyByName(Module source, Module target)
    {
        AssertSameSignature(Signature(source), Signature(target), $"{source.GetName()} → {target.GetName()}");
        target.load_state_dict(source.state_dict(), strict: true);
    }

    public static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
