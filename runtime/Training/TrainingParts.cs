using ResNetGen.Distributed;
using ResNetGen.Torch;
using ResNetGen.Torch.Amp;
using ResNetGen.Torch.Optim;

namespace ResNetGen.Training;

/// <summary>
/// What the <see cref="Trainer"/> trains with once set up: the model on its device and memory
/// format, the data-parallel plumbing, the optimizer, the grad scaler and the evaluator.
/// <see cref="SetUp"/> makes every process-wide or model-changing effect, once, in this order:
/// libtorch threads / cudnn, moving the model, sync batch norm, rank 0's weights broadcast, the
/// overlapping gradient reducer, the optimizer over the (moved) parameters.
/// </summary>
internal sealed class TrainingParts : IDisposable
{
    public required Module<Tensor, Tensor> Model { get; init; }
    public required TrainerOptions Options { get; init; }
    public required DataParallel Parallel { get; init; }
    public required Optimizer Optimizer { get; init; }
    public required GradScaler Scaler { get; init; }
    public required bool ChannelsLast { get; init; }
    public required bool MixedPrecision { get; init; }

    /// <summary>Rank 0's buffers go to every rank before each step (DDP's broadcast_buffers); sync batch norm keeps them equal by itself.</summary>
    public required bool BroadcastBuffers { get; init; }

    public required Evaluator Evaluator { get; init; }

    public static TrainingParts SetUp(Module<Tensor, Tensor> model, TrainerOptions options, DataParallel parallel)
    {
        var cuda = options.Device.type == DeviceType.CUDA;
        DeviceSetup.Configure(options.Device, options.Threads);
        var channelsLast = options.ChannelsLast ?? true;
        var mixedPrecision = options.MixedPrecision ?? cuda;
        model.to(options.Device, null, channelsLast ? MemoryFormat.ChannelsLast : null);
        if (options.SyncBatchNorm && parallel.Enabled) SyncBatchNorm.Convert(model, parallel.Group!);
        parallel.BroadcastModule(model);
        if (options.OverlapGradientReduce) parallel.OverlapGradientReduce(model);
        return new TrainingParts
        {
            Model = model,
            Options = options,
            Parallel = parallel,
            ChannelsLast = channelsLast,
            MixedPrecision = mixedPrecision,
            BroadcastBuffers = parallel.Enabled && options.BroadcastBuffers && !options.SyncBatchNorm,
            Optimizer = CreateOptimizer(model, options),
            // float16 needs loss scaling; bfloat16 has float32's range and does not.
            Scaler = new GradScaler(enabled: mixedPrecision && cuda && options.MixedPrecisionDType == ScalarType.Float16),
            Evaluator = new Evaluator(model, new EvaluationSettings
            {
                Device = options.Device,
                ChannelsLast = channelsLast,
                MixedPrecision = mixedPrecision,
                MixedPrecisionDType = options.MixedPrecisionDType,
            }),
        };
    }

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

    /// <summary>The learning-rate schedule for <paramref name="stepsPerEpoch"/> steps an epoch, stepped every batch (null: constant, no warm-up).</summary>
    public LRScheduler? CreateScheduler(int stepsPerEpoch)
    {
        var total = Options.Epochs * stepsPerEpoch;
        var warmup = (int)Math.Round(Options.WarmupEpochs * stepsPerEpoch);
        LRScheduler? Warm(LRScheduler? after) => warmup > 0 ? new LinearWarmup(Optimizer, warmup, after) : after;
        return Options.Schedule switch
        {
            ScheduleKind.OneCycle => new OneCycleLR(Optimizer, Options.LearningRate, total_steps: total),
            ScheduleKind.Cosine => Warm(new CosineAnnealingLR(Optimizer, Math.Max(1, total - warmup))),
            ScheduleKind.MultiStep => Warm(new MultiStepLR(Optimizer, [total / 2 - warmup, total * 3 / 4 - warmup])),
            ScheduleKind.Constant => Warm(null),
            _ => throw new ArgumentOutOfRangeException(nameof(Options.Schedule), Options.Schedule, "unknown schedule"),
        };
    }

    public double LearningRate => Optimizer.param_groups[0].lr;

    public void Dispose() => Optimizer.Dispose();
}
