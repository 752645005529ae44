using System.Diagnostics;
using ResNetGen.Reports.Metrics;

namespace ResNetGen.Training;

/// <summary>
/// The epoch step of <see cref="Trainer.Fit"/>: one epoch's optimisation steps from the run's
/// position, a progress report every <see cref="TrainerOptions.ReportEvery"/> steps and at the last
/// (where the loss is checked for divergence), and on cancellation a checkpoint of the exact batch.
/// </summary>
internal sealed class TrainingEpoch(FitContext fit, RunPosition at)
{
    private readonly List<StepMetrics> steps = [];
    private readonly Stopwatch watch = new();
    private EpochSums window;   // the sums at the previous report: the step series shows the loss since then
    private long seenAtStart;

    /// <summary>The per-step series recorded at the reports.</summary>
    public IReadOnlyList<StepMetrics> Steps => steps;

    /// <summary>The epoch's training seconds, including those before a resume.</summary>
    public double TrainSeconds => at.TrainSeconds + watch.Elapsed.TotalSeconds;

    /// <summary>Runs the epoch's remaining steps; false when it stopped early on cancellation (after saving a checkpoint).</summary>
    public bool Run()
    {
        var (parallel, train) = (fit.Parts.Parallel, fit.Train);
        fit.Observer.OnEpochStart(at.Epoch, fit.Options.Epochs, train.Count);
        fit.Parts.Model.train();
        watch.Start();
        (window, seenAtStart) = (at.Sums, at.Sums.Seen);
        // This rank's share of the sums: from a checkpoint, rank 0 carries them and the others start at 0.
        using var totals = DeviceTotals.Start(parallel.IsMain ? at.Sums : default, fit.Options.Device);
        at.Batch = at.EpochStartBatch;
        foreach (var batch in train.GetEpoch(at.Epoch, at.EpochStartBatch))
        {
            using (batch) fit.Step.Run(batch, totals);
            at.Batch++;
            var last = at.Batch == train.Count;
            // Alone, a cancellation is seen at the very batch; data-parallel, the ranks agree on it at reports.
            var stop = !parallel.Enabled && fit.Cancel.IsCancellationRequested;
            if (at.Batch % fit.Options.ReportEvery == 0 || last) stop = Report(totals);
            if (stop && !last)
            {
                Interrupt(totals);
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads the sums over all ranks, stops on divergence, records the step series and tells the observer. Returns whether to stop.</summary>
    private bool Report(DeviceTotals totals)
    {
        var reduced = totals.Reduce(fit.Parts.Parallel, fit.Cancel.IsCancellationRequested);
        var sums = at.Sums = reduced.Sums;
        var lr = fit.Parts.LearningRate;
        if (!double.IsFinite(sums.MeanLoss)) throw new TrainingDivergedException(at.Epoch, at.Batch, sums.MeanLoss, lr);
        var count = fit.Train.Count;
        steps.Add(new StepMetrics((long)(at.Epoch - 1) * count + at.Batch, (sums.LossSum - window.LossSum) / (sums.Seen - window.Seen), lr));
        window = sums;
        var elapsed = watch.Elapsed.TotalSeconds;
        var rate = (sums.Seen - seenAtStart) / Math.Max(elapsed, 1e-9);
        var remaining = TimeSpan.FromSeconds((count - at.Batch) * (elapsed / Math.Max(1, at.Batch - at.EpochStartBatch)));
        fit.Observer.OnStep(new StepProgress(at.Epoch, fit.Options.Epochs, at.Batch, count, sums.MeanLoss, sums.Accuracy,
            rate, watch.Elapsed, remaining, lr));
        return reduced.Stop;
    }

    /// <summary>Saves a checkpoint of the exact batch (rank 0) once every rank has stopped here.</summary>
    private void Interrupt(DeviceTotals totals)
    {
        var parallel = fit.Parts.Parallel;
        if (fit.Parts.BroadcastBuffers) parallel.BroadcastBuffers(fit.Parts.Model);
        var reduced = totals.Reduce(parallel, fit.Cancel.IsCancellationRequested);
        if (parallel.IsMain)
        {
            fit.Files.SaveCheckpoint(fit, at.Epoch, at.Batch, reduced.Sums, TrainSeconds);
            fit.Observer.OnMessage($"interrupted at epoch {at.Epoch}, batch {at.Batch}: checkpoint saved to {fit.Files.CheckpointPath}");
        }
        parallel.Barrier(); // every rank returns once the checkpoint is on disk
    }
}

/// <summary>A finished epoch: its metrics (as appended to the history) and its evaluation, with the confusion matrix.</summary>
internal sealed record EvaluatedEpoch(EpochMetrics Metrics, EvaluationResult Evaluation);
