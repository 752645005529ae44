using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// The tensor side of <see cref="Accuracy"/> and <see cref="ConfusionMatrix"/> (which take plain
/// arrays and know no tensor type): top-k counts computed on the tensors' device, and confusion
/// matrix updates from 1-d class-index tensors or logits.
/// </summary>
public static class TensorMetrics
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

    /// <summary>Adds a batch of predicted class indices and labels given as 1-d integer tensors (any device).</summary>
    public static void Add(this ConfusionMatrix confusion, Tensor predicted, Tensor actual)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        confusion.Add(ToLongArray(predicted), ToLongArray(actual));
    }

    /// <summary>Adds a batch given as logits [N, K] (the prediction is the arg-max) and labels [N].</summary>
    public static void AddLogits(this ConfusionMatrix confusion, Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.dim() != 2 || logits.size(1) != confusion.Classes)
            throw new ArgumentException($"logits must be [N, {confusion.Classes}]; got [{string.Join(", ", logits.shape)}]", nameof(logits));
        using var predicted = logits.argmax(1);
        confusion.Add(predicted, labels);
    }

    /// <summary>A 1-d integer tensor's values as int64 on the CPU.</summary>
    private static long[] ToLongArray(Tensor t)
    {
        if (t.dim() != 1) throw new ArgumentException($"expected a 1-d tensor; got [{string.Join(", ", t.shape)}]", nameof(t));
        if (t.dtype == ScalarType.Int64 && !t.is_cuda) return t.ToArray<long>();
        using var cpu = t.to(Device.CPU, ScalarType.Int64);
        return cpu.ToArray<long>();
    }
}
