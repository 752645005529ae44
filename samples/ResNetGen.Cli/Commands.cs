using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Reports;
using ResNetGen.Torch;
using ResNetGen.Training;
using ResNetGen.Zoo;
using Spectre.Console;
using static ResNetGen.Cli.CommonOptions;

namespace ResNetGen.Cli;

internal static class Commands
{
    /// <summary>
    /// Runs a command body; a bad value or a failure is one clear line on stderr and exit code 1.
    /// Every exception ends here: the expected kinds (bad input, files, libtorch, distributed) print
    /// their message; anything else prints its type too (set RESNETGEN_DEBUG=1 for the stack trace).
    /// </summary>
    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {OneLine(e)}");
            if (Environment.GetEnvironmentVariable("RESNETGEN_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>An exception as one line: its message (without .NET's " (Parameter 'x')" suffix), its type when unexpected.</summary>
    internal static string OneLine(Exception e)
    {
        var message = e.Message;
        if (e is ArgumentException { ParamName: { } name }) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        var expected = e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
            or InvalidOperationException or TorchException or TrainingDivergedException or DistributedException
            or DistributedEnvironmentException or NotSupportedException;
        if (!expected) message = $"{e.GetType().Name}: {message}";
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
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
        }.AtLeast(1);
        var lr = new Option<double>("--lr")
        {
            Description = "Peak learning rate (one-cycle) or base rate (other schedules)",
            DefaultValueFactory = _ => 0.2,
        }.Positive();
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "Sgd (Nesterov momentum 0.9) or AdamW", DefaultValueFactory = _ => OptimizerKind.Sgd };
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "OneCycle, Cosine, MultiStep or Constant", DefaultValueFactory = _ => ScheduleKind.OneCycle };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Linear warm-up (Cosine, MultiStep, Constant)", DefaultValueFactory = _ => 0 }.NonNegative();
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay (not applied to BN parameters and biases)", DefaultValueFactory = _ => 5e-4 }.NonNegative();
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing in [0, 1)", DefaultValueFactory = _ => 0.0 }.InRange(0, 1);
        var seed = new Option<long>("--seed") { Description = "Seeds initialisation, shuffling and augmentation", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for checkpoints, metrics and the report (default: runs/<network>)" }.NotEmpty();
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (e.g. runs/resnet20/checkpoint.safetensors), exactly where it stopped" }.NotEmpty();
        var noAugment = new Option<bool>("--no-augment") { Description = "Train without random crop and flip" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on the first N training images only (quick runs)" }.AtLeast(1);
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
            // SIGTERM (Slurm and Kubernetes preemption, `timeout`, `docker stop`) is handled as Ctrl+C:
            // stop at the next step, save a checkpoint, exit 128 + the signal. Registered first, so a
            // signal during start-up is not lost either.
            // Across options (each option's own range is checked by its validator).
            if (r.GetValue(warmup) >= r.GetValue(epochs))
                throw new ArgumentException($"--warmup-epochs ({r.GetValue(warmup).ToString(CultureInfo.InvariantCulture)}) must be less than --epochs ({r.GetValue(epochs)})");
            // A launcher forwards the signals to its workers instead (LocalLauncher).
            if (r.GetValue(nproc) > 1 && !DistributedLaunch.IsWorker) return DistributedLaunch.Launch(r.GetValue(nproc), r.GetValue(threads));
            using var stop = new StopSignals();
            using var group = DistributedLaunch.Join(r.GetValue(backend)!, TimeSpan.FromSeconds(r.GetValue(distTimeout)));
            var main = group is null || group.IsMain;
            var worldSize = group?.WorldSize ?? 1;
            var net = Networks.Find(r.GetValue(network)!);
            var spec = DatasetSpec.Find(r.GetValue(dataset)!);
            CheckCompatible(net, spec);
            var outDir = r.GetValue(output) ?? Path.Combine("runs", net.Name);
            // Before anything slow (libtorch, the data): the output folder must really take a file, and a
            // checkpoint to resume must be one (its settings are compared once the data is known).
            if (main)
                foreach (var stale in OutputFolder.Prepare(outDir))
                    Console.WriteLine($"removed {Path.Combine(outDir, stale)}, left by an interrupted write");
            var resumeFrom = r.GetValue(resume);
            if (resumeFrom is not null) CheckpointFile(resumeFrom, "--resume");
            var dev = DistributedLaunch.DeviceFor(ResolveDevice(r.GetValue(device)!), group);
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
                DatasetName = spec.Name,
                ClassNames = spec.Classes,
            };
            options.Validate();

            var wall = Stopwatch.StartNew();
            var root = r.GetValue(data);
            using var train = Subset(spec.Load(root, true), r.GetValue(subset));
            using var test = spec.Load(root, false);
            CheckSteps(train.Count, test.Count, options.BatchSize, worldSize, r.GetValue(subset) is not null);
            var otherSize = CheckImageSize(net, spec, train);
            torch.manual_seed(options.Seed);
            using var model = net.Create();
            if (otherSize) CheckForward(net, model, train);
            var interactive = !r.GetValue(plain) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (main)
                Console.WriteLine($"{net.Name}: {model.parameter_count():N0} parameters | {spec.Name}: {train.Count:N0} train, {test.Count:N0} test | " +
                                  $"device {dev} | libtorch {torch.version}" +
                                  (group is null ? "" : $" | {group.WorldSize} processes ({group.Backend}), batch {options.BatchSize} per process, global {options.BatchSize * group.WorldSize}"));
            if (group is not null) Console.WriteLine($"joined as {DistributedLaunch.Describe(group)}");

            // Every rank computes the same (reduced) metrics: only rank 0 shows them.
            var observer = !main ? new PlainTextObserver(TextWriter.Null)
                : interactive ? (ITrainingObserver)new SpectreObserver() : new PlainTextObserver(Console.Out);
            FitResult result;
            using (var trainer = new Trainer(model, options, observer, group))
            using (observer as IDisposable)
            {
                var trainLoader = new DataLoader(train, new DataLoaderOptions
                {
                    BatchSize = options.BatchSize, Shuffle = true, DropLast = true, Seed = options.Seed,
                    Transform = spec.TrainTransform(!r.GetValue(noAugment), train.ImageShape), Device = dev,
                });
                var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 500, Transform = spec.TestTransform(), Device = dev });
                result = trainer.Fit(trainLoader, testLoader, resumeFrom, stop.Token);
            }
            var interruptedCode = stop.ExitCode;
            if (!main)
            {
                Console.WriteLine($"rank {group!.Rank}: {(result.Outcome == FitOutcome.Interrupted ? "interrupted" : "done")}");
                return result.Outcome == FitOutcome.Interrupted ? interruptedCode : 0;
            }
            if (result.Outcome == FitOutcome.Interrupted)
            {
                Console.WriteLine($"Interrupted ({stop.SignalName}). Resume with: resnetgen train --network {net.Name} --resume {result.CheckpointPath} (and the same options{(group is null ? "" : $", {group.WorldSize} processes")})");
                return interruptedCode;
            }
            var final = result.History.FinalEpoch!;
            Console.WriteLine($"final test accuracy: {final.TestTop1:P2} top-1, {final.TestTop5:P2} top-5 after {result.History.Epochs.Count} epochs " +
                              $"({wall.Elapsed.TotalMinutes:F1} min wall)");
            Console.WriteLine($"report: {Path.GetFullPath(result.ReportPath)}");
            Console.WriteLine($"best weights: {(result.BestModelPath is null ? "-" : Path.GetFullPath(result.BestModelPath))}");
            return 0;
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
            if (test.Count == 0) throw new ArgumentException($"the {spec.Name} test set is empty: there is nothing to evaluate");
            if (CheckImageSize(net, spec, test)) CheckForward(net, model, test);
            var evaluator = EvaluatorOn(model, dev);
            // The evaluator runs the network on at most Evaluator.MaxChunk images at once, whatever --batch-size asks.
            var result = evaluator.Evaluate(new DataLoader(test, new DataLoaderOptions { BatchSize = r.GetValue(batch), Transform = spec.TestTransform(), Device = dev }));
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
        var count = new Option<int>("--count") { Description = "How many test images to classify", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var start = new Option<int>("--start") { Description = "Index of the first test image", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var command = new Command("predict", "Classify test images with saved weights and show the top-3 guesses") { network, dataset, data, device, weights, count, start };
        command.SetAction(r => Guard(() =>
        {
            var net = Networks.Find(r.GetValue(network)!);
            var spec = DatasetSpec.Find(r.GetValue(dataset)!);
            CheckCompatible(net, spec);
            var dev = ResolveDevice(r.GetValue(device)!);
            using var model = LoadModel(net, r.GetValue(weights)!);
            using var all = spec.Load(r.GetValue(data), false);
            var first = r.GetValue(start);
            if (first >= all.Count) throw new ArgumentException($"--start {first} is past the end of the {spec.Name} test set ({all.Count} images)");
            var n = Math.Min(r.GetValue(count), all.Count - first);
            if (CheckImageSize(net, spec, all)) CheckForward(net, model, all);
            using var slice = all.Slice(first, n);
            var evaluator = EvaluatorOn(model, dev);
            model.eval();
            var table = new Table().AddColumns("image", "actual", "predicted", "top guesses");
            string Name(long c) => c < spec.Classes.Count ? spec.Classes[(int)c] : c.ToString(CultureInfo.InvariantCulture);
            // Batches of at most Evaluator.MaxChunk images: memory stays bounded whatever --count asks.
            var loader = new DataLoader(slice, new DataLoaderOptions { BatchSize = Math.Min(n, Evaluator.MaxChunk), Transform = spec.TestTransform(), Device = dev });
            var i = 0;
            foreach (var batch in loader.GetEpoch(0))
            {
                using (batch)
                using (var scope = torch.NewDisposeScope())
                {
                    var probabilities = torch.nn.functional.softmax(evaluator.Logits(batch.Images), 1);
                    var (values, indices) = probabilities.topk(Math.Min(3, (int)probabilities.size(1)), 1);
                    var (p, k) = (values.cpu().ToArray<float>(), indices.cpu().ToArray<long>());
                    var labels = batch.Labels.cpu().ToArray<long>();
                    var width = (int)values.size(1);
                    for (var b = 0; b < labels.Length; b++, i++)
                    {
                        var guesses = string.Join(", ", Enumerable.Range(0, width).Select(j => $"{Name(k[b * width + j])} {p[b * width + j]:P0}"));
                        var ok = k[b * width] == labels[b];
                        var predicted = Markup.Escape(Name(k[b * width]));
                        table.AddRow($"{first + i}", Markup.Escape(Name(labels[b])), ok ? $"[green]{predicted}[/]" : $"[red]{predicted}[/]", Markup.Escape(guesses));
                    }
                }
            }
            AnsiConsole.Write(table);
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

    /// <summary>At least one step per epoch (each of the processes takes a batch per step), and something to evaluate on.</summary>
    private static void CheckSteps(int trainCount, int testCount, int batchSize, int processes, bool subset)
    {
        var perStep = (long)batchSize * processes;
        if (trainCount < perStep)
            throw new ArgumentException(
                $"--batch-size {batchSize}{(processes > 1 ? $" × {processes} processes" : "")} needs at least {perStep} training images for one step, " +
                $"but the training set has {trainCount}{(subset ? " (--train-subset)" : "")}: lower --batch-size or train on more images");
        if (testCount == 0) throw new ArgumentException("the test set is empty: there is nothing to evaluate on");
    }

    /// <summary>
    /// The images' size against the network's declared input size: a warning when they differ (the
    /// network usually still runs: global pooling). Returns whether they differ.
    /// </summary>
    private static bool CheckImageSize(NetworkInfo net, DatasetSpec spec, TensorDataset images)
    {
        var (c, h, w) = (images.ImageShape[0], images.ImageShape[1], images.ImageShape[2]);
        if (c != net.InChannels)
            throw new ArgumentException($"{net.Name} takes {net.InChannels}-channel images but the {spec.Name} files hold {c}-channel images");
        if (h < 1 || w < 1) throw new ArgumentException($"the {spec.Name} images are {h}×{w}: empty images cannot be classified");
        if (net.InputSize > 0 && (h != net.InputSize || w != net.InputSize))
            Console.Error.WriteLine($"warning: {net.Name} is declared for {net.InputSize}×{net.InputSize} images but the {spec.Name} images are {h}×{w}; " +
                                    "it runs (global pooling), but accuracy may suffer");
        return net.InputSize > 0 && (h != net.InputSize || w != net.InputSize);
    }

    /// <summary>One image through the network, before any training: a size it cannot take fails now, with the reason, not after minutes.</summary>
    private static void CheckForward(NetworkInfo net, Module<Tensor, Tensor> model, TensorDataset images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval(); // eval mode and no_grad: no running statistic changes, no random draw
        try
        {
            using var x = torch.zeros([1, .. images.ImageShape]);
            _ = model.forward(x);
        }
        catch (TorchException e)
        {
            throw new ArgumentException($"{net.Name} cannot take {images.ImageShape[1]}×{images.ImageShape[2]} images " +
                                        $"(it is declared for {net.InputSize}×{net.InputSize}): {e.Message}", e);
        }
        finally
        {
            model.train();
        }
    }

    /// <summary>A file that must be a ResNetGen training checkpoint (for --resume), checked by its header only.</summary>
    private static void CheckpointFile(string path, string option)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{option} '{path}' is a folder, not a checkpoint file");
        if (!File.Exists(path)) throw new ArgumentException($"{option} '{path}': no such file");
        var header = Safetensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue("format", out var format) || !format.StartsWith("resnetgen-checkpoint", StringComparison.Ordinal))
            throw new ArgumentException($"{option} '{path}' holds weights only, not a training checkpoint (no optimizer state or position); " +
                                        "use checkpoint.safetensors from the run's output folder");
    }

    /// <summary>
    /// The network on <paramref name="device"/> as the Trainer trains it (channels-last, autocast on
    /// CUDA, the device's thread/cudnn settings), and an evaluator over it. No optimizer, no output folder.
    /// </summary>
    private static Evaluator EvaluatorOn(Module<Tensor, Tensor> model, Device device)
    {
        DeviceSetup.CheckAvailable(device);
        DeviceSetup.Configure(device);
        model.to(device, null, MemoryFormat.ChannelsLast);
        return new Evaluator(model, new EvaluationSettings { Device = device, MixedPrecision = device.type == DeviceType.CUDA });
    }

    private static Module<Tensor, Tensor> LoadModel(NetworkInfo net, string weightsPath)
    {
        if (Directory.Exists(weightsPath)) throw new ArgumentException($"--weights '{weightsPath}' is a folder, not a weights file");
        if (!File.Exists(weightsPath)) throw new ArgumentException($"--weights '{weightsPath}': no such file");
        var model = net.Create();
        try
        {
            using var scope = torch.NewDisposeScope();
            var tensors = Safetensors.Load(weightsPath, out var meta);
            IReadOnlyDictionary<string, Tensor> weights = tensors;
            if (meta.TryGetValue("format", out var format) && format.StartsWith("resnetgen-checkpoint", StringComparison.Ordinal))
            {
                // A training checkpoint holds the weights under "model."; take them, and say so.
                weights = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
                Console.Error.WriteLine($"note: {weightsPath} is a training checkpoint (to continue training, pass it to `train --resume`); " +
                                        $"using its model weights{(meta.TryGetValue("epoch", out var epoch) ? $" (before epoch {epoch})" : "")}");
            }
            try
            {
                model.load_state_dict(weights);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException($"--weights '{weightsPath}' does not hold {net.Name} weights: {FewKeys(e.Message)}", e);
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A load_state_dict message with each key list cut to its first few keys (a wrong file lists hundreds).</summary>
    private static string FewKeys(string message) => string.Join(". ", message.Split(". ").Select(section =>
    {
        var colon = section.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0) return section;
        var separator = section.StartsWith("size mismatch", StringComparison.Ordinal) ? "; " : ", ";
        var keys = section[(colon + 2)..].Split(separator);
        return keys.Length <= 6 ? section : $"{section[..(colon + 2)]}{string.Join(separator, keys.Take(6))}{separator}… ({keys.Length} in all)";
    }));

    private static TensorDataset Subset(TensorDataset full, int? count)
    {
        if (count is not { } n || n >= full.Count) return full;
        var slice = full.Slice(0, n);
        full.Dispose();
        return slice;
    }
}

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (preemption, `timeout`, `docker stop`) become a cancellation the
/// trainer sees at its next step; the process then exits 128 + the signal's number (130, 143),
/// as a shell reports a process a signal ended, once the checkpoint is on disk.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly List<PosixSignalRegistration> registrations = [];
    private int signal;

    public StopSignals()
    {
        foreach (var s in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            registrations.Add(PosixSignalRegistration.Create(s, context =>
            {
                context.Cancel = true; // keep running: the trainer saves a checkpoint and returns
                Interlocked.CompareExchange(ref signal, context.Signal == PosixSignal.SIGTERM ? 15 : 2, 0);
                cancel.Cancel();
            }));
    }

    public CancellationToken Token => cancel.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM.</summary>
    public int ExitCode => 128 + (Volatile.Read(ref signal) is var s and > 0 ? s : 2);

    public string SignalName => Volatile.Read(ref signal) == 15 ? "SIGTERM" : "SIGINT";

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        registrations.Clear();
    }
}
