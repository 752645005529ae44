namespace ResNetGen.Data;

/// <summary>How an epoch's order is split between data-parallel ranks (PyTorch's DistributedSampler's rule).</summary>
internal static class ShardOrder
{
    /// <summary>
    /// Positions rank, rank + replicas, rank + 2·replicas, … of <paramref name="order"/>, <paramref name="count"/>
    /// of them, wrapping around to its start (the padding). Used by <see cref="DataLoader.Shard"/> and by
    /// ResNetGen.Distributed's DistributedSampler.
    /// </summary>
    internal static long[] Strided(long[] order, int replicas, int rank, long count)
    {
        var result = new long[count];
        for (long i = 0; i < count; i++) result[i] = order[(rank + i * replicas) % order.Length];
        return result;
    }
}
