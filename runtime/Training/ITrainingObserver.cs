using ResNetGen.Reports.Metrics;

namespace ResNetGen.Training;

/// <summary>Where a step's progress is reported (a progress bar, plain log lines, a test).</summary>
public sealed record StepProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Accuracy,
    double ImagesPerSecond, TimeSpan Elapsed, TimeSpan Remaining, double LearningRate);

/// <summary>Receives the Trainer's progress. Every method has a do-nothing default.</summary>
public interface ITrainingObserver
{
    void OnEpochStart(int epoch, int epochs, int steps) { }

    void OnStep(StepProgress progress) { }

    void OnEvaluating(int epoch) { }

    void OnEpochEnd(EpochMetrics metrics) { }

    void OnMessage(string message) { }
}

/// <summary>Plain lines on a TextWriter: what CI logs and pipes get.</summary>
public sealed class PlainTextObserver(TextWriter output, int everySteps = 50) : ITrainingObserver
{
    public void OnEpochStart(int epoch, int epochs, int steps) => output.WriteLine($"epoch {epoch}/{epochs}: {steps} steps");

    public void OnStep(StepProgress p)
    {
        if (p.Step % everySteps != 0 && p.Step != p.Steps) return;
        output.WriteLine(FormattableString.Invariant(
            $"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.Steps}  loss {p.Loss:F4}  acc {p.Accuracy:P2}  {p.ImagesPerSecond:F0} img/s  lr {p.LearningRate:G4}  eta {p.Remaining:hh\\:mm\\:ss}"));
    }

    public void OnEvaluating(int epoch) => output.WriteLine($"  evaluating epoch {epoch}...");

    public void OnEpochEnd(EpochMetrics m) => output.WriteLine(FormattableString.Invariant(
        $"epoch {m.Epoch}: train loss {m.TrainLoss:F4} acc {m.TrainTop1:P2} | test loss {m.TestLoss:F4} top-1 {m.TestTop1:P2} top-5 {m.TestTop5:P2} | {m.ImagesPerSecond:F0} img/s, {m.EpochSeconds:F0}s"));

    public void OnMessage(string message) => output.WriteLine(message);
}
