using System.Runtime.InteropServices;
using ResNetGen.Distributed.Native;
using ResNetGen.Torch;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce(IReadOnlyList{Tensor}, ReduceOp, long)"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    Sum = 0,
    /// <summary>Sum, then divided by the world size (gloo has no native average). Floating-point tensors only.</summary>
    Average = 1,
    Product = 2,
    Min = 3,
    Max = 4,
}

/// <summary>
/// A group of processes that communicate through PyTorch's distributed engine (c10d), as
/// <c>torch.distributed</c>'s default process group: rendezvous through a TCP store hosted by
/// rank 0, then collectives over gloo (CPU tensors) or NCCL (CUDA tensors, where the libtorch
/// has it).
/// <para>
/// Every rank must call the same collectives in the same order. Each call blocks until done and
/// is bounded by <see cref="Timeout"/>: a peer that died or stopped answering surfaces as a
/// <see cref="DistributedException"/>, never a hang without end. After one, dispose the group.
/// Calls on one group are serialized (a lock); the group is not meant to be shared across
/// concurrent training loops.
/// </para>
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    /// <summary>PyTorch's default process-group timeout (30 minutes).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>DDP's default bucket size (25 MiB).</summary>
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    private readonly ProcessGroupHandle handle;
    private readonly object gate = new();
    private bool disposed;

    private ProcessGroup(ProcessGroupHandle handle, string backend, int rank, int worldSize, int localRank, TimeSpan timeout)
    {
        this.handle = handle;
        Backend = backend;
        Rank = rank;
        WorldSize = worldSize;
        LocalRank = localRank;
        Timeout = timeout;
    }

    /// <summary>"gloo" or "nccl".</summary>
    public string Backend { get; }

    /// <summary>This process's rank, 0..WorldSize-1.</summary>
    public int Rank { get; }

    public int WorldSize { get; }

    /// <summary>The rank on this machine (LOCAL_RANK; the rank itself when created with <see cref="Init"/>). Picks the CUDA device.</summary>
    public int LocalRank { get; }

    /// <summary>Bounds the rendezvous and every collective.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Rank 0: the one that writes checkpoints and reports.</summary>
    public bool IsMain => Rank == 0;

    // A live GradientReducer holds the native group open (a handle reference) until it is disposed.
    public bool IsDisposed => disposed || handle.IsClosed;

    // ---- creation ----------------------------------------------------------------------------

    /// <summary>The backends this build of the shim has ("gloo", "nccl").</summary>
    public static IReadOnlyList<string> AvailableBackends
    {
        get
        {
            LibTorch.Check(LibTorchDistributed.resnetgen_dist_backends(out var list));
            var text = Marshal.PtrToStringUTF8(list) ?? "none";
            return text == "none" ? [] : text.Split(", ");
        }
    }

    public static bool IsBackendAvailable(string backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        LibTorch.Check(LibTorchDistributed.resnetgen_dist_backend_available(backend, out var available));
        return available != 0;
    }

    /// <summary>
    /// Joins a group of <paramref name="worldSize"/> processes: rank 0 hosts the TCP store at
    /// <paramref name="masterAddr"/>:<paramref name="masterPort"/>, the others connect to it (within
    /// <paramref name="timeout"/>). The timeout then bounds every collective.
    /// </summary>
    /// <param name="backend">"gloo" (CPU tensors) or "nccl" (CUDA tensors).</param>
    /// <param name="glooInterface">The network interface gloo uses (as GLOO_SOCKET_IFNAME, which is read when this is null).
    /// Default: loopback for a loopback master address, else the interface this host name resolves to.</param>
    public static ProcessGroup Init(string backend, int rank, int worldSize, string masterAddr, int masterPort, TimeSpan timeout,
        string? glooInterface = null) =>
        Init(backend, rank, worldSize, rank, masterAddr, masterPort, timeout, glooInterface);

    private static ProcessGroup Init(string backend, int rank, int worldSize, int localRank, string masterAddr, int masterPort,
        TimeSpan timeout, string? glooInterface)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentException.ThrowIfNullOrWhiteSpace(masterAddr);
        backend = backend.Trim().ToLowerInvariant();
        if (backend is not ("gloo" or "nccl"))
            throw new ArgumentException($"unknown backend '{backend}' (expected gloo or nccl)", nameof(backend));
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "the world size must be at least 1");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"the rank must be in 0..{worldSize - 1}");
        if (masterPort is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(masterPort), masterPort, "the port must be in 1..65535");
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must be positive");

        glooInterface ??= Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME");
        var ms = (long)Math.Ceiling(Math.Min(timeout.TotalMilliseconds, long.MaxValue / 2.0));
        if (LibTorchDistributed.resnetgen_dist_init(backend, masterAddr.Trim(), masterPort, rank, worldSize, ms,
                string.IsNullOrWhiteSpace(glooInterface) ? null : glooInterface, out var raw) != 0)
            throw new DistributedException(LibTorch.LastError());
        return new ProcessGroup(new ProcessGroupHandle(raw), backend, rank, worldSize, localRank, timeout);
    }

    /// <summary>
    /// Joins the group described by the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK,
    /// MASTER_ADDR, MASTER_PORT). A missing or invalid variable is a
    /// <see cref="DistributedEnvironmentException"/> naming it.
    /// </summary>
    /// <param name="backend">null: "nccl" when CUDA and NCCL are available, else "gloo" (as torch.distributed picks).</param>
    /// <param name="timeout">null: <see cref="DefaultTimeout"/>.</param>
    public static ProcessGroup FromEnvironment(string? backend = null, TimeSpan? timeout = null,
        System.Collections.IDictionary? environment = null)
    {
        var env = TorchrunEnvironment.Read(environment);
        return FromEnvironment(env, backend, timeout);
    }

    public static ProcessGroup FromEnvironment(TorchrunEnvironment env, string? backend = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        backend ??= DefaultBackend();
        return Init(backend, env.Rank, env.WorldSize, env.LocalRank, env.MasterAddr, env.MasterPort, timeout ?? DefaultTimeout, null);
    }

    /// <summary>"nccl" when CUDA and this shim's NCCL support are both there, else "gloo".</summary>
    public static string DefaultBackend() =>
        torch.cuda.is_available() && IsBackendAvailable("nccl") ? "nccl" : "gloo";

    // ---- collectives -------------------------------------------------------------------------

    /// <summary>
    /// All-reduces <paramref name="tensors"/> in place, summed or averaged over the ranks.
    /// Coalesced: tensors are packed into flat buffers of at most <paramref name="bucketBytes"/>
    /// per device and dtype, one collective per buffer, and copied back.
    /// </summary>
    public void AllReduce(IReadOnlyList<Tensor> tensors, bool average = false, long bucketBytes = DefaultBucketBytes) =>
        AllReduce(tensors, average ? ReduceOp.Average : ReduceOp.Sum, bucketBytes);

    /// <summary>All-reduces <paramref name="tensors"/> in place with <paramref name="op"/> (bucketed as above).</summary>
    public unsafe void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduce op");
        if (tensors.Count == 0) return;
        Collective(tensors, (group, p, n) => LibTorchDistributed.resnetgen_dist_all_reduce(group, p, n, (int)op, bucketBytes));
    }

    /// <summary>All-reduces one tensor in place.</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => AllReduce([tensor], op);

    /// <summary>Reduces plain numbers (metrics: losses, counts) over the ranks, in float64.</summary>
    public double[] AllReduce(double[] values, ReduceOp op)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) return [];
        using var t = torch.tensor((double[])values.Clone(), [values.Length]);
        t.DetachFromDisposeScope();
        AllReduce([t], op);
        return t.ToArray<double>();
    }

    public double AllReduce(double value, ReduceOp op) => AllReduce([value], op)[0];

    /// <summary>Overwrites <paramref name="tensors"/> on every rank with rank <paramref name="root"/>'s values (bucketed).</summary>
    public unsafe void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"the root must be a rank in 0..{WorldSize - 1}");
        if (tensors.Count == 0) return;
        Collective(tensors, (group, p, n) => LibTorchDistributed.resnetgen_dist_broadcast(group, p, n, root, bucketBytes));
    }

    public void Broadcast(Tensor tensor, int root = 0) => Broadcast([tensor], root);

    /// <summary>Blocks until every rank has reached it (or the timeout passes).</summary>
    public void Barrier()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (LibTorchDistributed.resnetgen_dist_barrier(handle) != 0) throw new DistributedException(LibTorch.LastError());
        }
    }

    /// <summary>
    /// Training-mode batch norm with the statistics of every rank's batch (<see cref="SyncBatchNorm"/>'s
    /// forward): one all-reduce now, under the group's lock, and
    /// one in the backward pass (inside <c>loss.backward()</c>, outside the lock). Running statistics are
    /// updated in place with the global mean and unbiased variance.
    /// </summary>
    internal Tensor SyncedBatchNorm(Tensor input, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
        double momentum, double eps)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            var args = new NativeArgs();
            try
            {
                if (LibTorchDistributed.resnetgen_dist_sync_batch_norm(handle, input.Handle, args.Optional(weight), args.Optional(bias),
                        args.Optional(runningMean), args.Optional(runningVar), momentum, eps, out var result) == 0)
                    return new Tensor(result);
                var message = LibTorch.LastError();
                // Communication failures are the group's; a bad shape or too small a batch is the caller's.
                if (message.StartsWith("sync_batch_norm failed", StringComparison.Ordinal)) throw new DistributedException(message);
                throw new TorchException(message);
            }
            finally
            {
                args.Dispose();
            }
        }
    }

    private unsafe delegate int NativeCollective(ProcessGroupHandle group, IntPtr* tensors, int count);

    private unsafe void Collective(IReadOnlyList<Tensor> tensors, NativeCollective call)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var args = new NativeArgs();
            try
            {
                var handles = args.List(tensors);
                int status;
                fixed (IntPtr* p = handles) status = call(handle, p, handles.Length);
                if (status != 0)
                {
                    var message = LibTorch.LastError();
                    // A bad argument (wrong dtype, null handle) is the caller's mistake, not the group's.
                    if (message.StartsWith("all_reduce failed", StringComparison.Ordinal) ||
                        message.StartsWith("broadcast failed", StringComparison.Ordinal))
                        throw new DistributedException(message);
                    throw new TorchException(message);
                }
            }
            finally
            {
                args.Dispose();
            }
        }
    }

    // ---- data-parallel helpers ---------------------------------------------------------------

    /// <summary>
    /// Makes every rank's module equal to rank <paramref name="root"/>'s: parameters and buffers
    /// (BN running statistics and counters), as DDP does at construction.
    /// </summary>
    public void BroadcastModule(Module module, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = new List<Tensor>();
        tensors.AddRange(module.parameters());
        tensors.AddRange(module.buffers());
        Broadcast(tensors, root);
    }

    /// <summary>
    /// Averages the gradients of <paramref name="module"/>'s parameters over the ranks, in place,
    /// in buckets of at most <paramref name="bucketBytes"/>. A parameter that requires grad but has
    /// none on this rank gets zeros, so every rank reduces the same buffers.
    /// </summary>
    public void AverageGradients(Module module, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(module);
        var grads = new List<Tensor>();
        try
        {
            foreach (var p in module.parameters())
            {
                if (!p.requires_grad) continue;
                var g = p.grad;
                if (g is null)
                {
                    using (var zeros = torch.zeros(p.shape, p.dtype, p.device)) p.grad = zeros;
                    g = p.grad!;
                }
                grads.Add(g.DetachFromDisposeScope());
            }
            if (WorldSize > 1) AllReduce(grads, ReduceOp.Average, bucketBytes);
        }
        finally
        {
            foreach (var g in grads) g.Dispose();
        }
    }

    /// <summary>
    /// A <see cref="GradientReducer"/> for <paramref name="module"/>'s parameters that require
    /// grad: their gradients averaged over the ranks during backward, in buckets of at most
    /// <paramref name="bucketBytes"/> (the first one at most 1 MiB, as DDP). Create it after the
    /// module is on its device (moving it later leaves the reducer hooked to the old gradients).
    /// </summary>
    public unsafe GradientReducer CreateGradientReducer(Module module, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(module);
        var parameters = module.parameters().Where(p => p.requires_grad).ToList<Tensor>();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var args = new NativeArgs();
            try
            {
                var handles = args.List(parameters);
                IntPtr raw;
                int status;
                fixed (IntPtr* p = handles) status = LibTorchDistributed.resnetgen_dist_reducer_new(handle, p, handles.Length, bucketBytes, out raw);
                if (status != 0) throw new TorchException(LibTorch.LastError());
                return new GradientReducer(this, new GradientReducerHandle(raw, handle));
            }
            finally
            {
                args.Dispose();
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> under this group's lock, if the group is not disposed.</summary>
    internal void Locked(Action call)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            call();
        }
    }

    /// <summary>
    /// Destroys the group (rank 0's TCP store with it). Safe after a failed collective. With a
    /// <see cref="GradientReducer"/> still alive, the native group goes when the reducer does.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            handle.Dispose();
        }
    }

    public override string ToString() => $"ProcessGroup({Backend}, rank {Rank} of {WorldSize})";
}
