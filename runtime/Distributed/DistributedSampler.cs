using ResNetGen.Data;
using ResNetGen.Distributed.Native;
using ResNetGen.Torch;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed;

/// <summary>
/// Gives each rank its own shard of a dataset's indices per epoch, as PyTorch's
/// <c>torch.utils.data.DistributedSampler</c> does, index for index: the epoch's order is
/// <c>torch.randperm(n, generator=manual_seed(seed + epoch))</c> (or 0..n-1 without shuffle);
/// without <c>dropLast</c> it is padded by repeating its start up to a multiple of the number of
/// replicas, with <c>dropLast</c> the tail is cut instead; rank r takes every
/// <c>numReplicas</c>-th index from position r. Every rank's shard has the same length.
/// </summary>
public sealed class DistributedSampler
{
    public DistributedSampler(long datasetLength, int numReplicas, int rank, bool shuffle = true, long seed = 0,
        bool dropLast = false)
    {
        if (datasetLength < 0) throw new ArgumentOutOfRangeException(nameof(datasetLength), datasetLength, "must be non-negative");
        if (numReplicas < 1) throw new ArgumentOutOfRangeException(nameof(numReplicas), numReplicas, "must be at least 1");
        if (rank < 0 || rank >= numReplicas)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"invalid rank {rank}, rank should be in the interval [0, {numReplicas - 1}]");
        DatasetLength = datasetLength;
        NumReplicas = numReplicas;
        Rank = rank;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        NumSamples = dropLast && datasetLength % numReplicas != 0
            ? (long)Math.Ceiling((datasetLength - numReplicas) / (double)numReplicas)
            : (datasetLength + numReplicas - 1) / numReplicas;
        if (NumSamples < 0) NumSamples = 0;
        TotalSize = NumSamples * numReplicas;
    }

    /// <summary>A sampler for this rank of <paramref name="group"/>.</summary>
    public DistributedSampler(long datasetLength, ProcessGroup group, bool shuffle = true, long seed = 0, bool dropLast = false)
        : this(datasetLength, (group ?? throw new ArgumentNullException(nameof(group))).WorldSize, group.Rank, shuffle, seed, dropLast) { }

    public long DatasetLength { get; }
    public int NumReplicas { get; }
    public int Rank { get; }
    public bool Shuffle { get; }
    public long Seed { get; }
    public bool DropLast { get; }

    /// <summary>The length of each rank's shard.</summary>
    public long NumSamples { get; }

    /// <summary>NumSamples × NumReplicas: the padded (or cut) epoch length.</summary>
    public long TotalSize { get; }

    /// <summary>The epoch <see cref="Indices()"/> uses (PyTorch's set_epoch): call it at the start of each epoch.</summary>
    public int Epoch { get; private set; }

    public void SetEpoch(int epoch) => Epoch = epoch;

    /// <summary>This rank's indices for the current <see cref="Epoch"/>.</summary>
    public long[] Indices() => Indices(Epoch);

    /// <summary>This rank's indices for <paramref name="epoch"/>.</summary>
    public long[] Indices(int epoch)
    {
        return ShardOrder.Strided(EpochOrder(epoch), NumReplicas, Rank, NumSamples);
    }

    /// <summary>The whole epoch's order before sharding (padded or cut to <see cref="TotalSize"/>).</summary>
    public long[] EpochOrder(int epoch)
    {
        var n = DatasetLength;
        long[] order;
        if (Shuffle)
        {
            LibTorch.Check(LibTorchDistributed.resnetgen_dist_randperm(n, unchecked((ulong)(Seed + epoch)), out var raw));
            using var perm = new Tensor(raw).DetachFromDisposeScope();
            order = n == 0 ? [] : perm.ToArray<long>();
        }
        else
        {
            order = new long[n];
            for (long i = 0; i < n; i++) order[i] = i;
        }

        var total = new long[TotalSize];
        if (TotalSize <= n)
        {
            Array.Copy(order, total, TotalSize);
        }
        else
        {
            // Pad by repeating the order from its start (n > 0 here, since TotalSize > n >= 0).
            for (long i = 0; i < TotalSize; i++) total[i] = order[i % n];
        }
        return total;
    }
}
