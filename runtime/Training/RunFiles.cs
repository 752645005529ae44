using System.Globalization;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// What a run writes into its output folder (rank 0 only): the checkpoint of the exact position,
/// the best model so far, and the reports (metrics.csv, metrics.json, steps.csv, report.html).
/// Every file is written atomically, so a crash leaves the previous complete version.
/// </summary>
internal sealed class RunFiles(string directory)
{
    public string CheckpointPath { get; } = Path.Combine(directory, Trainer.CheckpointFile);

    public string BestModelPath { get; } = Path.Combine(directory, Trainer.BestModelFile);

    public string ReportPath { get; } = Path.Combine(directory, Trainer.ReportFile);

    public string? ExistingBestModel => File.Exists(BestModelPath) ? BestModelPath : null;

    public void SaveBestModel(Module model, int epoch)
    {
        using var scope = torch.NewDisposeScope();
        Safetensors.Save(BestModelPath, model.state_dict(), new Dictionary<string, string> { ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>The position (the next epoch and batch to run, the epoch's sums so far) and everything an exact resume needs.</summary>
    public void SaveCheckpoint(FitContext fit, int epoch, int nextBatch, EpochSums sums, double trainSeconds)
    {
        var parts = fit.Parts;
        Checkpoint.Save(CheckpointPath, new Checkpoint
        {
            Epoch = epoch,
            NextBatch = nextBatch,
            LossSum = sums.LossSum,
            Correct = sums.Correct,
            Seen = sums.Seen,
            TrainSeconds = trainSeconds,
            WorldSize = parts.Parallel.WorldSize,
            History = fit.History.Epochs,
            Network = fit.NetworkName,
            Dataset = parts.Options.DatasetName,
            BatchSize = fit.Train.BatchSize,
            TrainSamples = fit.TrainSamples,
            Seed = parts.Options.Seed,
            Scheduler = fit.Step.Scheduler?.state_dict() ?? [],
            Scaler = parts.Scaler.is_enabled() ? parts.Scaler.state_dict() : [],
        }, parts.Model, parts.Optimizer, parts.Options.Device);
    }

    public void WriteReports(TrainingHistory history, ConfusionMatrix confusion, IReadOnlyList<string>? classNames) =>
        TrainingReport.WriteAll(directory, history, confusion, classNames);
}
