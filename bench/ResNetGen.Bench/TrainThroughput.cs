using System.Globalization;
using ResNetGen.Torch;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using ResNetGen.Zoo;

namespace ResNetGen.Bench;

/// <summary>
/// Training throughput, ours vs PyTorch eager, in one run: the same network, batch, loss and
/// optimizer (SGD, Nesterov, weight decay with BN/bias exempt). Ours runs the Trainer's own step
/// (<see cref="Trainer.TimeSteps"/>); PyTorch runs bench/peers/pytorch_train.py in a worker
/// process. Rounds alternate between all rows; medians of img/s are reported, with the ratio of
/// ours to PyTorch's best row at the same thread count.
/// </summary>
public static class TrainThroughput
{
    private sealed record Config(string Network, long[] Shape, int Batch);

    public static int Run(string[] args)
    {
        var device = Device.Parse(Options.String(args, "--device") ?? "cpu");
        var cuda = device.type == DeviceType.CUDA;
        var networks = (Options.String(args, "--networks") ?? (cuda ? "resnet50" : "resnet20,resnet18")).Split(',');
        var batch = Options.Int(args, "--batch", cuda ? 256 : 128);
        var steps = Options.Int(args, "--steps", cuda ? 30 : 10);
        var rounds = Options.Int(args, "--rounds", 5);
        var amp = Options.String(args, "--amp") ?? (cuda ? "float16" : "off");
        var peers = Path.Combine(RepoRoot(), "bench", "peers");

        using var python = new PythonWorker($"""
            import sys
            sys.path.insert(0, {Quote(peers)})
            import torch, pytorch_train as pt
            """);
        var ptDefaultThreads = int.Parse(python.Eval("torch.get_num_threads()"), CultureInfo.InvariantCulture);
        var cores = Environment.ProcessorCount;
        var threadCounts = cuda ? [ptDefaultThreads] : new[] { ptDefaultThreads, cores }.Distinct().ToArray();
        Console.WriteLine($"training throughput, {device}, batch {batch}, {steps} steps per round, {rounds} alternating rounds, medians");
        Console.WriteLine($"libtorch {torch.version} (ours) | PyTorch {python.Eval("torch.__version__").Trim('\'')} (peer), default threads {ptDefaultThreads}, cores {cores}, amp {amp}");

        foreach (var name in networks)
        {
            var info = Networks.Find(name);
            var shape = new long[] { batch, info.InChannels, name == "resnet18" && !cuda ? 32 : info.InputSize, name == "resnet18" && !cuda ? 32 : info.InputSize };
            foreach (var threads in threadCounts)
            {
                var rows = new List<(string label, Func<double> seconds)>();
                torch.manual_seed(0);
                using var model = info.Create();
                var options = new TrainerOptions
                {
                    Device = device, Threads = threads, ChannelsLast = true, Epochs = 1, Schedule = ScheduleKind.Constant,
                    LearningRate = 0.01, MixedPrecision = amp != "off",
                    MixedPrecisionDType = amp == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float16,
                    OutputDirectory = Path.GetTempPath(),
                };
                using var trainer = new Trainer(model, options);
                using var x = torch.randn(shape, device: device);
                using var y = torch.randint(0, Math.Min(10, info.NumClasses), [batch], device: device);

                string Call(bool cl, int n) => $"pt.run({Quote(name)}, {batch}, {(cl ? "True" : "False")}, {threads}, {n}, {Quote(device.ToString())}, {Quote(amp)})";
                double Peer(bool cl) => double.Parse(python.Eval(Call(cl, steps)), CultureInfo.InvariantCulture);
                // On CUDA only the peer with our settings (channels_last): device time is scarce there.
                if (!cuda) rows.Add(("PyTorch NCHW", () => Peer(false)));
                rows.Add(("PyTorch channels_last", () => Peer(true)));
                rows.Add(("ResNetGen (defaults: channels_last)", () =>
                {
                    torch.set_num_threads(threads);
                    return trainer.TimeSteps(x, y, steps);
                }));

                // Warm-up: allocator caches, cuDNN autotuning, JIT.
                if (!cuda) python.Eval(Call(false, 3));
                python.Eval(Call(true, 3));
                torch.set_num_threads(threads);
                trainer.TimeSteps(x, y, 3);

                var samples = rows.Select(_ => new List<double>()).ToArray();
                for (var r = 0; r < rounds; r++)
                    for (var k = 0; k < rows.Count; k++)
                    {
                        var i = (k + r) % rows.Count; // rotate the order so no row always goes first
                        samples[i].Add(batch * steps / rows[i].seconds());
                    }

                Console.WriteLine();
                Console.WriteLine($"{name} at {shape[2]}x{shape[3]}x{shape[1]}, batch {batch}, {(cuda ? "GPU" : $"{threads} thread(s)")}:");
                var medians = samples.Select(Stats.Median).ToArray();
                for (var i = 0; i < rows.Count; i++)
                    Console.WriteLine($"  {rows[i].label,-38} {medians[i],8:F0} img/s   rounds: {string.Join(" ", samples[i].Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}");
                var ours = medians[^1];
                var bestPeer = medians[..^1].Max();
                Console.WriteLine($"  ratio ours / PyTorch's best: {ours / bestPeer:F2}");
                // One machine-readable line per configuration (bench/gpu/run.sh collects them).
                Console.WriteLine(FormattableString.Invariant(
                    $"RESULT network={name} input={shape[2]}x{shape[3]}x{shape[1]} batch={batch} device={device} amp={amp} threads={threads} ours_img_s={ours:F1} pytorch_img_s={bestPeer:F1} ratio={ours / bestPeer:F3} rounds={rounds} steps={steps}"));
            }
        }
        return 0;
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ResNetGen.sln"))) return dir.FullName;
        // A published benchmark carries bench/peers next to itself.
        return AppContext.BaseDirectory;
    }
}
