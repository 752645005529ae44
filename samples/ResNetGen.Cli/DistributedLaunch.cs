using System.CommandLine;
using System.Globalization;
using ResNetGen.Distributed;
using ResNetGen.Torch;

namespace ResNetGen.Cli;

/// <summary>
/// `resnetgen train --nproc-per-node N`: this process becomes a launcher that starts N copies of
/// itself with the torchrun environment, and each copy (seeing that environment) joins the
/// process group as one rank. Started by torchrun, Slurm or a Kubernetes job that sets the same
/// variables, the command is a worker directly.
/// </summary>
internal static class DistributedLaunch
{
    /// <summary>The command line as typed (set by Program), to relaunch the workers with.</summary>
    public static string[] OriginalArguments { get; set; } = [];

    public static Option<int> NprocPerNode() => new Option<int>("--nproc-per-node")
    {
        Description = "Data-parallel: start this many worker processes on this machine (as torchrun); the batch size is per process",
        DefaultValueFactory = _ => 1,
    }.Check(v => v is >= 1 and <= 1024, v => $"must be in 1..1024 (got {v})");

    public static Option<string> Backend() => new Option<string>("--dist-backend")
    {
        Description = "Data-parallel backend: auto (nccl on CUDA when available, else gloo), gloo or nccl",
        DefaultValueFactory = _ => "auto",
    }.Check(v => v is "auto" or "gloo" or "nccl", v => $"must be auto, gloo or nccl (got '{v}')");

    public static Option<double> Timeout() => new Option<double>("--dist-timeout")
    {
        Description = "Data-parallel: seconds a rank waits for the others (rendezvous and every collective) before it fails",
        DefaultValueFactory = _ => ProcessGroup.DefaultTimeout.TotalSeconds,
    }.InRange(0, 1e7, minInclusive: false, maxInclusive: true);

    public static Option<bool> SyncBatchNorm() => new("--sync-bn")
    {
        Description = "Data-parallel: batch-norm statistics over all processes' batches (SyncBatchNorm)",
    };

    /// <summary>Whether this process was started as one rank (torchrun's variables are set).</summary>
    public static bool IsWorker => TorchrunEnvironment.IsPresent();

    /// <summary>
    /// Starts <paramref name="nproc"/> workers running this command line without --nproc-per-node,
    /// forwards their output, and returns the job's exit code. SIGINT and SIGTERM sent to this
    /// launcher are forwarded to the workers (they save a checkpoint and exit; a second signal kills
    /// them); whatever kills the launcher, SIGKILL included, kills the workers too (see LocalLauncher.BindToLauncher).
    /// </summary>
    public static int Launch(int nproc, int? threadsPerProcess)
    {
        var (file, prefix) = LocalLauncher.CurrentProcessCommand();
        var threads = threadsPerProcess ?? Math.Max(1, Environment.ProcessorCount / nproc);
        Console.WriteLine($"launching {nproc} worker processes × {threads} thread(s) on this machine (rank 0 writes the checkpoints and the report)");
        var result = LocalLauncher.Run(new LaunchOptions(file, [.. prefix, .. WithoutNproc(OriginalArguments)], nproc)
        {
            ThreadsPerProcess = threads,
            // A worker that sees a peer fail reports it itself (with the checkpoint to resume from) before it is stopped.
            GracePeriod = TimeSpan.FromSeconds(30),
            ForwardSignals = true,
        });
        if (result.Signal is not null) return result.ExitCode; // the launcher already said how the workers stopped
        if (!result.Succeeded)
        {
            // The failing worker printed its own one-line error (with its rank prefix) on stdout; repeat the gist on stderr.
            Console.Error.WriteLine($"error: data-parallel job failed: {result.Message}");
        }
        return result.ExitCode;
    }

    /// <summary>Joins the group described by the environment (null when this process runs alone).</summary>
    public static ProcessGroup? Join(string backend, TimeSpan timeout)
    {
        if (!IsWorker) return null;
        var env = TorchrunEnvironment.Read();
        return ProcessGroup.FromEnvironment(env, backend == "auto" ? null : backend, timeout);
    }

    /// <summary>On CUDA, each rank uses its own GPU (cuda:LOCAL_RANK) unless a GPU index was given.</summary>
    public static Device DeviceFor(Device device, ProcessGroup? group) =>
        group is not null && device.type == DeviceType.CUDA && device.index < 0 ? new Device(DeviceType.CUDA, group.LocalRank) : device;

    internal static string[] WithoutNproc(IReadOnlyList<string> args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--nproc-per-node") { i++; continue; }
            if (args[i].StartsWith("--nproc-per-node=", StringComparison.Ordinal)) continue;
            result.Add(args[i]);
        }
        return [.. result];
    }

    public static string Describe(ProcessGroup group) =>
        string.Create(CultureInfo.InvariantCulture, $"rank {group.Rank} of {group.WorldSize} ({group.Backend}, timeout {group.Timeout.TotalSeconds:G4} s)");
}
