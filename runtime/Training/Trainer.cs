using System.Diagnostics;
using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;

namespace ResNetGen.Training;

/// <summary>
/// Trains any generated (or hand-written) network: SGD or AdamW, an LR schedule stepped per batch,
/// label smoothing, optional weight-decay exemption for norms and biases, channels-last, mixed
/// precision on CUDA; evaluates every epoch; checkpoints every epoch (and on cancellation) for an
/// exact resume; keeps the best model; stops with a clear message on a non-finite loss.
/// <para>
/// Given a <see cref="ProcessGroup"/> of more than one rank it trains data-parallel, as PyTorch's
/// DistributedDataParallel: rank 0's weights broadcast at the start, each rank on its own shard
/// of every epoch (the loaders are sharded here; their batch size is per rank), gradients
/// averaged over the ranks during backward, metrics summed over the ranks, and only rank 0
/// writes checkpoints, the best model and the reports.
/// </para>
/// <para>
/// The constructor only checks and stores its arguments. The set-up (libtorch threads or cudnn,
/// the model moved to the device and memory format, sync batch norm, the broadcast of rank 0's
/// weights, the optimizer) happens once, on the first <see cref="Fit"/>, <see cref="Evaluate"/>,
/// <see cref="Logits"/>, <see cref="TimeSteps"/> or read of <see cref="Optimizer"/>.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string BestModelFile = "best.safetensors";
    public const string ReportFile = TrainingReport.HtmlFile;
    public const string MetricsCsvFile = TrainingReport.CsvFile;
    public const string MetricsJsonFile = TrainingReport.JsonFile;

    /// <summary>Evaluation runs the network on at most this many images at once, whatever the loader's batch size (bounded memory).</summary>
    public const int MaxEvaluationChunk = Evaluator.MaxChunk;

    private readonly Module<Tensor, Tensor> model;
    private readonly ITrainingObserver observer;
    private readonly DataParallel parallel;
    private TrainingParts? parts;
    private TrainStep? benchmarkStep;

    /// <param name="processGroup">This process's group when it is one rank of a data-parallel job (see
    /// <see cref="ProcessGroup.FromEnvironment(string?, TimeSpan?, System.Collections.IDictionary?)"/>); null trains alone.
    /// For CUDA, <see cref="TrainerOptions.Device"/> should be this rank's GPU (cuda:LOCAL_RANK).</param>
    public Trainer(Module<Tensor, Tensor> model, TrainerOptions options, ITrainingObserver? observer = null, ProcessGroup? processGroup = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DeviceSetup.CheckAvailable(options.Device);
        this.model = model;
        Options = options;
        this.observer = observer ?? new PlainTextObserver(TextWriter.Null);
        parallel = new DataParallel(processGroup);
    }

    public TrainerOptions Options { get; }

    /// <summary>Whether this process writes checkpoints and reports (rank 0, or the only process).</summary>
    public bool IsMainProcess => parallel.IsMain;

    /// <summary>The optimizer over the model's parameters (reading it sets the trainer up).</summary>
    public Optimizer Optimizer => SetUp().Optimizer;

    /// <summary>The last epoch's evaluation (with its confusion matrix), or null before the first.</summary>
    public EvaluationResult? LastEvaluation { get; private set; }

    /// <summary>The set-up step: every process-wide and model-changing effect, once (see <see cref="TrainingParts.SetUp"/>).</summary>
    private TrainingParts SetUp() => parts ??= TrainingParts.SetUp(model, Options, parallel);

    /// <summary>
    /// Trains for <see cref="TrainerOptions.Epochs"/> epochs (from a checkpoint if
    /// <paramref name="resumeFrom"/> is given), evaluating on <paramref name="test"/> after each.
    /// Cancelling saves a checkpoint at the exact batch and returns <see cref="FitOutcome.Interrupted"/>.
    /// </summary>
    public FitResult Fit(DataLoader train, DataLoader test, string? resumeFrom = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var fit = FitContext.Start(SetUp(), observer, PrepareOutput(), train, test, cancel);
        var at = resumeFrom is null ? new RunPosition() : Resume.From(resumeFrom, fit);
        try
        {
            for (; at.Epoch <= Options.Epochs; at.Epoch++)
            {
                var epoch = new TrainingEpoch(fit, at);
                if (!epoch.Run()) return Result(fit, FitOutcome.Interrupted);
                var evaluation = EvaluateEpoch(fit, at, epoch);
                SaveEpoch(fit, at, evaluation);
            }
            parallel.Barrier(); // when any rank returns, rank 0's files are complete
        }
        catch (DistributedException e)
        {
            throw Stopped(e, at);
        }
        return Result(fit, FitOutcome.Completed);
    }

    /// <summary>Only rank 0 writes; it learns now, not after an epoch, that it cannot (and clears stale temp files).</summary>
    private RunFiles PrepareOutput()
    {
        if (parallel.IsMain)
            foreach (var stale in OutputFolder.Prepare(Options.OutputDirectory))
                observer.OnMessage($"removed {stale}, left by an interrupted write");
        return new RunFiles(Options.OutputDirectory);
    }

    /// <summary>The report step: evaluates the epoch's model and appends the epoch's metrics to the history.</summary>
    private EvaluatedEpoch EvaluateEpoch(FitContext fit, RunPosition at, TrainingEpoch epoch)
    {
        // The last batch was a report, so the position's sums are already this epoch's totals over all ranks.
        // The last step updated each rank's running statistics from its own shard: evaluate and save rank 0's everywhere.
        if (fit.Parts.BroadcastBuffers) parallel.BroadcastBuffers(model);
        var trainTime = epoch.TrainSeconds;
        observer.OnEvaluating(at.Epoch);
        var evaluation = Evaluate(fit.Test);
        var metrics = new EpochMetrics
        {
            Epoch = at.Epoch,
            TrainLoss = at.Sums.MeanLoss,
            TrainTop1 = at.Sums.Accuracy,
            TestLoss = evaluation.Loss,
            TestTop1 = evaluation.Top1,
            TestTop5 = evaluation.Top5,
            LearningRate = fit.Parts.LearningRate,
            ImagesPerSecond = at.Sums.Seen / Math.Max(trainTime, 1e-9),
            EpochSeconds = trainTime,
            Steps = epoch.Steps,
        };
        fit.History.Add(metrics);
        fit.History.TotalWallSeconds = fit.Wall.Elapsed.TotalSeconds;
        return new EvaluatedEpoch(metrics, evaluation);
    }

    /// <summary>The checkpoint step: the best model when it improved, the checkpoint of the next epoch's start, the reports.</summary>
    private void SaveEpoch(FitContext fit, RunPosition at, EvaluatedEpoch epoch)
    {
        var improved = epoch.Metrics.TestTop1 > at.BestTestTop1;
        if (improved) at.BestTestTop1 = epoch.Metrics.TestTop1;
        at.FinishEpoch();
        if (parallel.IsMain)
        {
            if (improved) fit.Files.SaveBestModel(model, at.Epoch);
            fit.Files.SaveCheckpoint(fit, at.Epoch + 1, 0, default, 0);
            fit.Files.WriteReports(fit.History, epoch.Evaluation.Confusion, Options.ClassNames);
        }
        at.LastCheckpoint = $"{fit.Files.CheckpointPath} (end of epoch {at.Epoch})";
        LastEvaluation = epoch.Evaluation;
        observer.OnEpochEnd(epoch.Metrics);
    }

    private static FitResult Result(FitContext fit, FitOutcome outcome) =>
        new(outcome, fit.History, fit.Files.CheckpointPath, fit.Files.ExistingBestModel, fit.Files.ReportPath);

    /// <summary>A rank failed or hung: say where this rank stopped and what there is to resume from.</summary>
    private DistributedException Stopped(DistributedException e, RunPosition at) => new(
        $"data-parallel training stopped at epoch {at.Epoch}, batch {at.Batch} on rank {parallel.Rank} of {parallel.WorldSize}: {e.Message}. " +
        (at.LastCheckpoint is null
            ? "No checkpoint was written yet: there is nothing to resume from; start the run again."
            : $"Last checkpoint written by rank 0: {at.LastCheckpoint}; resume from it with the same number of processes."), e);

    /// <summary>
    /// Loss, top-1 and top-5 accuracy and the confusion matrix over a loader, in eval mode (the
    /// model's mode is restored afterwards). Data-parallel, every rank evaluates its own part (each
    /// sample once) and the counts are summed.
    /// </summary>
    public EvaluationResult Evaluate(DataLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        var evaluator = SetUp().Evaluator;
        var counts = evaluator.Count(parallel.ShardForEvaluation(loader));
        return parallel.ReduceEvaluation(counts).ToResult();
    }

    /// <summary>
    /// The network's float32 outputs for <paramref name="images"/>, computed <see cref="MaxEvaluationChunk"/>
    /// images at a time (so a huge batch costs the memory of a chunk, not of the batch), under no_grad.
    /// </summary>
    public Tensor Logits(Tensor images) => SetUp().Evaluator.Logits(images);

    /// <summary>
    /// Runs <paramref name="steps"/> training steps on one fixed batch through exactly the code path
    /// <see cref="Fit"/> uses (autocast, channels-last, optimizer, schedule), and returns the seconds
    /// they took, synchronised. For throughput benchmarks: no data loading, no evaluation.
    /// </summary>
    public double TimeSteps(Tensor images, Tensor labels, int steps)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var p = SetUp();
        benchmarkStep ??= new TrainStep(p, p.CreateScheduler(Math.Max(1, steps)));
        model.train();
        using var totals = DeviceTotals.Start(default, Options.Device);
        using var batch = new Batch(images.alias(), labels.alias(), [], 0, 0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) benchmarkStep.Run(batch, totals);
        totals.Synchronize();
        return watch.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        parallel.Dispose();
        parts?.Dispose();
    }
}
