namespace ResNetGen.Reports.Metrics;

/// <summary>
/// Top-k accuracy counts: how many samples have their label among the k highest logits.
/// k larger than the number of classes counts as the number of classes (every sample hits).
/// Return counts rather than fractions so batches add up exactly. Plain arrays in: any tensor library
/// (ResNetGen.Torch, TorchSharp) copies its logits out and counts here; ResNetGen.Training.TensorMetrics
/// counts on the device.
/// </summary>
public static class Accuracy
{
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
