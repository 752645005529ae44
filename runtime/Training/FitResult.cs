using ResNetGen.Reports.Metrics;

namespace ResNetGen.Training;

/// <summary>Why <see cref="Trainer.Fit"/> stopped.</summary>
public enum FitOutcome
{
    Completed,

    /// <summary>Cancelled (e.g. Ctrl+C): a checkpoint of the exact position was saved first.</summary>
    Interrupted,
}

/// <param name="ReportPath">The self-contained HTML report (rewritten every epoch, beside metrics.csv and metrics.json).</param>
public sealed record FitResult(FitOutcome Outcome, TrainingHistory History, string CheckpointPath, string? BestModelPath, string ReportPath);

/// <summary>The loss became NaN or infinite: training stopped instead of wasting the remaining time.</summary>
public sealed class TrainingDivergedException(int epoch, int step, double loss, double learningRate)
    : Exception($"training diverged at epoch {epoch}, step {step}: the loss is {loss} (learning rate {learningRate:G4}). " +
                "Lower the learning rate, add warm-up, or check the input data for NaNs.")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
}
