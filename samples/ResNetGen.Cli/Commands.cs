using System.CommandLine;
using System.Diagnostics;
using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Torch;
using ResNetGen.Training;
using ResNetGen.Zoo;
using Spectre.Console;
using static ResNetGen.Cli.CommonOptions;

namespace ResNetGen.Cli;

internal static class Commands
{
    /// <summary>Runs a command body; a bad value or a failure is one clear line on stderr and exit code 1.</summary>
    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                                       or InvalidOperationException or TorchException or TrainingDivergedException
                                       or DistributedException or DistributedEnvironmentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static Command Train()
    {
        var network = Network();
        var dataset = Dataset();
        var data = DataFolder();
        var device = Device();
        var batch = BatchSize(128);
        var threads = Threads();
        var epochs = new Option<int>("--epochs", "-e")
        {
            Description = "Passes over the training set",
            DefaultValueFactory = _ => 7,
            Validators = { v => { if (v.GetValueOrDefault<int>() < 1) v.AddError("--epochs must be at least 1"); } },
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Peak learning rate (one-cycle) or base rate (other schedules)",
            DefaultValueFactory = _ => 0.2,
            Validators = { v => { if (!(v.GetValueOrDefault<double>() > 0)) v.AddError("--lr must be positive"); } },
        };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "Sgd (Nesterov momentum 0.9) or AdamW", DefaultValueFactory = _ => OptimizerKind.Sgd };
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "OneCycle, Cosine, MultiStep or Constant", DefaultValueFactory = _ => ScheduleKind.OneCycle };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Linear warm-up (Cosine, MultiStep, Constant)", DefaultValueFactory = _ => 0 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay (not applied to BN parameters and biases)", DefaultValueFactory = _ => 5e-4 };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing in [0, 1)", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<long>("--seed") { Description = "Seeds initialisation, shuffling and augmentation", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for checkpoints, metrics and the report (default: runs/<network>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (e.g. runs/resnet20/checkpoint.safetensors), exactly where it stopped" };
        var noAugment = new Option<bool>("--no-augment") { Description = "Train without random crop and flip" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on the first N training images only (quick runs)" };
        var channelsLast = new Option<bool?>("--channels-last") { Description = "Keep tensors channels-last (default: true)" };
        var amp = new Option<bool?>("--amp") { Description = "Mixed precision (default: on for CUDA, off on CPU)" };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal" };
        var nproc = DistributedLaunch.NprocPerNode();
        var backend = DistributedLaunch.Backend();
        var distTimeout = DistributedLaunch.Timeout();
        var syncBn = DistributedLaunch.SyncBatchNorm();

        var command = new Command("train", "Train a network and write checkpoints, metrics (CSV, JSON) and an HTML report")
        {
            network, dataset, data, device, epochs, batch, lr, optimizer, schedule, warmup, weightDecay, smoothing, seed,
            output, resume, noAugment, subset, threads, channelsLast, amp, plain, nproc, backend, distTimeout, syncBn,
        };
        command.SetAction(r => Guard(() =>
        {
            if (r.GetValue(nproc) > 1 && !DistributedLaunch.IsWorker) return DistributedLaunch.Launch(r.GetValue(nproc), r.GetValue(threads));
            using var group = DistributedLaunch.Join(r.GetValue(backend)!, TimeSpan.FromSeconds(r.GetValue(distTimeout)));
            var main = group is null || group.IsMain;
            var net = Networks.Find(r.GetValue(network)!);
            var spec = DatasetSpec.Find(r.GetValue(dataset)!);
            CheckCompatible(net, spec);
            var dev = DistributedLaunch.DeviceFor(ResolveDevice(r.GetValue(device)!), group);
            var outDir = r.GetValue(output) ?? Path.Combine("runs", net.Name);
            var options = new TrainerOptions
            {
                Epochs = r.GetValue(epochs),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                Optimizer = r.GetValue(optimizer),
                Schedule = r.GetValue(schedule),
                WarmupEpochs = r.GetValue(warmup),
                WeightDecay = r.GetValue(weightDecay),
                LabelSmoothing = r.GetValue(smoothing),
                Seed = r.GetValue(seed),
                Device = dev,
                Threads = r.GetValue(threads),
                ChannelsLast = r.GetValue(channelsLast),
                MixedPrecision = r.GetValue(amp),
                SyncBatchNorm = r.GetValue(syncBn),
                OutputDirectory = outDir,
                NetworkName = net.Name,
                ClassNames = spec.Classes,
            };
            options.Validate();

            var wall = Stopwatch.StartNew();
            var root = r.GetValue(data);
            using var train = Subset(spec.Load(root, true), r.GetValue(subset));
            using var test = spec.Load(root, false);
            torch.manual_seed(options.Seed);
            using var model = net.Create();
            var interactive = !r.GetValue(plain) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (main)
                Console.WriteLine($"{net.Name}: {model.parameter_count():N0} parameters | {spec.Name}: {train.Count:N0} train, {test.Count:N0} test | " +
                                  $"device {dev} | libtorch {torch.version}" +
                                  (group is null ? "" : $" | {group.WorldSize} processes ({group.Backend}), batch {options.BatchSize} per process, global {options.BatchSize * group.WorldSize}"));
            if (group is not null) Console.WriteLine($"joined as {DistributedLaunch.Describe(group)}");

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true; // let the trainer save a checkpoint and return
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                // Every rank computes the same (reduced) metrics: only rank 0 shows them.
                var observer = !main ? new PlainTextObserver(TextWriter.Null)
                    : interactive ? (ITrainingObserver)new SpectreObserver() : new PlainTextObserver(Console.Out);
                FitResult result;
                using (var trainer = new Trainer(model, options, observer, group))
                using (observer as IDisposable)
                {
                    var trainLoader = new DataLoader(train, options.BatchSize, shuffle: true, dropLast: true, seed: options.Seed,
                        transform: spec.TrainTransform(!r.GetValue(noAugment)), device: dev);
                    var testLoader = new DataLoader(test, 500, transform: spec.TestTransform(), device: dev);
                    result = trainer.Fit(trainLoader, testLoader, r.GetValue(resume), cancel.Token);
                }
                if (!main)
                {
                    Console.WriteLine($"rank {group!.Rank}: {(result.Outcome == FitOutcome.Interrupted ? "interrupted" : "done")}");
                    return result.Outcome == FitOutcome.Interrupted ? 130 : 0;
                }
                if (result.Outcome == FitOutcome.Interrupted)
                {
                    Console.WriteLine($"Interrupted. Resume with: resnetgen train --network {net.Name} --resume {result.CheckpointPath} (and the same options{(group is null ? "" : $", {group.WorldSize} processes")})");
                    return 130;
                }
                var final = result.History.FinalEpoch!;
                Console.WriteLine($"final test accuracy: {final.TestTop1:P2} top-1, {final.TestTop5:P2} top-5 after {result.History.Epochs.Count} epochs " +
                                  $"({wall.Elapsed.TotalMinutes:F1} min wall)");
                Console.WriteLine($"report: {Path.GetFullPath(result.ReportPath)}");
                Console.WriteLine($"best weights: {(result.BestModelPath is null ? "-" : Path.GetFullPath(result.BestModelPath))}");
                return 0;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }));
        return command;
    }

    public static Command Evaluate()
    {
        var network = Network();
        var dataset = Dataset();
        var data = DataFolder();
        var device = Device();
        var weights = Weights();
        var batch = BatchSize(500);
        var command = new Command("evaluate", "Test accuracy (top-1, top-5) and per-class precision/recall of saved weights")
        {
            network, dataset, data, device, weights, batch,
        };
        command.SetAction(r => Guard(() =>
        {
            var net = Networks.Find(r.GetValue(network)!);
            var spec = DatasetSpec.Find(r.GetValue(dataset)!);
            CheckCompatible(net, spec);
            var dev = ResolveDevice(r.GetValue(device)!);
            using var model = LoadModel(net, r.GetValue(weights)!);
            using var test = spec.Load(r.GetValue(data), false);
            using var trainer = new Trainer(model, new TrainerOptions { Device = dev, OutputDirectory = Path.GetTempPath() });
            var result = trainer.Evaluate(new DataLoader(test, r.GetValue(batch), transform: spec.TestTransform(), device: dev));
            Console.WriteLine($"{net.Name} on {spec.Name} test ({test.Count:N0} images): loss {result.Loss:F4}, top-1 {result.Top1:P2}, top-5 {result.Top5:P2}");
            var table = new Table().AddColumns("class", "precision", "recall", "support");
            for (var c = 0; c < result.Confusion.Classes; c++)
                table.AddRow(Markup.Escape(c < spec.Classes.Count ? spec.Classes[c] : c.ToString()), $"{result.Confusion.Precision(c):P1}",
                    $"{result.Confusion.Recall(c):P1}", $"{result.Confusion.Support(c)}");
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    public static Command Summary()
    {
        var network = Network();
        var command = new Command("summary", "The network's layers, output shapes and parameter counts (computed at compile time)") { network };
        command.SetAction(r => Guard(() =>
        {
            var net = Networks.Find(r.GetValue(network)!);
            Console.WriteLine($"{net.Name}: {net.Description}");
            Console.Write(net.Summary());
            return 0;
        }));
        return command;
    }

    public static Command Predict()
    {
        var network = Network();
        var dataset = Dataset();
        var data = DataFolder();
        var device = Device();
        var weights = Weights();
        var count = new Option<int>("--count") { Description = "How many test images to classify", DefaultValueFactory = _ => 10 };
        var start = new Option<int>("--start") { Description = "Index of the first test image", DefaultValueFactory = _ => 0 };
        var command = new Command("predict", "Classify test images with saved weights and show the top-3 guesses") { network, dataset, data, device, weights, count, start };
        command.SetAction(r => Guard(() =>
        {
            var net = Networks.Find(r.GetValue(network)!);
            var spec = DatasetSpec.Find(r.GetValue(dataset)!);
            CheckCompatible(net, spec);
            var dev = ResolveDevice(r.GetValue(device)!);
            using var model = LoadModel(net, r.GetValue(weights)!);
            model.to(dev);
            model.eval();
            using var all = spec.Load(r.GetValue(data), false);
            var first = r.GetValue(start);
            var n = Math.Min(r.GetValue(count), all.Count - first);
            if (first < 0 || n < 1) throw new ArgumentException($"--start/--count select no image (the test set has {all.Count})");
            using var slice = all.Slice(first, n);
            var batch = new DataLoader(slice, n, transform: spec.TestTransform(), device: dev).GetBatch(0, 0);
            using (batch)
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
            {
                var probabilities = torch.nn.functional.softmax(model.forward(batch.Images), 1);
                var (values, indices) = probabilities.topk(Math.Min(3, (int)probabilities.size(1)), 1);
                var (p, k) = (values.cpu().ToArray<float>(), indices.cpu().ToArray<long>());
                var labels = batch.Labels.cpu().ToArray<long>();
                var width = (int)values.size(1);
                var table = new Table().AddColumns("image", "actual", "predicted", "top guesses");
                for (var i = 0; i < n; i++)
                {
                    string Name(long c) => c < spec.Classes.Count ? spec.Classes[(int)c] : c.ToString();
                    var guesses = string.Join(", ", Enumerable.Range(0, width).Select(j => $"{Name(k[i * width + j])} {p[i * width + j]:P0}"));
                    var ok = k[i * width] == labels[i];
                    table.AddRow($"{first + i}", Markup.Escape(Name(labels[i])), ok ? $"[green]{Markup.Escape(Name(k[i * width]))}[/]" : $"[red]{Markup.Escape(Name(k[i * width]))}[/]", Markup.Escape(guesses));
                }
                AnsiConsole.Write(table);
            }
            return 0;
        }));
        return command;
    }

    public static Command List()
    {
        var command = new Command("list", "The networks this build knows");
        command.SetAction(_ =>
        {
            foreach (var n in Networks.All)
                Console.WriteLine($"{n.Name,-18} {n.ParameterCount,12:N0} params  in {n.InChannels}×{n.InputSize}×{n.InputSize}  {n.Description}");
            return 0;
        });
        return command;
    }

    private static void CheckCompatible(NetworkInfo net, DatasetSpec spec)
    {
        if (net.InChannels != spec.Channels)
            throw new ArgumentException($"{net.Name} takes {net.InChannels}-channel images but {spec.Name} has {spec.Channels} channel(s)");
        if (net.NumClasses != spec.Classes.Count)
            throw new ArgumentException($"{net.Name} has {net.NumClasses} classes but {spec.Name} has {spec.Classes.Count}");
    }

    private static Module<Tensor, Tensor> LoadModel(NetworkInfo net, string weightsPath)
    {
        var model = net.Create();
        using var scope = torch.NewDisposeScope();
        model.load_state_dict(Safetensors.Load(weightsPath));
        return model;
    }

    private static TensorDataset Subset(TensorDataset full, int? count)
    {
        if (count is not { } n || n >= full.Count) return full;
        if (n < 1) throw new ArgumentException("--train-subset must be at least 1");
        var slice = full.Slice(0, n);
        full.Dispose();
        return slice;
    }
}
