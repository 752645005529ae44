using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// Batches of a <see cref="TensorDataset"/>: shuffled (or not), transformed, converted to float
/// and moved to the target device, prepared ahead on a worker thread.
/// <para>
/// Deterministic: epoch <c>e</c>'s order is a permutation drawn from <c>(seed, e)</c> and batch
/// <c>b</c>'s augmentations from <c>(seed, e, b)</c> (<see cref="DataRandom"/>), so the batches
/// are the same with or without prefetching, and resuming at <c>(epoch, batch)</c> with
/// <see cref="GetEpoch"/> reproduces the interrupted run exactly. libtorch's global generator is
/// never used.
/// </para>
/// <para>
/// Pipeline per batch: gather the samples (one native call; into pinned memory when the target
/// is CUDA) → on CUDA, copy the bytes to the GPU with <c>non_blocking</c> and run the transforms
/// there (see <see cref="DataLoaderOptions.AugmentOnDevice"/>) → <see cref="Transform"/> → bytes to <c>dtype</c> scaled to
/// [0, 1] if still bytes. A batch is disposed when the enumeration moves on or ends (unless
/// <see cref="Batch.Detach"/>ed); an exception on the worker surfaces on the consumer after the
/// batches made before it; leaving a <c>foreach</c> early stops the worker and frees what it had
/// prepared.
/// </para>
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    /// <param name="dataset">the samples (not owned: dispose it yourself).</param>
    /// <param name="options">batch size, shuffling, seed, transforms, device, prefetching, dtype and layout.</param>
    public DataLoader(TensorDataset dataset, DataLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Prefetch);
        if (!options.DType.IsFloatingPoint()) throw new ArgumentException($"DType must be a floating type, got {options.DType.TorchName()}", nameof(options));
        if (options.MemoryFormat == MemoryFormat.Preserve) throw new ArgumentException("MemoryFormat must be Contiguous or ChannelsLast", nameof(options));
        Dataset = dataset;
        Options = options;
        Device = options.Device ?? Device.CPU;
        var cuda = Device.type == DeviceType.CUDA;
        PinMemory = options.PinMemory ?? cuda;
        AugmentOnDevice = options.AugmentOnDevice ?? cuda;
    }

    /// <summary>A loader of batches of <paramref name="batchSize"/> in the dataset's order, on the CPU (the other options' defaults).</summary>
    public DataLoader(TensorDataset dataset, int batchSize) : this(dataset, new DataLoaderOptions { BatchSize = batchSize }) { }

    /// <summary>The options as given (<see cref="Device"/>, <see cref="PinMemory"/> and <see cref="AugmentOnDevice"/> resolve their defaults).</summary>
    public DataLoaderOptions Options { get; }

    public TensorDataset Dataset { get; }
    public int BatchSize => Options.BatchSize;
    public bool Shuffle => Options.Shuffle;
    public bool DropLast => Options.DropLast;
    public long Seed => Options.Seed;
    public IBatchTransform? Transform => Options.Transform;
    public Device Device { get; }
    public int Prefetch => Options.Prefetch;
    public bool PinMemory { get; }
    public bool AugmentOnDevice { get; }
    public ScalarType DType => Options.DType;
    public MemoryFormat MemoryFormat => Options.MemoryFormat;

    /// <summary>The epoch a plain <c>foreach</c> over the loader enumerates next (then it counts up), like PyTorch's set_epoch.</summary>
    public int Epoch { get; set; }

    /// <summary>How many shards (data-parallel ranks) the epoch is split into; 1 = not sharded.</summary>
    public int NumShards { get; private init; } = 1;

    /// <summary>Which shard this loader yields (0..NumShards-1): the rank.</summary>
    public int ShardIndex { get; private init; }

    /// <summary>Whether a sharded epoch is padded (with its first samples) so every shard has the same length.</summary>
    public bool PadShards { get; private init; } = true;

    /// <summary>Samples this loader visits per epoch: the dataset's, or this shard's.</summary>
    public int SampleCount => NumShards == 1 ? Dataset.Count
        : PadShards ? (Dataset.Count + NumShards - 1) / NumShards
        : Math.Max(0, (Dataset.Count - ShardIndex + NumShards - 1) / NumShards);

    /// <summary>Batches per epoch.</summary>
    public int Count => DropLast ? SampleCount / BatchSize : (SampleCount + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The same loader restricted to shard <paramref name="index"/> of <paramref name="count"/>, as
    /// PyTorch's DistributedSampler splits an epoch between ranks: every rank draws the same
    /// epoch order (same seed), and rank r takes positions r, r + count, r + 2·count, … of it.
    /// With <paramref name="pad"/> (training) the order is first padded with its own start up to a
    /// multiple of <paramref name="count"/>, so every rank runs the same number of steps (the
    /// collectives need that); without it (evaluation) every sample is visited exactly once.
    /// Shard r's augmentations draw from a stream of their own.
    /// </summary>
    public DataLoader Shard(int count, int index, bool pad = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the shard index must be in 0..{count - 1}");
        if (NumShards != 1) throw new InvalidOperationException("this loader is already a shard");
        return new DataLoader(Dataset, Options)
        {
            NumShards = count,
            ShardIndex = index,
            PadShards = pad,
        };
    }

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them (this shard's, when sharded).</summary>
    public long[] Order(int epoch)
    {
        var order = Shuffle ? DataRandom.ForEpoch(Seed, epoch).Permutation(Dataset.Count) : Enumerable.Range(0, Dataset.Count).Select(i => (long)i).ToArray();
        if (NumShards == 1) return order;

        return ShardOrder.Strided(order, NumShards, ShardIndex, SampleCount);
    }

    /// <summary>Batch <paramref name="index"/> of <paramref name="epoch"/>, made now on this thread; the caller disposes it.</summary>
    public Batch GetBatch(int epoch, int index) => MakeBatch(epoch, index, Order(epoch));

    /// <summary>Enumerates epoch <paramref name="epoch"/>, starting at batch <paramref name="startBatch"/> (to resume mid-epoch).</summary>
    public IEnumerable<Batch> GetEpoch(int epoch, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > Count)
            throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"an epoch has {Count} batches");
        return Enumerate(epoch, startBatch);
    }

    /// <summary>Enumerates epoch <see cref="Epoch"/> and advances it.</summary>
    public IEnumerator<Batch> GetEnumerator() => GetEpoch(Epoch++).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<Batch> Enumerate(int epoch, int startBatch)
    {
        var order = Order(epoch);
        Batch? current = null;
        if (Prefetch == 0)
        {
            try
            {
                for (var i = startBatch; i < Count; i++)
                {
                    Release(current);
                    current = null;
                    current = MakeBatch(epoch, i, order);
                    yield return current;
                }
            }
            finally
            {
                Release(current);
            }
            yield break;
        }

        using var worker = new PrefetchWorker(this, epoch, startBatch, order);
        try
        {
            while (worker.Take() is { } batch)
            {
                Release(current);
                current = batch;
                yield return batch;
            }
        }
        finally
        {
            Release(current);
        }
    }

    private static void Release(Batch? batch)
    {
        if (batch is { Detached: false }) batch.Dispose();
    }

    private Batch MakeBatch(int epoch, int index, long[] order)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"an epoch has {Count} batches");
        var start = index * BatchSize;
        var indices = order.AsSpan(start, Math.Min(BatchSize, order.Length - start));
        var cuda = Device.type == DeviceType.CUDA;
        var pin = cuda && PinMemory;
        // Intermediates die with this scope; the two results leave it. The scope is this
        // thread's own (the worker's, or the consumer's when not prefetching).
        using var scope = torch.NewDisposeScope();
        var x = Augment.Gather(Dataset.Images, indices, pin);
        var y = Augment.Gather(Dataset.Labels, indices, pin);
        if (cuda)
        {
            y = y.to(Device, non_blocking: pin);
            if (AugmentOnDevice) x = x.to(Device, non_blocking: pin);
        }
        if (Transform is not null) x = Transform.Apply(x, BatchRandom(epoch, index));
        if (x.dtype == ScalarType.Byte) x = Augment.ToFloat(x, DType);
        else if (x.dtype != DType) x = x.to(DType);
        if (!x.is_contiguous(MemoryFormat)) x = x.contiguous(MemoryFormat);
        if (cuda && !AugmentOnDevice)
        {
            if (pin) x = x.pin_memory();
            x = x.to(Device, non_blocking: pin);
        }
        x.DetachFromDisposeScope();
        y.DetachFromDisposeScope();
        return new Batch(x, y, indices.ToArray(), epoch, index);
    }

    // Shard 0 (and an unsharded loader) keeps the original stream, so one rank reproduces a single process.
    private DataRandom BatchRandom(int epoch, int index) =>
        ShardIndex == 0 ? DataRandom.ForBatch(Seed, epoch, index) : new DataRandom(Seed, 0x4155_4720, epoch, index, 0x5348_5244, ShardIndex); // "SHRD"

    /// <summary>Makes the batches of one enumeration on a thread of its own, at most <c>Prefetch</c> ahead.</summary>
    private sealed class PrefetchWorker : IDisposable
    {
        private readonly DataLoader loader;
        private readonly int epoch, startBatch;
        private readonly long[] order;
        private readonly BlockingCollection<Batch> queue;
        private readonly CancellationTokenSource cancel = new();
        private readonly Thread thread;
        private volatile Exception? error;

        public PrefetchWorker(DataLoader loader, int epoch, int startBatch, long[] order)
        {
            this.loader = loader;
            this.epoch = epoch;
            this.startBatch = startBatch;
            this.order = order;
            queue = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), loader.Prefetch);
            thread = new Thread(Run) { IsBackground = true, Name = $"DataLoader prefetch (epoch {epoch})" };
            thread.Start();
        }

        private void Run()
        {
            try
            {
                for (var i = startBatch; i < loader.Count && !cancel.IsCancellationRequested; i++)
                {
                    var batch = loader.MakeBatch(epoch, i, order);
                    try
                    {
                        queue.Add(batch, cancel.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        }

        /// <summary>The next batch; null at the end; the worker's exception, rethrown, if it failed.</summary>
        public Batch? Take()
        {
            if (queue.TryTake(out var batch, Timeout.Infinite)) return batch;
            if (error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
            return null;
        }

        public void Dispose()
        {
            cancel.Cancel();
            thread.Join();
            while (queue.TryTake(out var left)) left.Dispose();
            queue.Dispose();
            cancel.Dispose();
        }
    }
}
