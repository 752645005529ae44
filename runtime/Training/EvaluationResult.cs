using ResNetGen.Reports.Metrics;

namespace ResNetGen.Training;

/// <summary>An evaluation's mean loss, top-1 and top-5 accuracy (fractions) and its confusion matrix.</summary>
public sealed record EvaluationResult(double Loss, double Top1, double Top5, ConfusionMatrix Confusion);

/// <summary>
/// An evaluation's sums: the summed loss, the top-1 and top-5 hits, the samples, the confusion
/// matrix (null before the first batch, whose logits tell the number of classes).
/// </summary>
public sealed record EvaluationCounts(double LossSum, long Top1, long Top5, long Count, ConfusionMatrix? Confusion)
{
    public static EvaluationCounts Empty { get; } = new(0, 0, 0, 0, null);

    /// <summary>The means; throws when nothing was evaluated.</summary>
    public EvaluationResult ToResult()
    {
        if (Count == 0 || Confusion is null) throw new InvalidOperationException("the evaluation loader yielded no samples");
        return new EvaluationResult(LossSum / Count, (double)Top1 / Count, (double)Top5 / Count, Confusion);
    }
}
