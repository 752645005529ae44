using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>An epoch's running sums over all ranks: loss × samples, correct predictions, samples.</summary>
internal readonly record struct EpochSums(double LossSum, long Correct, long Seen)
{
    public double MeanLoss => LossSum / Seen;

    public double Accuracy => (double)Correct / Seen;
}

/// <summary>The epoch's sums over all ranks at a report, and whether any rank asked to stop.</summary>
internal readonly record struct ReducedProgress(EpochSums Sums, bool Stop);

/// <summary>
/// This rank's share of an epoch's sums, the loss and correct count accumulated on the device by
/// every step and read back only at reports (one sync per report, not per step).
/// </summary>
internal sealed class DeviceTotals : IDisposable
{
    private readonly Tensor loss, correct;
    private long seen;

    private DeviceTotals(EpochSums start, Device device)
    {
        loss = torch.full([], start.LossSum, ScalarType.Float64, device).DetachFromDisposeScope();
        correct = torch.full([], start.Correct, ScalarType.Int64, device).DetachFromDisposeScope();
        seen = start.Seen;
    }

    /// <summary>Starts from <paramref name="mine"/>: a resumed epoch's sums on rank 0, zeros elsewhere.</summary>
    public static DeviceTotals Start(EpochSums mine, Device device) => new(mine, device);

    public void Add(Tensor batchLoss, Tensor logits, Tensor labels, long n)
    {
        using (torch.no_grad())
        {
            loss.add_(batchLoss.detach().to(ScalarType.Float64) * n);
            correct.add_(logits.argmax(1).eq(labels).sum());
        }
        seen += n;
    }

    /// <summary>The sums over all ranks (a sync with the device and, data-parallel, an all-reduce).</summary>
    public ReducedProgress Reduce(DataParallel parallel, bool stop) =>
        parallel.ReduceProgress(new EpochSums(loss.item(), correct.item<long>(), seen), stop);

    /// <summary>Waits for the device's queued work (a read of the loss total).</summary>
    public void Synchronize() => _ = loss.item();

    public void Dispose()
    {
        loss.Dispose();
        correct.Dispose();
    }
}
