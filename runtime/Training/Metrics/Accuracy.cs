using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// Top-k accuracy counts: how many samples have their label among the k highest logits.
/// k larger than the number of classes counts as the number of classes (every sample hits).
/// Return counts rather than fractions so batches add up exactly.
/// </summary>
public static class Accuracy
{
    /// <summary>Top-k hit counts for each k in <paramref name="ks"/>; logits [N, K] and labels [N] on any device, one sync per k.</summary>
    public static long[] TopKCorrect(Tensor logits, Tensor labels, params int[] ks)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(ks);
        if (ks.Length == 0) return [];
        foreach (var k in ks) ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(ks));
        if (logits.dim() != 2) throw new ArgumentException($"logits must be [N, K]; got [{string.Join(", ", logits.shape)}]", nameof(logits));
        var n = logits.size(0);
        var classes = logits.size(1);
        if (labels.dim() != 1 || labels.size(0) != n)
            throw new ArgumentException($"labels must be [{n}]; got [{string.Join(", ", labels.shape)}]", nameof(labels));

        using var scope = torch.NewDisposeScope();
        var kmax = Math.Min(ks.Max(), classes);
        var (_, indices) = logits.topk(kmax, 1);
        var hits = indices.eq(labels.unsqueeze(1)); // [N, kmax] bool: at most one true per row
        var result = new long[ks.Length];
        for (var i = 0; i < ks.Length; i++)
            result[i] = hits.slice(1, 0, Math.Min(ks[i], kmax)).sum().item<long>();
        return result;
    }

    /// <summary>Top-k hit count of one batch.</summary>
    public static long TopKCorrect(Tensor logits, Tensor labels, int k) => TopKCorrect(logits, labels, [k])[0];

    /// <summary>Top-1 and top-5 hit counts of one batch.</summary>
    public static (long Top1, long Top5) Top1Top5(Tensor logits, Tensor labels)
    {
        var r = TopKCorrect(logits, labels, 1, 5);
        return (r[0], r[1]);
    }

    /// <summary>
    /// Top-k hit counts from row-major logits [N, <paramref name="classes"/>] in managed memory.
    /// Ties rank the lower class index first (as arg-max does), so the answer is deterministic.
    /// </summary>
    public static long[] TopKCorrect(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<long> labels, params int[] ks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentNullException.ThrowIfNull(ks);
        foreach (var k in ks) ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(ks));
        if (logits.Length != (long)labels.Length * classes)
            throw new ArgumentException($"{logits.Length} logits do not make {labels.Length} rows of {classes} classes");
        var result = new long[ks.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if ((ulong)label >= (ulong)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"label {i} is not a class index in [0, {classes})");
            var row = logits.Slice(i * classes, classes);
            var target = row[(int)label];
            var rank = 0; // classes ranked above the label
            for (var c = 0; c < classes; c++)
                if (row[c] > target || (row[c] == target && c < label) || (float.IsNaN(target) && c != label)) rank++;
            for (var j = 0; j < ks.Length; j++)
                if (rank < ks[j]) result[j]++;
        }
        return result;
    }

    /// <summary>The arg-max class of each row of row-major logits [N, <paramref name="classes"/>] (first index on ties).</summary>
    public static long[] ArgMax(ReadOnlySpan<float> logits, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (logits.Length % classes != 0) throw new ArgumentException($"{logits.Length} logits do not make rows of {classes} classes");
        var result = new long[logits.Length / classes];
        for (var i = 0; i < result.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }
}

internal static class Metrics
{
    /// <summary>A 1-d integer tensor's values as int64 on the CPU.</summary>
    public static long[] ToLongArray(Tensor t)
    {
        if (t.dim() != 1) throw new ArgumentException($"expected a 1-d tensor; got [{string.Join(", ", t.shape)}]", nameof(t));
        if (t.dtype == ScalarType.Int64 && !t.is_cuda) return t.ToArray<long>();
        using var cpu = t.to(Device.CPU, ScalarType.Int64);
        return cpu.ToArray<long>();
    }
}
