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

    public static Option<int> NprocPerNode() => new("--nproc-per-node")
    {
        Description = "Data-parallel: start this many worker processes on this machine (as torchrun); the batch size is per process",
        DefaultValueFactory = _ => 1,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--nproc-per-node must be at least 1"); } },
    };

    public static Option<string> Backend() => new("--dist-backend")
    {
        Description = "Data-parallel backend: auto (nccl on CUDA when available, else gloo), gloo or nccl",
        DefaultValueFactory = _ => "auto",
        Validators = { r => { if (r.GetValueOrDefault<string>() is not ("auto" or "gloo" or "nccl")) r.AddError("--dist-backend must be auto, gloo or nccl"); } },
    };

    public static Option<double> Timeout() => new("--dist-timeout")
    {
        Description = "Data-parallel: seconds a rank waits for the others (rendezvous and every collective) before it fails",
        DefaultValueFactory = _ => ProcessGroup.DefaultTimeout.TotalSeconds,
        Validators = { r => { if (!(r.GetValueOrDefault<double>() > 0)) r.AddError("--dist-timeout must be positive"); } },
    };

    public static Option<bool> SyncBatchNorm() => new("--sync-bn")
    {
        Description = "Data-parallel: batch-norm statistics over all processes' batches (SyncBatchNorm)",
    };

    /// <summary>Whether this process was started as one rank (torchrun's variables are set).</summary>
    public static bool IsWorker => TorchrunEnvironment.IsPresent();

    /// <summary>
    /// Starts <paramref name="nproc"/> workers running this command line without --nproc-per-node,
    /// forwards their output, and returns the job's exit code. The first Ctrl+C reaches the
    /// workers too (same process group): they save a checkpoint and exit; a second one kills them.
    /// </summary>
    public static int Launch(int nproc, int? threadsPerProcess)
    {
        var (file, prefix) = LocalLauncher.CurrentProcessCommand();
        var threads = threadsPerProcess ?? Math.Max(1, Environment.ProcessorCount / nproc);
        Console.WriteLine($"launching {nproc} worker processes × {threads} thread(s) on this machine (rank 0 writes the checkpoints and the report)");
        using var kill = new CancellationTokenSource();
        var interrupts = 0;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            if (Interlocked.Increment(ref interrupts) == 1)
                Console.Error.WriteLine("[launcher] stopping: the workers save a checkpoint at their next report step (Ctrl+C again to kill them)");
            else
                kill.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = LocalLauncher.Run(new LaunchOptions(file, [.. prefix, .. WithoutNproc(OriginalArguments)], nproc)
            {
                ThreadsPerProcess = threads,
                // A worker that sees a peer fail reports it itself (with the checkpoint to resume from) before it is stopped.
                GracePeriod = TimeSpan.FromSeconds(30),
            }, kill.Token);
            if (!result.Succeeded && result.ExitCode != 130)
                Console.Error.WriteLine($"error: data-parallel job failed: {result.Message}");
            return result.ExitCode;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
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
