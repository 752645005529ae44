using ResNetGen.Data;
using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Training;

/// <summary>
/// Loss, top-1 and top-5 accuracy and the confusion matrix of a network over a loader, in eval
/// mode and without gradients, at most <see cref="MaxChunk"/> images through the network at once.
/// The module's train/eval mode (of every submodule) is what it was before, afterwards. The model
/// must already be on <see cref="EvaluationSettings.Device"/>. The <see cref="Trainer"/> evaluates
/// with one after every epoch; the CLI's <c>evaluate</c> and <c>predict</c> use one alone.
/// </summary>
public sealed class Evaluator(Module<Tensor, Tensor> model, EvaluationSettings? settings = null)
{
    /// <summary>The network runs on at most this many images at once, whatever the loader's batch size (bounded memory).</summary>
    public const int MaxChunk = 512;

    private readonly Module<Tensor, Tensor> model = model ?? throw new ArgumentNullException(nameof(model));

    public EvaluationSettings Settings { get; } = settings ?? new EvaluationSettings();

    /// <summary>Evaluates every batch of one pass over <paramref name="loader"/>.</summary>
    public EvaluationResult Evaluate(DataLoader loader) => Count(loader).ToResult();

    /// <summary>
    /// The evaluation's sums (not yet divided), so that shards evaluated apart (data-parallel ranks)
    /// add up exactly before <see cref="EvaluationCounts.ToResult"/>.
    /// </summary>
    public EvaluationCounts Count(DataLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        var modes = ModuleModes.Capture(model);
        model.eval();
        try
        {
            var counts = EvaluationCounts.Empty;
            using (torch.no_grad())
                foreach (var batch in loader.GetEpoch(0))
                    using (batch)
                        counts = Add(counts, batch);
            return counts;
        }
        finally
        {
            modes.Restore();
        }
    }

    private EvaluationCounts Add(EvaluationCounts counts, Batch batch)
    {
        using var scope = torch.NewDisposeScope();
        var (images, labels) = batch;
        var logits = Logits(images);
        var confusion = counts.Confusion ?? new ConfusionMatrix((int)logits.size(1));
        var lossSum = F.cross_entropy(logits, labels, reduction: Reduction.Sum).item();
        var (_, topk) = logits.topk(Math.Min(5, confusion.Classes), 1);
        var hits = topk.eq(labels.unsqueeze(1));
        var top1 = hits.slice(1, 0, 1).sum().item<long>();
        var top5 = hits.sum().item<long>();
        confusion.Add(topk.select(1, 0).ToArray<long>(), labels.ToArray<long>());
        return new EvaluationCounts(counts.LossSum + lossSum, counts.Top1 + top1, counts.Top5 + top5, counts.Count + labels.size(0), confusion);
    }

    /// <summary>
    /// The network's float32 outputs for <paramref name="images"/>, computed <see cref="MaxChunk"/>
    /// images at a time (so a huge batch costs the memory of a chunk, not of the batch), under
    /// no_grad, in whatever mode the module is in (call <c>eval()</c> first to predict).
    /// </summary>
    public Tensor Logits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var noGrad = torch.no_grad();
        var n = images.size(0);
        if (n <= MaxChunk) return Forward(images);
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += MaxChunk)
        {
            using var scope = torch.NewDisposeScope();
            parts.Add(Forward(images.slice(0, start, Math.Min(n, start + MaxChunk))).MoveToOuterDisposeScope());
        }
        return torch.cat(parts, 0);
    }

    private Tensor Forward(Tensor x)
    {
        if (Settings.ChannelsLast) x = x.contiguous(MemoryFormat.ChannelsLast);
        using (Settings.MixedPrecision ? torch.autocast(Settings.Device.type, Settings.MixedPrecisionDType) : null)
            return model.forward(x).to(ScalarType.Float32);
    }
}

/// <summary>How an <see cref="Evaluator"/> runs the network: the input's memory format and autocast.</summary>
public sealed record EvaluationSettings
{
    /// <summary>The device the model and the batches are on (autocast is per device type).</summary>
    public Device Device { get; init; } = Device.CPU;

    /// <summary>Feed the network channels-last (NHWC) input, as the Trainer trains it by default.</summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>Run the forward under autocast with <see cref="MixedPrecisionDType"/>.</summary>
    public bool MixedPrecision { get; init; }

    public ScalarType MixedPrecisionDType { get; init; } = ScalarType.BFloat16;
}
