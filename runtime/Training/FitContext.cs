using System.Diagnostics;
using System.Globalization;
using ResNetGen.Data;
using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// What one <see cref="Trainer.Fit"/> call works with and does not change: the trainer's parts,
/// this rank's training shard, the test loader, the step (with its schedule), the output files,
/// the history the reports are written from, and the wall clock of the run.
/// </summary>
internal sealed class FitContext
{
    public required TrainingParts Parts { get; init; }
    public required ITrainingObserver Observer { get; init; }
    public required RunFiles Files { get; init; }

    /// <summary>This rank's shard of the training data (the whole set alone).</summary>
    public required DataLoader Train { get; init; }

    public required DataLoader Test { get; init; }

    /// <summary>The size of the whole training set (all ranks), recorded in checkpoints.</summary>
    public required int TrainSamples { get; init; }

    public required TrainStep Step { get; init; }
    public required TrainingHistory History { get; init; }
    public required CancellationToken Cancel { get; init; }
    public Stopwatch Wall { get; } = Stopwatch.StartNew();

    public TrainerOptions Options => Parts.Options;

    public string NetworkName => Options.NetworkName ?? Parts.Model.Name;

    /// <summary>
    /// Shards the training data for this rank, refuses data that gives no step or nothing to
    /// evaluate, builds the schedule for the epoch's step count and the run's history header.
    /// </summary>
    public static FitContext Start(TrainingParts parts, ITrainingObserver observer, RunFiles files, DataLoader train, DataLoader test,
        CancellationToken cancel)
    {
        var samples = train.Dataset.Count;
        var parallel = parts.Parallel;
        train = parallel.ShardForTraining(train);
        // An epoch of no step would "train" nothing and report NaN metrics (and one-cycle cannot even be built).
        if (train.Count == 0)
            throw new InvalidOperationException(
                $"the training set gives no step per epoch: {samples} sample(s) with batch size {train.BatchSize}" +
                (parallel.Enabled ? $" per process × {parallel.WorldSize} processes = {train.BatchSize * parallel.WorldSize} per step" : "") +
                (train.DropLast ? " (an incomplete last batch is dropped)" : "") + "; lower the batch size or train on more samples");
        if (test.Dataset.Count == 0) throw new InvalidOperationException("the evaluation set is empty: there is nothing to evaluate each epoch on");
        return new FitContext
        {
            Parts = parts,
            Observer = observer,
            Files = files,
            Train = train,
            Test = test,
            TrainSamples = samples,
            Step = new TrainStep(parts, parts.CreateScheduler(train.Count)),
            History = NewHistory(parts, train),
            Cancel = cancel,
        };
    }

    private static TrainingHistory NewHistory(TrainingParts parts, DataLoader train)
    {
        var (o, parallel) = (parts.Options, parts.Parallel);
        var inv = CultureInfo.InvariantCulture;
        var run = new TrainingHistory
        {
            NetworkName = o.NetworkName ?? parts.Model.Name,
            ParameterCount = parts.Model.parameter_count(),
            Device = o.Device.ToString(),
            Threads = o.Device.type == DeviceType.CPU ? torch.get_num_threads() : 0,
            BatchSize = train.BatchSize,
            Optimizer = o.Optimizer.ToString(),
            Seed = o.Seed,
            PlannedEpochs = o.Epochs,
        };
        run.Set("learning rate", o.LearningRate.ToString("G4", inv))
           .Set("schedule", o.Schedule.ToString())
           .Set("weight decay", o.WeightDecay.ToString("G4", inv))
           .Set("label smoothing", o.LabelSmoothing.ToString("G4", inv))
           .Set("channels last", parts.ChannelsLast.ToString())
           .Set("mixed precision", parts.MixedPrecision ? o.MixedPrecisionDType.TorchName() : "off")
           .Set("train samples", train.Dataset.Count.ToString(inv));
        if (parallel.Enabled)
            run.Set("data-parallel processes", $"{parallel.WorldSize} ({parallel.Group!.Backend}); batch size is per process, global batch {train.BatchSize * parallel.WorldSize}")
               .Set("sync batch norm", o.SyncBatchNorm.ToString());
        return run;
    }
}
