using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Reports.Metrics;
using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// What the <see cref="Trainer"/> does differently when it is one rank of a data-parallel job
/// (as PyTorch's DistributedDataParallel + DistributedSampler): the same model on every rank
/// (rank 0's, broadcast at the start), each rank on its own shard of every epoch, gradients
/// averaged over the ranks before each optimizer step, and metrics summed over the ranks, so
/// every rank sees the same numbers and takes the same decisions (report, divergence, stop).
/// With no group (or a group of one) every method is a no-op.
/// </summary>
internal sealed class DataParallel(ProcessGroup? group) : IDisposable
{
    private GradientReducer? reducer;
    private List<Tensor>? buffers;

    public ProcessGroup? Group { get; } = group is { WorldSize: > 1 } ? group : null;

    public bool Enabled => Group is not null;

    public int Rank => Group?.Rank ?? 0;

    public int WorldSize => Group?.WorldSize ?? 1;

    /// <summary>Only rank 0 writes checkpoints, the best model and the reports.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>Rank 0's parameters and buffers everywhere, as DDP does at construction.</summary>
    public void BroadcastModule(Module model) => Group?.BroadcastModule(model);

    /// <summary>The training loader's shard for this rank, padded so every rank runs the same number of steps.</summary>
    public DataLoader ShardForTraining(DataLoader loader) => Shard(loader, pad: true);

    /// <summary>The evaluation loader's shard for this rank, unpadded so each sample counts once.</summary>
    public DataLoader ShardForEvaluation(DataLoader loader) => Shard(loader, pad: false);

    private DataLoader Shard(DataLoader loader, bool pad)
    {
        if (Group is null) return loader;
        if (loader.NumShards == WorldSize && loader.ShardIndex == Rank) return loader; // sharded by the caller
        if (loader.NumShards != 1)
            throw new ArgumentException($"the loader is shard {loader.ShardIndex} of {loader.NumShards}, but this is rank {Rank} of {WorldSize}", nameof(loader));
        return loader.Shard(WorldSize, Rank, pad);
    }

    /// <summary>From now on gradients are averaged during backward (call once the model is on its device).</summary>
    public void OverlapGradientReduce(Module model) => reducer ??= Group?.CreateGradientReducer(model);

    /// <summary>Call before backward: arms the overlapping reducer, if any.</summary>
    public void BeforeBackward() => reducer?.Prepare();

    /// <summary>Call after backward: the overlapping reducer's result, or one bucketed all-reduce now.</summary>
    public void AverageGradients(Module model)
    {
        if (reducer is not null) reducer.Finish();
        else Group?.AverageGradients(model);
    }

    public void Dispose() => reducer?.Dispose();

    /// <summary>
    /// Rank 0's buffers (batch-norm running statistics) everywhere, before each training forward,
    /// as DDP's broadcast_buffers: without it each rank's running statistics follow its own shard.
    /// </summary>
    public void BroadcastBuffers(Module model)
    {
        if (Group is null) return;
        // Collected once: the module's buffers are fixed objects (moves and loads change them in place).
        buffers ??= model.buffers().ToList();
        if (buffers.Count > 0) Group.Broadcast(buffers);
    }

    /// <summary>Sums an epoch's progress over the ranks and ORs their stop requests.</summary>
    public ReducedProgress ReduceProgress(EpochSums mine, bool stop)
    {
        if (Group is null) return new ReducedProgress(mine, stop);
        var r = Group.AllReduce([mine.LossSum, mine.Correct, mine.Seen, stop ? 1 : 0], ReduceOp.Sum);
        return new ReducedProgress(new EpochSums(r[0], (long)r[1], (long)r[2]), r[3] > 0);
    }

    /// <summary>Sums an evaluation's counts and confusion matrices over the ranks (a rank's shard may be empty).</summary>
    public EvaluationCounts ReduceEvaluation(EvaluationCounts mine)
    {
        if (Group is null) return mine;
        var sums = Group.AllReduce([mine.LossSum, mine.Top1, mine.Top5, mine.Count], ReduceOp.Sum);
        var total = new EvaluationCounts(sums[0], (long)sums[1], (long)sums[2], (long)sums[3], null);
        var confusion = mine.Confusion;
        var classes = (int)Group.AllReduce(confusion?.Classes ?? 0, ReduceOp.Max);
        if (classes == 0) return total;
        if (confusion is not null && confusion.Classes != classes)
            throw new InvalidOperationException($"rank {Rank} saw {confusion.Classes} classes, another rank {classes}");
        return total with { Confusion = ReduceConfusion(confusion, classes) };
    }

    private ConfusionMatrix ReduceConfusion(ConfusionMatrix? confusion, int classes)
    {
        var flat = new double[classes * classes];
        if (confusion is not null)
            for (var a = 0; a < classes; a++)
                for (var p = 0; p < classes; p++)
                    flat[a * classes + p] = confusion[a, p];
        flat = Group!.AllReduce(flat, ReduceOp.Sum);
        var rows = new long[classes][];
        for (var a = 0; a < classes; a++)
        {
            rows[a] = new long[classes];
            for (var p = 0; p < classes; p++) rows[a][p] = (long)flat[a * classes + p];
        }
        return ConfusionMatrix.FromCounts(rows);
    }

    /// <summary>Waits until every rank is here (e.g. so no rank leaves while rank 0 still writes).</summary>
    public void Barrier() => Group?.Barrier();
}
