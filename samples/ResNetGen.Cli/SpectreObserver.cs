using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Spectre.Console;

namespace ResNetGen.Cli;

/// <summary>A progress bar per epoch (loss, accuracy, img/s, ETA) and a results table, on an interactive terminal.</summary>
internal sealed class SpectreObserver : ITrainingObserver, IDisposable
{
    private readonly Thread? renderer;
    private readonly object gate = new();
    private ProgressTask? task;
    private ProgressContext? context;
    private readonly ManualResetEventSlim started = new();
    private readonly ManualResetEventSlim finished = new();
    private bool closing;

    public SpectreObserver()
    {
        // Spectre's live progress runs its own loop; this thread owns it while training runs on the caller's.
        renderer = new Thread(() =>
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    context = ctx;
                    started.Set();
                    while (!Volatile.Read(ref closing))
                    {
                        ctx.Refresh();
                        Thread.Sleep(100);
                    }
                });
            finished.Set();
        }) { IsBackground = true, Name = "progress" };
        renderer.Start();
        started.Wait();
    }

    public void OnEpochStart(int epoch, int epochs, int steps)
    {
        lock (gate) task = context!.AddTask($"epoch {epoch}/{epochs}", maxValue: steps);
    }

    public void OnStep(StepProgress p)
    {
        lock (gate)
        {
            if (task is null) return;
            task.Value = p.Step;
            task.Description = FormattableString.Invariant(
                $"epoch {p.Epoch}/{p.Epochs}  loss [yellow]{p.Loss:F4}[/]  acc [green]{p.Accuracy:P1}[/]  {p.ImagesPerSecond:F0} img/s  lr {p.LearningRate:G3}");
        }
    }

    public void OnEvaluating(int epoch)
    {
        lock (gate)
            if (task is not null) task.Description += "  [grey]evaluating…[/]";
    }

    public void OnEpochEnd(EpochMetrics m)
    {
        lock (gate)
        {
            if (task is null) return;
            task.Description = FormattableString.Invariant(
                $"epoch {m.Epoch}  train loss {m.TrainLoss:F4} acc {m.TrainTop1:P1}  [bold]test top-1 {m.TestTop1:P2}[/] top-5 {m.TestTop5:P1}  {m.ImagesPerSecond:F0} img/s  {m.EpochSeconds:F0}s");
            task.StopTask();
        }
    }

    public void OnMessage(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    public void Dispose()
    {
        Volatile.Write(ref closing, true);
        finished.Wait(TimeSpan.FromSeconds(5));
    }
}
