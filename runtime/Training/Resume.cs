using ResNetGen.Data;

namespace ResNetGen.Training;

/// <summary>
/// The resume step of <see cref="Trainer.Fit"/>: checks that a checkpoint belongs to this run's
/// settings, loads the model, optimizer, generators, schedule and scaler from it, and returns the
/// position it was written at (the finished epochs go back into the history).
/// </summary>
internal static class Resume
{
    public static RunPosition From(string path, FitContext fit)
    {
        var parts = fit.Parts;
        var c = Checkpoint.ReadInfo(path);
        // The position within an epoch and the schedule's step count both depend on how epochs are sharded.
        if (c.WorldSize != parts.Parallel.WorldSize)
            throw new InvalidOperationException(
                $"{path} was written by a run of {c.WorldSize} process(es); resume it with {c.WorldSize} (this run has {parts.Parallel.WorldSize}): " +
                "the position within an epoch and the learning-rate schedule depend on how each epoch is split between processes");
        CheckSameSettings(path, c, fit);
        Checkpoint.Restore(path, parts.Model, parts.Optimizer, parts.Options.Device,
            optimizerHasState: parts.Options.Optimizer == OptimizerKind.AdamW || parts.Options.Momentum > 0);
        fit.Step.Scheduler?.load_state_dict(c.Scheduler);
        if (c.Scaler.Count > 0) parts.Scaler.load_state_dict(c.Scaler);
        fit.History.Epochs.AddRange(c.History);
        fit.Observer.OnMessage($"resumed from {path} at epoch {c.Epoch}, batch {c.NextBatch}");
        return new RunPosition
        {
            Epoch = c.Epoch,
            EpochStartBatch = c.NextBatch,
            Batch = c.NextBatch,
            Sums = new EpochSums(c.LossSum, c.Correct, c.Seen),
            TrainSeconds = c.TrainSeconds,
            BestTestTop1 = c.History.Count == 0 ? double.NegativeInfinity : c.History.Max(h => h.TestTop1),
            LastCheckpoint = $"{path} (epoch {c.Epoch}, batch {c.NextBatch})",
        };
    }

    /// <summary>
    /// Refuses a checkpoint written with other settings that decide the data order, the position
    /// within an epoch or the schedule: resuming it would silently continue on different data.
    /// </summary>
    private static void CheckSameSettings(string path, Checkpoint c, FitContext fit)
    {
        var differences = new List<string>();
        void Compare<T>(string what, T? saved, T current)
        {
            if (saved is not null && !EqualityComparer<T>.Default.Equals(saved, current)) differences.Add($"{what} {saved} (this run: {current})");
        }
        DataLoader train = fit.Train;
        Compare("network", c.Network, fit.NetworkName);
        if (fit.Options.DatasetName is not null) Compare("dataset", c.Dataset, fit.Options.DatasetName);
        Compare("batch size", c.BatchSize, train.BatchSize);
        Compare("training samples", c.TrainSamples, train.Dataset.Count);
        Compare("seed", c.Seed, fit.Options.Seed);
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"cannot resume {path}: it was written with {string.Join(", ", differences)}; resume with the same settings " +
                "(the data order, the position within an epoch and the schedule depend on them) or start a new run");
        if (c.NextBatch > train.Count)
            throw new InvalidOperationException($"cannot resume {path}: it stopped at batch {c.NextBatch} but an epoch of this run has {train.Count}");
    }
}
