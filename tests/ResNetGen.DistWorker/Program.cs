using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ResNetGen.Distributed;
using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using static ResNetGen.Torch.torch.nn;

// A data-parallel worker over c10d (gloo here). Run one per rank with the torchrun environment
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), or let `launch` start them:
//
//   ResNetGen.DistWorker collectives --out DIR
//   ResNetGen.DistWorker train --steps N --batch B --lr L --seed S --out PATH({rank} is replaced)
//                        [--timeout-s T] [--threads T] [--die-after K --die-rank R] [--hang-after K --hang-rank R]
//   ResNetGen.DistWorker fit --out DIR ... (the Trainer, data-parallel; see FitMode.cs)
//   ResNetGen.DistWorker bench --steps N --batch GLOBAL_BATCH [--warmup W] [--threads T] [--overlap 0|1 [--bucket-bytes B]]
//   ResNetGen.DistWorker reducer --out DIR ... (GradientReducer vs AverageGradients; see ReducerMode.cs)
//   ResNetGen.DistWorker launch --nproc N [--threads T] -- <mode> <args...>
//
// Exit codes: 0 ok, 1 bad usage or a failed check, 2 a distributed error, 3 died on purpose.
LocalLauncher.BindToLauncher(); // die with the launcher, however it dies
return Worker.Run(args);

internal static partial class Worker
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: ResNetGen.DistWorker collectives|train|bench|launch [--option value]...");
            return 1;
        }
        var mode = args[0];
        try
        {
            if (mode == "launch") return Launch(args[1..]);
            var o = Options.Parse(args[1..]);
            if (o.Get("threads") is { } threads) torch.set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
            return mode switch
            {
                "collectives" => Collectives(o),
                "train" => Train(o),
                "bench" => Bench(o),
                "fit" => Fit(o),
                "syncbn" => SyncBatchNormMode(o),
                "reducer" => Reducer(o),
                _ => throw new ArgumentException($"unknown mode '{mode}'"),
            };
        }
        catch (DistributedException e)
        {
            Console.Error.WriteLine($"distributed error: {e.Message}");
            return 2;
        }
        catch (DistributedEnvironmentException e)
        {
            Console.Error.WriteLine($"environment error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static TimeSpan Timeout(Options o) =>
        TimeSpan.FromSeconds(double.Parse(o.Get("timeout-s") ?? "60", CultureInfo.InvariantCulture));

    // ---- collectives: results saved for the test to check -----------------------------------

    private static int Collectives(Options o)
    {
        var dir = o.Require("out");
        using var group = ProcessGroup.FromEnvironment("gloo", Timeout(o));
        var (rank, world) = (group.Rank, group.WorldSize);
        using var scope = torch.NewDisposeScope();
        var results = new Dictionary<string, Tensor>();

        // Several dtypes and shapes, a non-contiguous view, and tiny buckets (several collectives).
        var a = torch.arange(0, 12, dtype: ScalarType.Float32).reshape(3, 4).mul(rank + 1);
        var b = torch.full([5], rank + 1, ScalarType.Float64);
        var c = torch.arange(0, 4, dtype: ScalarType.Int64).add(torch.tensor((long)rank * 10)).reshape(2, 2);
        var dBase = torch.full([4, 6], rank + 1, ScalarType.Float32);
        var d = dBase.t(); // a non-contiguous view: reduced through a packed buffer and copied back
        var empty = torch.zeros([0]); // skipped, the same on every rank
        group.AllReduce([a, empty, c], average: false, bucketBytes: 16);
        group.AllReduce([b, d], average: true, bucketBytes: 16);
        var e = torch.arange(0, 7, dtype: ScalarType.Float32).add(torch.tensor((float)rank));
        group.AllReduce(e, ReduceOp.Max);
        results["sum_f32"] = a;
        results["sum_i64"] = c;
        results["avg_f64"] = b;
        results["avg_view_base"] = dBase;
        results["max_f32"] = e;
        results["metric_sum"] = torch.tensor(group.AllReduce(rank + 0.5, ReduceOp.Sum));

        // Broadcast from the last rank, two dtypes at once.
        var root = world - 1;
        var f = torch.full([10], rank + 100, ScalarType.Float32);
        var g = torch.full([3], rank, ScalarType.Int64);
        group.Broadcast([f, g], root);
        results["bcast_f32"] = f;
        results["bcast_i64"] = g;

        // Barrier: every rank but 0 writes a marker after a pause; rank 0 looks for all of them
        // after the barrier. Without a working barrier rank 0 would look too early.
        if (rank != 0)
        {
            Thread.Sleep(500);
            File.WriteAllText(Path.Combine(dir, $"marker{rank}"), "here");
        }
        group.Barrier();
        if (rank == 0)
        {
            var seen = Enumerable.Range(1, world - 1).Count(r => File.Exists(Path.Combine(dir, $"marker{r}")));
            results["barrier_markers_seen"] = torch.tensor((long)seen);
        }

        group.Barrier();
        Safetensors.Save(Path.Combine(dir, $"rank{rank}.safetensors"), results.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.contiguous())));
        Console.WriteLine($"rank {rank}: collectives done");
        return 0;
    }

    // ---- train: data-parallel SGD on the synthetic task ------------------------------------

    private static int Train(Options o)
    {
        var steps = o.Int("steps", 10);
        var batch = o.Int("batch", 8); // per rank
        var lr = double.Parse(o.Get("lr") ?? "0.05", CultureInfo.InvariantCulture);
        var seed = o.Int("seed", 0);
        var width = o.Int("width", 8);
        var outPath = o.Get("out");
        var dieAfter = o.Int("die-after", -1);
        var dieRank = o.Int("die-rank", 1);
        var hangAfter = o.Int("hang-after", -1);
        var hangRank = o.Int("hang-rank", 1);

        using var group = TorchrunEnvironment.IsPresent() ? ProcessGroup.FromEnvironment("gloo", Timeout(o)) : null;
        var (rank, world) = (group?.Rank ?? 0, group?.WorldSize ?? 1);

        // Each rank starts from its own random init on purpose: BroadcastModule makes rank 0's the only one.
        torch.manual_seed(seed + rank);
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: width);
        model.eval(); // batch norm on running statistics: the sharded step is then exactly the big-batch one
        group?.BroadcastModule(model);
        var parameters = model.parameters().ToList();

        for (var step = 1; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = SyntheticQuadrants.Batch(world * batch, seed: step);
            var xs = x.slice(0, rank * batch, (rank + 1) * batch);
            var ys = y.slice(0, rank * batch, (rank + 1) * batch);
            var loss = functional.cross_entropy(model.forward(xs), ys);
            model.zero_grad();
            loss.backward();
            group?.AverageGradients(model);
            using (torch.no_grad())
                foreach (var p in parameters)
                    using (var grad = p.grad)
                        p.add_(grad!, alpha: -lr);
            Console.WriteLine($"rank {rank}: step {step} loss {loss.item():F5}");

            if (step == dieAfter && rank == dieRank)
            {
                Console.WriteLine($"rank {rank}: dying after step {step}");
                Console.Out.Flush();
                Console.Error.Flush();
                Exit(3); // abruptly: no cleanup, sockets closed by the kernel
            }
            if (step == hangAfter && rank == hangRank)
            {
                Console.WriteLine($"rank {rank}: hanging after step {step} (pid {Environment.ProcessId})");
                Console.Out.Flush();
                Thread.Sleep(System.Threading.Timeout.Infinite);
            }
        }

        group?.Barrier();
        if (outPath is not null)
        {
            var path = outPath.Replace("{rank}", rank.ToString(CultureInfo.InvariantCulture));
            var state = model.state_dict();
            Safetensors.Save(path, state);
            foreach (var t in state.Values) t.Dispose();
        }
        group?.Barrier(); // nobody tears the store down while another rank still saves
        Console.WriteLine($"rank {rank}: trained {steps} steps");
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    // ---- bench: images per second, with the share spent in the gradient all-reduce ----------

    private static int Bench(Options o)
    {
        var steps = o.Int("steps", 30);
        var warmup = o.Int("warmup", 5);
        var globalBatch = o.Int("batch", 64);
        var width = o.Int("width", 16);
        var network = o.Get("network") ?? "twoblock"; // or resnet20: the Zoo's ResNet-20 on 1x28x28, channels-last
        var overlap = o.Get("overlap") == "1"; // the gradient all-reduce during backward (GradientReducer)
        var bucketBytes = long.Parse(o.Get("bucket-bytes") ?? $"{ProcessGroup.DefaultBucketBytes}", CultureInfo.InvariantCulture);
        using var group = TorchrunEnvironment.IsPresent() ? ProcessGroup.FromEnvironment("gloo", Timeout(o)) : null;
        var (rank, world) = (group?.Rank ?? 0, group?.WorldSize ?? 1);
        if (globalBatch % world != 0) throw new ArgumentException($"the global batch {globalBatch} does not split over {world} ranks");
        var batch = globalBatch / world;

        torch.manual_seed(0);
        using Module<Tensor, Tensor> model = network switch
        {
            "twoblock" => new TwoBlockResNet(inChannels: 1, numClasses: 4, width: width),
            "resnet20" => new ResNetGen.Zoo.ResNet20(),
            _ => throw new ArgumentException($"unknown network '{network}' (twoblock or resnet20)"),
        };
        var resnet20 = network == "resnet20";
        if (resnet20) model.to(Device.CPU, null, MemoryFormat.ChannelsLast);
        group?.BroadcastModule(model);
        using var reducer = overlap ? group?.CreateGradientReducer(model, bucketBytes) : null;
        var parameters = model.parameters().ToList();
        var data = Enumerable.Range(0, 4).Select(i =>
        {
            var (x, y) = resnet20
                ? (torch.rand([globalBatch, 1, 28, 28]).contiguous(MemoryFormat.ChannelsLast), torch.randint(0, 10, [globalBatch]))
                : SyntheticQuadrants.Batch(globalBatch, seed: i + 1);
            var xs = x.slice(0, rank * batch, (rank + 1) * batch).contiguous().DetachFromDisposeScope();
            var ys = y.slice(0, rank * batch, (rank + 1) * batch).contiguous().DetachFromDisposeScope();
            x.Dispose();
            y.Dispose();
            return (xs, ys);
        }).ToList();

        var total = Stopwatch.StartNew();
        var comm = new Stopwatch();
        for (var step = -warmup; step < steps; step++)
        {
            if (step == 0)
            {
                group?.Barrier();
                total.Restart();
                comm.Reset();
            }
            using var scope = torch.NewDisposeScope();
            var (xs, ys) = data[(step + warmup) % data.Count];
            var loss = functional.cross_entropy(model.forward(xs), ys);
            model.zero_grad();
            reducer?.Prepare();
            loss.backward();
            comm.Start(); // with overlap: only the wait left after backward
            if (reducer is not null) reducer.Finish();
            else group?.AverageGradients(model, bucketBytes);
            comm.Stop();
            using (torch.no_grad())
                foreach (var p in parameters)
                    using (var grad = p.grad)
                        p.add_(grad!, alpha: -0.01);
        }
        group?.Barrier();
        var seconds = total.Elapsed.TotalSeconds;
        var imagesPerSecond = globalBatch * (double)steps / seconds;
        var commShare = group?.AllReduce(comm.Elapsed.TotalSeconds / seconds, ReduceOp.Average) ?? 0;
        if (rank == 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench: {world} process(es) x {torch.get_num_threads()} thread(s), global batch {globalBatch}, {network}{(resnet20 ? "" : $" width {width}")}, " +
                $"{model.parameter_count()} parameters, overlap {(overlap ? "on" : "off")}, buckets of {bucketBytes} B: " +
                $"{imagesPerSecond:F1} img/s ({seconds / steps * 1000:F1} ms/step, " +
                $"gradient all-reduce {commShare * 100:F1}% of the time)"));
        foreach (var (xs, ys) in data)
        {
            xs.Dispose();
            ys.Dispose();
        }
        return 0;
    }

    // ---- launch: N copies of this program through LocalLauncher ----------------------------

    private static int Launch(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        if (split < 0) throw new ArgumentException("launch needs '-- <mode> <args>' after its own options");
        var o = Options.Parse(args[..split]);
        var (file, prefix) = LocalLauncher.CurrentProcessCommand();
        var options = new LaunchOptions(file, [.. prefix, .. args[(split + 1)..]], o.Int("nproc", 2))
        {
            ThreadsPerProcess = o.Get("threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null,
            Timeout = o.Get("job-timeout-s") is { } s ? TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture)) : null,
            GracePeriod = TimeSpan.FromSeconds(double.Parse(o.Get("grace-s") ?? "0", CultureInfo.InvariantCulture)),
        };
        var result = LocalLauncher.Run(options);
        return result.ExitCode;
    }
}

/// <summary>--key value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = [];

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--option value', got '{args[i]}'");
            o.values[args[i][2..]] = args[++i];
        }
        return o;
    }

    public string? Get(string key) => values.GetValueOrDefault(key);

    public string Require(string key) => Get(key) ?? throw new ArgumentException($"--{key} is required");

    public int Int(string key, int fallback) =>
        Get(key) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
