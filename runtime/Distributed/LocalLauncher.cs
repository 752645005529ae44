using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ResNetGen.Distributed;

/// <summary>What <see cref="LocalLauncher"/> starts and how.</summary>
public sealed record LaunchOptions
{
    /// <param name="fileName">The program each worker runs (see <see cref="LocalLauncher.CurrentProcessCommand"/>).</param>
    /// <param name="arguments">Its arguments, the same for every worker (each reads its rank from the environment).</param>
    /// <param name="nprocPerNode">How many workers to start on this machine.</param>
    public LaunchOptions(string fileName, IReadOnlyList<string> arguments, int nprocPerNode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        if (nprocPerNode < 1) throw new ArgumentOutOfRangeException(nameof(nprocPerNode), nprocPerNode, "must be at least 1");
        FileName = fileName;
        Arguments = arguments;
        NprocPerNode = nprocPerNode;
    }

    public string FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; }
    public int NprocPerNode { get; init; }

    /// <summary>MASTER_ADDR given to the workers.</summary>
    public string MasterAddr { get; init; } = "127.0.0.1";

    /// <summary>MASTER_PORT; null picks a free one.</summary>
    public int? MasterPort { get; init; }

    /// <summary>
    /// OMP_NUM_THREADS for each worker. null: as torchrun, 1 when more than one worker and the
    /// variable is not already set, otherwise left alone.
    /// </summary>
    public int? ThreadsPerProcess { get; init; }

    /// <summary>Extra environment variables for every worker.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>Where the workers' output goes, each line prefixed with "[rank N] " (default: Console.Out).</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Where the workers' standard error goes, prefixed likewise (default: <see cref="Output"/> when given, else Console.Error).</summary>
    public TextWriter? ErrorOutput { get; init; }

    /// <summary>Kills every worker when the whole job has run this long (null: no limit).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>After the first worker fails, how long the others get to exit on their own before they are killed.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// While the workers run, this process handles SIGINT and SIGTERM itself: the first one is sent
    /// on to every worker (which can then stop cleanly, e.g. save a checkpoint) and the launcher
    /// waits for them; a second one kills them. Off, the signals keep their usual effect on this process.
    /// </summary>
    public bool ForwardSignals { get; init; }
}

/// <summary>How a launch ended.</summary>
/// <param name="ExitCode">0 when every worker succeeded; else the first failure's exit code (or 124 on timeout, 130 on cancel).</param>
/// <param name="FailedRank">The rank that failed first, or null.</param>
/// <param name="ExitCodes">Each rank's exit code (null for a worker that was killed before it exited on its own).</param>
public sealed record LaunchResult(int ExitCode, int? FailedRank, IReadOnlyList<int?> ExitCodes, bool TimedOut, string? Message)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The signal (SIGINT 2, SIGTERM 15) this launcher received and forwarded (<see cref="LaunchOptions.ForwardSignals"/>), or null.</summary>
    public int? Signal { get; init; }
}

/// <summary>
/// Starts N local worker processes with the torchrun environment (RANK, LOCAL_RANK, WORLD_SIZE,
/// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), forwards their output with a rank prefix, and,
/// as torchrun does, stops the rest as soon as one fails. It never leaves a worker running: on
/// failure, timeout, cancellation or an exception every worker (and its children) is killed.
/// </summary>
public static class LocalLauncher
{
    /// <summary>
    /// Set in every worker's environment to the launcher's process id; <see cref="BindToLauncher"/>
    /// (called first thing by the worker) makes the worker die with that process.
    /// </summary>
    public const string LauncherPidVariable = "RESNETGEN_LAUNCHER_PID";

    /// <summary>
    /// In a worker started by <see cref="Run"/>: asks the kernel to SIGKILL this process when the
    /// launcher dies, however it dies (SIGKILL and the OOM killer included, where no handler of the
    /// launcher's can run). Returns false when this process was not started by a launcher or the
    /// platform has no parent-death signal (not Linux); exits at once if the launcher is already gone.
    /// <para>
    /// Why the parent-death signal rather than a process group or a pipe: killing a process group
    /// needs someone alive to send the kill, which is exactly what a SIGKILLed launcher cannot do,
    /// and a pipe the worker watches needs the worker's own thread to notice and act, which a worker
    /// stuck in a long native call (a collective, a big convolution) does late or never. The kernel
    /// delivers the parent-death signal itself. Its catch: it fires when the parent THREAD that
    /// forked the worker exits, not the process; the launcher therefore forks every worker from one
    /// dedicated thread that lives until the workers are gone, and the worker sets the signal itself
    /// (inherited settings are cleared by fork) and then checks getppid() against the launcher's pid,
    /// to catch a launcher that died before the call.
    /// </para>
    /// </summary>
    public static bool BindToLauncher()
    {
        var text = System.Environment.GetEnvironmentVariable(LauncherPidVariable);
        if (string.IsNullOrEmpty(text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var launcher)) return false;
        if (!Posix.SetParentDeathSignal(Posix.SIGKILL)) return false;
        if (Posix.ParentProcessId() != launcher)
        {
            Console.Error.WriteLine($"error: the launcher (process {launcher}) is gone; this worker stops");
            System.Environment.Exit(137);
        }
        return true;
    }

    /// <summary>A TCP port that is free on <paramref name="address"/> right now (bind to port 0, read it, close).</summary>
    public static int FreePort(string address = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The command that starts this program again: the app host, or <c>dotnet app.dll</c> when run
    /// through the muxer. For <c>--nproc-per-node</c>: relaunch with the same arguments minus that.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> PrefixArguments) CurrentProcessCommand()
    {
        var process = System.Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var name = Path.GetFileNameWithoutExtension(process);
        if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
#pragma warning disable IL3000 // empty in single-file apps, which are never run through the muxer
            var entry = Assembly.GetEntryAssembly()?.Location;
#pragma warning restore IL3000
            if (string.IsNullOrEmpty(entry)) throw new InvalidOperationException("the entry assembly is unknown");
            return (process, [entry]);
        }
        return (process, []);
    }

    /// <summary>Runs the workers to the end; see <see cref="LocalLauncher"/>.</summary>
    public static async Task<LaunchResult> RunAsync(LaunchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var output = options.Output ?? Console.Out;
        var errorOutput = options.ErrorOutput ?? options.Output ?? Console.Error;
        var outputGate = new object();
        var n = options.NprocPerNode;
        var port = options.MasterPort ?? FreePort(options.MasterAddr == "localhost" ? "127.0.0.1" : options.MasterAddr);
        var processes = new Process?[n];
        var exitCodes = new int?[n];
        var exited = new TaskCompletionSource<int>[n];
        string? message = null;
        int? failedRank = null;
        var exitCode = 0;
        var timedOut = false;

        void Write(TextWriter writer, int rank, string? line)
        {
            if (line is null) return;
            lock (outputGate) writer.WriteLine($"[rank {rank}] {line}");
        }

        // The workers' parent thread: it forks every worker and lives until they are gone (see BindToLauncher).
        // Not disposed: the parent thread may still be returning from Wait when this method ends.
        var workersGone = new ManualResetEventSlim();
        var started = new ManualResetEventSlim();
        Exception? startError = null;
        var parent = new Thread(() =>
        {
            try
            {
                for (var rank = 0; rank < n; rank++)
                {
                    var info = new ProcessStartInfo(options.FileName)
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                        RedirectStandardInput = false,
                        UseShellExecute = false,
                        WorkingDirectory = options.WorkingDirectory ?? "",
                    };
                    foreach (var a in options.Arguments) info.ArgumentList.Add(a);
                    var env = new TorchrunEnvironment(rank, n, rank, options.MasterAddr, port, n);
                    foreach (var (k, v) in env.ToVariables()) info.Environment[k] = v;
                    info.Environment[LauncherPidVariable] = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
                    info.Environment["GROUP_RANK"] = "0";
                    var threads = options.ThreadsPerProcess ??
                                  (n > 1 && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("OMP_NUM_THREADS")) ? 1 : null);
                    if (threads is { } t) info.Environment["OMP_NUM_THREADS"] = t.ToString(CultureInfo.InvariantCulture);
                    if (options.Environment is { } extra)
                        foreach (var (k, v) in extra) info.Environment[k] = v;

                    var r = rank;
                    var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                    var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                    exited[r] = done;
                    process.OutputDataReceived += (_, e) => Write(output, r, e.Data);
                    process.ErrorDataReceived += (_, e) => Write(errorOutput, r, e.Data);
                    process.Exited += (_, _) => done.TrySetResult(r);
                    if (!process.Start()) throw new InvalidOperationException($"could not start worker {r}: {options.FileName}");
                    processes[r] = process;
                    process.BeginOutputReadLine();
                    process.BeginErrorReadLine();
                }
            }
            catch (Exception e)
            {
                startError = e;
            }
            finally
            {
                started.Set();
            }
            workersGone.Wait();
        }) { IsBackground = true, Name = "workers' parent" };

        var signals = new List<PosixSignalRegistration>();
        var forwarded = 0;
        int? signalNumber = null;
        using var killOnSecondSignal = new CancellationTokenSource();
        try
        {
            if (options.ForwardSignals)
            {
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
                    signals.Add(PosixSignalRegistration.Create(signal, context =>
                    {
                        context.Cancel = true; // the launcher stays to collect the workers' exit
                        var number = Posix.SignalNumber(context.Signal);
                        if (Interlocked.Increment(ref forwarded) == 1)
                        {
                            signalNumber = number;
                            lock (outputGate)
                                output.WriteLine($"[launcher] {context.Signal}: asking the workers to stop (they save a checkpoint); a second signal kills them");
                            foreach (var p in processes) Signal(p, number);
                        }
                        else
                        {
                            killOnSecondSignal.Cancel();
                        }
                    }));
            }
            parent.Start();
            started.Wait();
            if (startError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(startError);

            using var timeoutCts = options.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token, killOnSecondSignal.Token);
            var pending = new HashSet<Task<int>>(exited.Select(e => e.Task));
            var stop = Task.Delay(System.Threading.Timeout.Infinite, linked.Token);
            while (pending.Count > 0)
            {
                var next = await Task.WhenAny(pending.Cast<Task>().Append(stop)).ConfigureAwait(false);
                if (next == stop)
                {
                    timedOut = timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
                    exitCode = timedOut ? 124 : 130;
                    message = timedOut ? $"the job ran past its timeout of {options.Timeout}" : "cancelled";
                    break;
                }
                var finished = (Task<int>)next;
                pending.Remove(finished);
                var rank = finished.Result;
                var process = processes[rank]!;
                Drain(process);
                exitCodes[rank] = process.ExitCode;
                if (process.ExitCode != 0 && failedRank is null)
                {
                    failedRank = rank;
                    exitCode = process.ExitCode;
                    message = $"worker rank {rank} exited with code {process.ExitCode}";
                    if (pending.Count > 0 && options.GracePeriod > TimeSpan.Zero)
                    {
                        // Let the others notice and report the failure themselves, then stop them.
                        var grace = Task.Delay(options.GracePeriod, linked.Token);
                        while (pending.Count > 0)
                        {
                            var any = await Task.WhenAny(pending.Cast<Task>().Append(grace)).ConfigureAwait(false);
                            if (any == grace) break;
                            var f = (Task<int>)any;
                            pending.Remove(f);
                            Drain(processes[f.Result]!);
                            exitCodes[f.Result] = processes[f.Result]!.ExitCode;
                        }
                    }
                    break;
                }
            }
        }
        finally
        {
            foreach (var process in processes) Kill(process);
            foreach (var process in processes) process?.Dispose();
            workersGone.Set();
            foreach (var registration in signals) registration.Dispose();
        }

        if (signalNumber is { } sig && !timedOut)
        {
            // Workers that stopped because they were asked to: an interruption, not a failure.
            var stoppedCleanly = exitCodes.All(c => c is 0 or 130 or 143);
            exitCode = 128 + sig;
            message = stoppedCleanly
                ? $"interrupted by {(sig == Posix.SIGTERM ? "SIGTERM" : "SIGINT")}: every worker stopped"
                : message ?? "interrupted";
        }
        if (message is not null)
            lock (outputGate) output.WriteLine($"[launcher] {message}");
        return new LaunchResult(exitCode, failedRank, exitCodes, timedOut, message) { Signal = signalNumber };
    }

    /// <summary>Runs the workers; blocking wrapper around <see cref="RunAsync"/>.</summary>
    public static LaunchResult Run(LaunchOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Waits for an exited worker's last output lines. Only the parameterless WaitForExit waits for
    /// the redirected streams to reach end of file (the timed overload returns at process exit, with
    /// lines still in flight); it runs bounded, since a grandchild may hold the pipe open.
    /// </summary>
    private static void Drain(Process process) => Task.Run(process.WaitForExit).Wait(TimeSpan.FromSeconds(10));

    private static void Signal(Process? process, int signal)
    {
        try
        {
            if (process is not null && !process.HasExited) Posix.Kill(process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // not started yet or already gone
        }
    }

    private static void Kill(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // already exiting
        }
    }
}
