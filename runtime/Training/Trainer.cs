using System.Diagnostics;
using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Torch;
using ResNetGen.Torch.Amp;
using ResNetGen.Torch.Optim;
using F = ResNetGen.Torch.torch.nn.functional;

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
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string BestModelFile = "best.safetensors";
    public const string ReportFile = "report.html";
    public const string MetricsCsvFile = "metrics.csv";
    public const string MetricsJsonFile = "metrics.json";

    private readonly Module<Tensor, Tensor> model;
    private readonly ITrainingObserver observer;
    private readonly bool channelsLast;
    private readonly bool mixedPrecision;
    private readonly Optimizer optimizer;
    private readonly GradScaler scaler;
    private readonly DataParallel parallel;
    private readonly bool broadcastBuffers;
    private LRScheduler? scheduler;
    private int? trainBatchSize, trainSamples; // of the loader Fit runs, recorded in checkpoints

    /// <summary>Evaluation runs the network on at most this many images at once, whatever the loader's batch size (bounded memory).</summary>
    public const int MaxEvaluationChunk = 512;

    /// <param name="processGroup">This process's group when it is one rank of a data-parallel job (see
    /// <see cref="ProcessGroup.FromEnvironment(string?, TimeSpan?, System.Collections.IDictionary?)"/>); null trains alone.
    /// For CUDA, <see cref="TrainerOptions.Device"/> should be this rank's GPU (cuda:LOCAL_RANK).</param>
    public Trainer(Module<Tensor, Tensor> model, TrainerOptions options, ITrainingObserver? observer = null, ProcessGroup? processGroup = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.model = model;
        Options = options;
        this.observer = observer ?? new PlainTextObserver(TextWriter.Null);

        var cuda = options.Device.type == DeviceType.CUDA;
        if (cuda && !torch.cuda.is_available())
            throw new InvalidOperationException($"device {options.Device} requested but CUDA is not available (libtorch {torch.version})");
        if (cuda) torch.backends.cudnn.benchmark = true;
        else torch.set_num_threads(options.Threads ?? DefaultThreads());

        channelsLast = options.ChannelsLast ?? true;
        mixedPrecision = options.MixedPrecision ?? cuda;
        model.to(options.Device, null, channelsLast ? MemoryFormat.ChannelsLast : null);
        parallel = new DataParallel(processGroup);
        if (options.SyncBatchNorm && parallel.Enabled) SyncBatchNorm.Convert(model, parallel.Group!);
        parallel.BroadcastModule(model);
        if (options.OverlapGradientReduce) parallel.OverlapGradientReduce(model);
        // Synchronized batch norm keeps the running statistics equal by itself.
        broadcastBuffers = parallel.Enabled && options.BroadcastBuffers && !options.SyncBatchNorm;

        optimizer = CreateOptimizer(model, options);
        // float16 needs loss scaling; bfloat16 has float32's range and does not.
        scaler = new GradScaler(enabled: mixedPrecision && cuda && options.MixedPrecisionDType == ScalarType.Float16);
    }

    public TrainerOptions Options { get; }

    /// <summary>Whether this process writes checkpoints and reports (rank 0, or the only process).</summary>
    public bool IsMainProcess => parallel.IsMain;

    /// <summary>OMP_NUM_THREADS when set (torchrun and our launcher set it per worker), else every core.</summary>
    private static int DefaultThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), out var n) && n > 0 ? n : Environment.ProcessorCount;

    public Optimizer Optimizer => optimizer;

    private static Optimizer CreateOptimizer(Module model, TrainerOptions o)
    {
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        List<ParamGroup> groups;
        if (o.NoWeightDecayOnNormAndBias)
        {
            // 1-d parameters are BN weights/biases and biases: decaying them only hurts.
            var decay = named.Where(p => p.parameter.dim() > 1).Select(p => p.parameter).ToList();
            var noDecay = named.Where(p => p.parameter.dim() <= 1).Select(p => p.parameter).ToList();
            groups = [new ParamGroup(decay)];
            if (noDecay.Count > 0) groups.Add(new ParamGroup(noDecay, new Dictionary<string, double> { ["weight_decay"] = 0 }));
        }
        else
        {
            groups = [new ParamGroup(named.Select(p => p.parameter))];
        }
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => new SGD(groups, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Nesterov && o.Momentum > 0),
            OptimizerKind.AdamW => new AdamW(groups, o.LearningRate, weight_decay: o.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Optimizer, "unknown optimizer"),
        };
    }

    private LRScheduler? CreateScheduler(int stepsPerEpoch)
    {
        var total = Options.Epochs * stepsPerEpoch;
        var warmup = (int)Math.Round(Options.WarmupEpochs * stepsPerEpoch);
        LRScheduler? Warm(LRScheduler? after) => warmup > 0 ? new LinearWarmup(optimizer, warmup, after) : after;
        return Options.Schedule switch
        {
            ScheduleKind.OneCycle => new OneCycleLR(optimizer, Options.LearningRate, total_steps: total),
            ScheduleKind.Cosine => Warm(new CosineAnnealingLR(optimizer, Math.Max(1, total - warmup))),
            ScheduleKind.MultiStep => Warm(new MultiStepLR(optimizer, [total / 2 - warmup, total * 3 / 4 - warmup])),
            ScheduleKind.Constant => Warm(null),
            _ => throw new ArgumentOutOfRangeException(nameof(Options.Schedule), Options.Schedule, "unknown schedule"),
        };
    }

    private double CurrentLearningRate => optimizer.param_groups[0].lr;

    /// <summary>
    /// Trains for <see cref="TrainerOptions.Epochs"/> epochs (from a checkpoint if
    /// <paramref name="resumeFrom"/> is given), evaluating on <paramref name="test"/> after each.
    /// Cancelling saves a checkpoint at the exact batch and returns <see cref="FitOutcome.Interrupted"/>.
    /// </summary>
    public FitResult Fit(DataLoader train, DataLoader test, string? resumeFrom = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        // Only rank 0 writes; it learns now, not after an epoch, that it cannot (and clears stale temp files).
        if (parallel.IsMain)
            foreach (var stale in OutputFolder.Prepare(Options.OutputDirectory))
                observer.OnMessage($"removed {stale}, left by an interrupted write");
        var checkpointPath = Path.Combine(Options.OutputDirectory, CheckpointFile);
        var bestPath = Path.Combine(Options.OutputDirectory, BestModelFile);
        var reportPath = Path.Combine(Options.OutputDirectory, ReportFile);
        var wall = Stopwatch.StartNew();
        var samples = train.Dataset.Count;
        train = parallel.ShardForTraining(train);
        // An epoch of no step would "train" nothing and report NaN metrics (and one-cycle cannot even be built).
        if (train.Count == 0)
            throw new InvalidOperationException(
                $"the training set gives no step per epoch: {samples} sample(s) with batch size {train.BatchSize}" +
                (parallel.Enabled ? $" per process × {parallel.WorldSize} processes = {train.BatchSize * parallel.WorldSize} per step" : "") +
                (train.DropLast ? " (an incomplete last batch is dropped)" : "") + "; lower the batch size or train on more samples");
        if (test.Dataset.Count == 0) throw new InvalidOperationException("the evaluation set is empty: there is nothing to evaluate each epoch on");
        trainBatchSize = train.BatchSize;
        trainSamples = samples;

        scheduler = CreateScheduler(train.Count);
        var run = NewHistory(train);
        var history = run.Epochs;
        var (startEpoch, startBatch) = (1, 0);
        // The epoch's running sums over all ranks (from a checkpoint: rank 0 carries them, the others start at 0).
        var (lossSum, correct, seen, trainSeconds) = (0.0, 0L, 0L, 0.0);
        string? lastCheckpoint = null;
        if (resumeFrom is not null)
        {
            var c = Checkpoint.ReadInfo(resumeFrom);
            // The position within an epoch and the schedule's step count both depend on how epochs are sharded.
            if (c.WorldSize != parallel.WorldSize)
                throw new InvalidOperationException(
                    $"{resumeFrom} was written by a run of {c.WorldSize} process(es); resume it with {c.WorldSize} (this run has {parallel.WorldSize}): " +
                    "the position within an epoch and the learning-rate schedule depend on how each epoch is split between processes");
            CheckResumable(resumeFrom, c, train);
            Checkpoint.Restore(resumeFrom, model, optimizer, Options.Device,
                optimizerHasState: Options.Optimizer == OptimizerKind.AdamW || Options.Momentum > 0);
            scheduler?.load_state_dict(c.Scheduler);
            if (c.Scaler.Count > 0) scaler.load_state_dict(c.Scaler);
            history.AddRange(c.History);
            (startEpoch, startBatch) = (c.Epoch, c.NextBatch);
            (lossSum, correct, seen, trainSeconds) = (c.LossSum, c.Correct, c.Seen, c.TrainSeconds);
            lastCheckpoint = $"{resumeFrom} (epoch {c.Epoch}, batch {c.NextBatch})";
            observer.OnMessage($"resumed from {resumeFrom} at epoch {startEpoch}, batch {startBatch}");
        }
        var best = history.Count == 0 ? double.NegativeInfinity : history.Max(h => h.TestTop1);
        var (epoch, batchIndex) = (startEpoch, startBatch);

        try
        {
            for (; epoch <= Options.Epochs; epoch++)
            {
                observer.OnEpochStart(epoch, Options.Epochs, train.Count);
                model.train();
                var epochWatch = Stopwatch.StartNew();
                var steps = new List<StepMetrics>();
                var (windowLoss, windowSeen, seenAtStart) = (lossSum, seen, seen);
                // This rank's share of the sums, accumulated on the device (read back only at reports).
                var mine = parallel.IsMain ? (lossSum, correct, seen) : (lossSum: 0.0, correct: 0L, seen: 0L);
                using var lossTotal = torch.full([], mine.lossSum, ScalarType.Float64, Options.Device).DetachFromDisposeScope();
                using var correctTotal = torch.full([], mine.correct, ScalarType.Int64, Options.Device).DetachFromDisposeScope();
                var mySeen = mine.seen;
                batchIndex = startBatch;
                (double Loss, long Correct, long Seen, bool Stop) Totals() =>
                    parallel.ReduceProgress(lossTotal.item(), correctTotal.item<long>(), mySeen, cancel.IsCancellationRequested);

                foreach (var batch in train.GetEpoch(epoch, startBatch))
                {
                    using (batch)
                    {
                        mySeen += TrainStep(batch, lossTotal, correctTotal);
                    }
                    batchIndex++;
                    var last = batchIndex == train.Count;
                    // Alone, a cancellation is seen at the very batch; data-parallel, the ranks agree on it at reports.
                    var stop = !parallel.Enabled && cancel.IsCancellationRequested;
                    if (batchIndex % Options.ReportEvery == 0 || last)
                    {
                        var t = Totals();
                        (lossSum, correct, seen, stop) = (t.Loss, t.Correct, t.Seen, t.Stop);
                        var meanLoss = lossSum / seen;
                        if (!double.IsFinite(meanLoss))
                            throw new TrainingDivergedException(epoch, batchIndex, meanLoss, CurrentLearningRate);
                        // The step series shows the loss of the batches since the last report, not the epoch's running mean.
                        steps.Add(new StepMetrics((long)(epoch - 1) * train.Count + batchIndex, (lossSum - windowLoss) / (seen - windowSeen), CurrentLearningRate));
                        (windowLoss, windowSeen) = (lossSum, seen);
                        var elapsed = epochWatch.Elapsed.TotalSeconds;
                        var rate = (seen - seenAtStart) / Math.Max(elapsed, 1e-9);
                        var remaining = TimeSpan.FromSeconds((train.Count - batchIndex) * (elapsed / Math.Max(1, batchIndex - startBatch)));
                        observer.OnStep(new StepProgress(epoch, Options.Epochs, batchIndex, train.Count, meanLoss,
                            (double)correct / seen, rate, epochWatch.Elapsed, remaining, CurrentLearningRate));
                    }
                    if (stop && !last)
                    {
                        if (broadcastBuffers) parallel.BroadcastBuffers(model);
                        var t = Totals();
                        if (parallel.IsMain)
                        {
                            SaveCheckpoint(checkpointPath, epoch, batchIndex, t.Loss, t.Correct, t.Seen,
                                trainSeconds + epochWatch.Elapsed.TotalSeconds, history);
                            observer.OnMessage($"interrupted at epoch {epoch}, batch {batchIndex}: checkpoint saved to {checkpointPath}");
                        }
                        parallel.Barrier(); // every rank returns once the checkpoint is on disk
                        return new FitResult(FitOutcome.Interrupted, run, checkpointPath, File.Exists(bestPath) ? bestPath : null, reportPath);
                    }
                }
                // The last batch was a report, so (lossSum, correct, seen) are already this epoch's totals over all ranks.
                // The last step updated each rank's running statistics from its own shard: evaluate and save rank 0's everywhere.
                if (broadcastBuffers) parallel.BroadcastBuffers(model);
                var trainTime = trainSeconds + epochWatch.Elapsed.TotalSeconds;

                observer.OnEvaluating(epoch);
                var eval = Evaluate(test);
                var metrics = new EpochMetrics
                {
                    Epoch = epoch,
                    TrainLoss = lossSum / seen,
                    TrainTop1 = (double)correct / seen,
                    TestLoss = eval.Loss,
                    TestTop1 = eval.Top1,
                    TestTop5 = eval.Top5,
                    LearningRate = CurrentLearningRate,
                    ImagesPerSecond = seen / Math.Max(trainTime, 1e-9),
                    EpochSeconds = trainTime,
                    Steps = steps,
                };
                run.Add(metrics);
                run.TotalWallSeconds = wall.Elapsed.TotalSeconds;
                var improved = metrics.TestTop1 > best;
                if (improved) best = metrics.TestTop1;
                (startBatch, lossSum, correct, seen, trainSeconds) = (0, 0, 0, 0, 0);
                if (parallel.IsMain)
                {
                    if (improved)
                    {
                        using var scope = torch.NewDisposeScope();
                        Safetensors.Save(bestPath, model.state_dict(), new Dictionary<string, string> { ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    }
                    SaveCheckpoint(checkpointPath, epoch + 1, 0, 0, 0, 0, 0, history);
                    WriteReports(run, eval.Confusion);
                }
                lastCheckpoint = $"{checkpointPath} (end of epoch {epoch})";
                LastEvaluation = eval;
                observer.OnEpochEnd(metrics);
            }
            parallel.Barrier(); // when any rank returns, rank 0's files are complete
        }
        catch (DistributedException e)
        {
            throw new DistributedException(
                $"data-parallel training stopped at epoch {epoch}, batch {batchIndex} on rank {parallel.Rank} of {parallel.WorldSize}: {e.Message}. " +
                (lastCheckpoint is null
                    ? "No checkpoint was written yet: there is nothing to resume from; start the run again."
                    : $"Last checkpoint written by rank 0: {lastCheckpoint}; resume from it with the same number of processes."), e);
        }
        return new FitResult(FitOutcome.Completed, run, checkpointPath, File.Exists(bestPath) ? bestPath : null, reportPath);
    }

    /// <summary>
    /// Refuses a checkpoint written with other settings that decide the data order, the position
    /// within an epoch or the schedule: resuming it would silently continue on different data.
    /// </summary>
    private void CheckResumable(string path, Checkpoint c, DataLoader train)
    {
        var differences = new List<string>();
        void Compare<T>(string what, T? saved, T current)
        {
            if (saved is not null && !EqualityComparer<T>.Default.Equals(saved, current)) differences.Add($"{what} {saved} (this run: {current})");
        }
        Compare("network", c.Network, Options.NetworkName ?? model.Name);
        if (Options.DatasetName is not null) Compare("dataset", c.Dataset, Options.DatasetName);
        Compare("batch size", c.BatchSize, train.BatchSize);
        Compare("training samples", c.TrainSamples, train.Dataset.Count);
        Compare("seed", c.Seed, Options.Seed);
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"cannot resume {path}: it was written with {string.Join(", ", differences)}; resume with the same settings " +
                "(the data order, the position within an epoch and the schedule depend on them) or start a new run");
        if (c.NextBatch > train.Count)
            throw new InvalidOperationException($"cannot resume {path}: it stopped at batch {c.NextBatch} but an epoch of this run has {train.Count}");
    }

    private TrainingHistory NewHistory(DataLoader train)
    {
        var run = new TrainingHistory
        {
            NetworkName = Options.NetworkName ?? model.Name,
            ParameterCount = model.parameter_count(),
            Device = Options.Device.ToString(),
            Threads = Options.Device.type == DeviceType.CPU ? torch.get_num_threads() : 0,
            BatchSize = train.BatchSize,
            Optimizer = Options.Optimizer.ToString(),
            Seed = Options.Seed,
            PlannedEpochs = Options.Epochs,
        };
        run.Set("learning rate", Options.LearningRate.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))
           .Set("schedule", Options.Schedule.ToString())
           .Set("weight decay", Options.WeightDecay.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))
           .Set("label smoothing", Options.LabelSmoothing.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))
           .Set("channels last", channelsLast.ToString())
           .Set("mixed precision", mixedPrecision ? Options.MixedPrecisionDType.TorchName() : "off")
           .Set("train samples", train.Dataset.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (parallel.Enabled)
            run.Set("data-parallel processes", $"{parallel.WorldSize} ({parallel.Group!.Backend}); batch size is per process, global batch {train.BatchSize * parallel.WorldSize}")
               .Set("sync batch norm", Options.SyncBatchNorm.ToString());
        return run;
    }

    /// <summary>metrics.csv, metrics.json, steps.csv and report.html, each written atomically, so a crash leaves valid files.</summary>
    private void WriteReports(TrainingHistory run, ConfusionMatrix confusion) =>
        TrainingReport.WriteAll(Options.OutputDirectory, run, confusion, Options.ClassNames);

    /// <summary>The last epoch's evaluation (with its confusion matrix), or null before the first.</summary>
    public EvaluationResult? LastEvaluation { get; private set; }

    /// <summary>
    /// Runs <paramref name="steps"/> training steps on one fixed batch through exactly the code path
    /// <see cref="Fit"/> uses (autocast, channels-last, optimizer, schedule), and returns the seconds
    /// they took, synchronised. For throughput benchmarks: no data loading, no evaluation.
    /// </summary>
    public double TimeSteps(Tensor images, Tensor labels, int steps)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        scheduler ??= CreateScheduler(Math.Max(1, steps));
        model.train();
        using var lossTotal = torch.zeros([], ScalarType.Float64, Options.Device).DetachFromDisposeScope();
        using var correctTotal = torch.zeros([], ScalarType.Int64, Options.Device).DetachFromDisposeScope();
        using var batch = new Batch(images.alias(), labels.alias(), [], 0, 0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) TrainStep(batch, lossTotal, correctTotal);
        _ = lossTotal.item(); // waits for queued device work
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>One optimisation step; adds the batch's loss sum and correct count to the running totals. Returns the batch size.</summary>
    private long TrainStep(Batch batch, Tensor lossTotal, Tensor correctTotal)
    {
        using var scope = torch.NewDisposeScope();
        var (images, labels) = batch;
        var x = channelsLast ? images.contiguous(MemoryFormat.ChannelsLast) : images;
        if (broadcastBuffers) parallel.BroadcastBuffers(model);
        Tensor logits, loss;
        using (mixedPrecision ? torch.autocast(Options.Device.type, Options.MixedPrecisionDType) : null)
        {
            logits = model.forward(x);
            loss = F.cross_entropy(logits, labels, label_smoothing: Options.LabelSmoothing);
        }
        optimizer.zero_grad();
        parallel.BeforeBackward();
        if (scaler.is_enabled())
        {
            scaler.scale_loss(loss).backward();
            parallel.AverageGradients(model); // an inf/NaN on one rank reaches all, so all skip the step alike
            scaler.step(optimizer);
            scaler.update();
        }
        else
        {
            loss.backward();
            parallel.AverageGradients(model);
            optimizer.step();
        }
        scheduler?.step();
        var n = labels.size(0);
        using (torch.no_grad())
        {
            lossTotal.add_(loss.detach().to(ScalarType.Float64) * n);
            correctTotal.add_(logits.argmax(1).eq(labels).sum());
        }
        return n;
    }

    /// <summary>
    /// Loss, top-1 and top-5 accuracy and the confusion matrix over a loader, in eval mode.
    /// Data-parallel, every rank evaluates its own part (each sample once) and the counts are summed.
    /// </summary>
    public EvaluationResult Evaluate(DataLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        loader = parallel.ShardForEvaluation(loader);
        model.eval();
        var classes = -1;
        ConfusionMatrix? confusion = null;
        double lossSum = 0;
        long top1 = 0, top5 = 0, count = 0;
        using (torch.no_grad())
        {
            foreach (var batch in loader.GetEpoch(0))
            {
                using (batch)
                using (var scope = torch.NewDisposeScope())
                {
                    var (images, labels) = batch;
                    var logits = Logits(images);
                    if (classes < 0)
                    {
                        classes = (int)logits.size(1);
                        confusion = new ConfusionMatrix(classes);
                    }
                    var n = labels.size(0);
                    lossSum += F.cross_entropy(logits, labels, reduction: Reduction.Sum).item();
                    var k = Math.Min(5, classes);
                    var (_, topk) = logits.topk(k, 1);
                    var hits = topk.eq(labels.unsqueeze(1));
                    top1 += hits.slice(1, 0, 1).sum().item<long>();
                    top5 += hits.sum().item<long>();
                    confusion!.Add(topk.select(1, 0).ToArray<long>(), labels.ToArray<long>());
                    count += n;
                }
            }
        }
        model.train();
        (lossSum, top1, top5, count, confusion) = parallel.ReduceEvaluation(lossSum, top1, top5, count, confusion);
        if (count == 0) throw new InvalidOperationException("the evaluation loader yielded no samples");
        return new EvaluationResult(lossSum / count, (double)top1 / count, (double)top5 / count, confusion!);
    }

    /// <summary>
    /// The network's float32 outputs for <paramref name="images"/>, computed <see cref="MaxEvaluationChunk"/>
    /// images at a time (so a huge batch costs the memory of a chunk, not of the batch), under no_grad.
    /// </summary>
    public Tensor Logits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var noGrad = torch.no_grad();
        Tensor Run(Tensor x)
        {
            if (channelsLast) x = x.contiguous(MemoryFormat.ChannelsLast);
            using (mixedPrecision ? torch.autocast(Options.Device.type, Options.MixedPrecisionDType) : null)
                return model.forward(x).to(ScalarType.Float32);
        }
        var n = images.size(0);
        if (n <= MaxEvaluationChunk) return Run(images);
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += MaxEvaluationChunk)
        {
            using var scope = torch.NewDisposeScope();
            parts.Add(Run(images.slice(0, start, Math.Min(n, start + MaxEvaluationChunk))).MoveToOuterDisposeScope());
        }
        return torch.cat(parts, 0);
    }

    private void SaveCheckpoint(string path, int epoch, int nextBatch, double lossSum, long correct, long seen, double seconds,
        List<EpochMetrics> history) =>
        Checkpoint.Save(path, new Checkpoint
        {
            Epoch = epoch,
            NextBatch = nextBatch,
            LossSum = lossSum,
            Correct = correct,
            Seen = seen,
            TrainSeconds = seconds,
            WorldSize = parallel.WorldSize,
            History = history,
            Network = Options.NetworkName ?? model.Name,
            Dataset = Options.DatasetName,
            BatchSize = trainBatchSize,
            TrainSamples = trainSamples,
            Seed = Options.Seed,
            Scheduler = scheduler?.state_dict() ?? [],
            Scaler = scaler.is_enabled() ? scaler.state_dict() : [],
        }, model, optimizer, Options.Device);

    public void Dispose()
    {
        parallel.Dispose();
        optimizer.Dispose();
    }
}

public sealed record EvaluationResult(double Loss, double Top1, double Top5, ConfusionMatrix Confusion);

/// <summary>The loss became NaN or infinite: training stopped instead of wasting the remaining time.</summary>
public sealed class TrainingDivergedException(int epoch, int step, double loss, double learningRate)
    : Exception($"training diverged at epoch {epoch}, step {step}: the loss is {loss} (learning rate {learningRate:G4}). " +
                "Lower the learning rate, add warm-up, or check the input data for NaNs.")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
}
