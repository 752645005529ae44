using ResNetGen.Data;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Training;

/// <summary>
/// One optimisation step: forward (channels-last, under autocast when mixed precision), loss,
/// backward (gradients averaged over the ranks), optimizer and schedule step; the batch's loss
/// sum and correct count are added to the device totals without a host sync.
/// </summary>
internal sealed class TrainStep(TrainingParts parts, LRScheduler? scheduler)
{
    public LRScheduler? Scheduler => scheduler;

    /// <summary>Returns the batch size.</summary>
    public long Run(Batch batch, DeviceTotals totals)
    {
        using var scope = torch.NewDisposeScope();
        var (images, labels) = batch;
        var x = parts.ChannelsLast ? images.contiguous(MemoryFormat.ChannelsLast) : images;
        if (parts.BroadcastBuffers) parts.Parallel.BroadcastBuffers(parts.Model);
        Tensor logits, loss;
        using (parts.MixedPrecision ? torch.autocast(parts.Options.Device.type, parts.Options.MixedPrecisionDType) : null)
        {
            logits = parts.Model.forward(x);
            loss = F.cross_entropy(logits, labels, label_smoothing: parts.Options.LabelSmoothing);
        }
        parts.Optimizer.zero_grad();
        parts.Parallel.BeforeBackward();
        if (parts.Scaler.is_enabled())
        {
            parts.Scaler.scale_loss(loss).backward();
            parts.Parallel.AverageGradients(parts.Model); // an inf/NaN on one rank reaches all, so all skip the step alike
            parts.Scaler.step(parts.Optimizer);
            parts.Scaler.update();
        }
        else
        {
            loss.backward();
            parts.Parallel.AverageGradients(parts.Model);
            parts.Optimizer.step();
        }
        scheduler?.step();
        var n = labels.size(0);
        totals.Add(loss, logits, labels, n);
        return n;
    }
}
