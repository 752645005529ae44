using System.Text;
using Xunit;

namespace ResNetGen.Faults.Tests;

/// <summary>One bad input or fault: how to provoke it and what the command must answer.</summary>
/// <param name="Group">The group of issue 13 it belongs to (0: handled well before).</param>
/// <param name="Expect">Texts the single stderr line must hold.</param>
public sealed record FaultCase(string Id, int Group, string Fault, Func<FaultFixture, string[]> Args, int ExitCode, string[] Expect)
{
    /// <summary>Creates the case's inputs first (they join the protected snapshot unless <see cref="KeepSnapshot"/>).</summary>
    public Action<FaultFixture>? Setup { get; init; }

    /// <summary>The inputs Setup makes are meant to change (e.g. stale files the command must delete): not protected.</summary>
    public bool KeepSnapshot { get; init; }

    /// <summary>ulimit -f for the run (KiB): a "disk full" that even root hits.</summary>
    public string? FileSizeLimitKiB { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Lines on stderr (1: the error, or the warning/note of a run that succeeds; 0: nothing).</summary>
    public int StderrLines { get; init; } = 1;

    /// <summary>Further assertions on the run.</summary>
    public Action<FaultFixture, CliRun>? Check { get; init; }

    public override string ToString() => Id;
}

/// <summary>
/// Every case runs the real `resnetgen` as a subprocess and asserts its exit code, one stderr line
/// naming the problem (no "Unhandled exception", no stack frame, no death by signal), and that no
/// file saved before it (datasets, the base run's checkpoint and weights, crafted inputs) changed.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultCases(FaultFixture fixture)
{
    private static string[] Train(FaultFixture f, params (string Option, string? Value)[] overrides)
    {
        var options = new List<(string, string?)>
        {
            ("--dataset", "mnist"), ("--data", f.Data), ("--epochs", "1"), ("--batch-size", "32"), ("--threads", "1"), ("--seed", "3"),
        };
        foreach (var (option, value) in overrides)
        {
            var i = options.FindIndex(o => o.Item1 == option);
            if (i >= 0) options[i] = (option, value);
            else options.Add((option, value));
        }
        var args = new List<string> { "train", "--plain" };
        foreach (var (option, value) in options)
        {
            if (value is null) continue;
            // --name=value keeps a value that starts with '-' a value.
            if (value.StartsWith('-')) args.Add($"{option}={value}");
            else { args.Add(option); args.Add(value); }
        }
        return [.. args];
    }

    private static string[] Evaluate(FaultFixture f, params string[] more) => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", f.Best, .. more];

    private static string[] Predict(FaultFixture f, params string[] more) => ["predict", "--dataset", "mnist", "--data", f.Data, "-w", f.Best, .. more];

    private static string P(FaultFixture f, string name) => Path.Combine(f.Root, name);

    public static readonly FaultCase[] All =
    [
        // ---- 3: the file system ----
        new("out-existing-unwritable", 3, "-o an existing folder no one may write, root included (/sys/kernel: sysfs refuses new files)",
            f => Train(f, ("-o", "/sys/kernel")), 1, ["output folder '/sys/kernel' is not writable", "permission denied"])
        {
            Check = (_, run) =>
            {
                Assert.True(run.Elapsed < TimeSpan.FromSeconds(5), $"the error took {run.Elapsed}");
                Assert.DoesNotContain("epoch", run.Stdout);
            },
        },
        new("out-cannot-create", 3, "-o a folder that cannot be created (under /sys/kernel)",
            f => Train(f, ("-o", "/sys/kernel/resnetgen-faults")), 1, ["cannot create output folder '/sys/kernel/resnetgen-faults'"]),
        new("out-is-a-file", 3, "-o names an existing file",
            f => Train(f, ("-o", f.Best)), 1, ["is a file, not a folder"]),
        new("out-under-a-file", 3, "-o names a folder under an existing file",
            f => Train(f, ("-o", Path.Combine(f.Best, "run"))), 1, ["best.safetensors' is a file, not a folder"]),
        new("disk-full-at-checkpoint", 3, "the disk fills up when the first checkpoint is written (ulimit -f 600 KiB: EFBIG, as root too)",
            f => Train(f, ("-o", P(f, "full"))), 1, ["cannot write", "full/best.safetensors", "file-size limit"])
        {
            FileSizeLimitKiB = "600",
            Check = (f, _) => Assert.Empty(Directory.GetFiles(P(f, "full"), "*.tmp")),
        },
        new("weights-is-a-folder", 3, "--weights names a folder",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", f.BaseRun], 1, ["--weights", "is a folder"]),
        new("resume-is-a-folder", 3, "--resume names a folder",
            f => Train(f, ("--resume", f.BaseRun), ("-o", P(f, "r1"))), 1, ["--resume", "is a folder"]),
        new("data-is-a-file", 3, "--data names a file",
            f => Train(f, ("--data", f.Best), ("-o", P(f, "d1"))), 1, ["is a file; the data folder must be the folder"]),
        new("data-folder-missing", 3, "--data names a folder that does not exist",
            f => Train(f, ("--data", P(f, "no-such-data")), ("-o", P(f, "d2"))), 1, ["data folder not found", "no-such-data"]),

        // ---- 4: values that do not parse (used to abort with SIGABRT) ----
        new("epochs-abc", 4, "--epochs abc", f => Train(f, ("--epochs", "abc")), 1, ["'abc'", "--epochs"]),
        new("batch-size-1e3", 4, "--batch-size 1e3", f => Train(f, ("--batch-size", "1e3")), 1, ["'1e3'", "--batch-size"]),
        new("lr-fast", 4, "--lr fast", f => Train(f, ("--lr", "fast")), 1, ["'fast'", "--lr"]),
        new("threads-two", 4, "--threads two", f => Train(f, ("--threads", "two")), 1, ["'two'", "--threads"]),
        new("nproc-two", 4, "--nproc-per-node two", f => Train(f, ("--nproc-per-node", "two")), 1, ["'two'", "--nproc-per-node"]),
        new("dist-timeout-soon", 4, "--dist-timeout soon", f => Train(f, ("--dist-timeout", "soon")), 1, ["'soon'", "--dist-timeout"]),
        new("evaluate-batch-size-1e3", 4, "evaluate --batch-size 1e3", f => Evaluate(f, "--batch-size", "1e3"), 1, ["'1e3'", "--batch-size"]),
        new("seed-x", 4, "--seed x", f => Train(f, ("--seed", "x")), 1, ["'x'", "--seed"]),
        new("predict-count-many", 4, "predict --count many", f => Predict(f, "--count", "many"), 1, ["'many'", "--count"]),
        new("train-subset-half", 4, "--train-subset 0.5", f => Train(f, ("--train-subset", "0.5")), 1, ["'0.5'", "--train-subset"]),

        // ---- 5: epochs without a step ----
        new("batch-larger-than-set-constant", 5, "batch size larger than the training set (Constant schedule)",
            f => Train(f, ("--train-subset", "16"), ("--schedule", "Constant"), ("-o", P(f, "b1"))), 1, ["--batch-size 32 needs at least 32 training images", "has 16"]),
        new("batch-larger-than-set-onecycle", 5, "batch size larger than the training set (one-cycle)",
            f => Train(f, ("--train-subset", "16"), ("-o", P(f, "b2"))), 1, ["--batch-size 32 needs at least 32 training images", "has 16"]),
        new("empty-training-set", 5, "an empty training set (IDX files of 0 images)",
            f => Train(f, ("--data", P(f, "data-empty-train")), ("-o", P(f, "b3"))), 1, ["needs at least 32 training images", "has 0"])
        {
            Setup = f => f.WriteDataset("data-empty-train", 0, 8, 28, 28),
        },
        new("evaluate-empty-test-set", 5, "evaluate on an empty test set",
            f => ["evaluate", "--dataset", "mnist", "--data", P(f, "data-empty-test"), "-w", f.Best], 1, ["test set is empty"])
        {
            Setup = f => f.WriteDataset("data-empty-test", 8, 0, 28, 28),
        },

        // ---- 6: used to be stack dumps ----
        new("idx-dimensions-overflow", 6, "an IDX header whose dimensions overflow",
            f => Train(f, ("--data", P(f, "data-overflow")), ("-o", P(f, "o1"))), 1, ["train-images-idx3-ubyte", "overflow"])
        {
            Setup = f => f.DatasetWith("data-overflow", "train-images-idx3-ubyte", FaultFixture.Idx([uint.MaxValue, uint.MaxValue, uint.MaxValue], [])),
        },
        new("checkpoint-epoch-not-a-number", 6, "--resume a checkpoint whose 'epoch' metadata is not a number",
            f => Train(f, ("--resume", P(f, "epoch-two.safetensors")), ("-o", P(f, "o2"))), 1, ["metadata 'epoch' is 'two', not an integer"])
        {
            Setup = f => f.CheckpointWithMetadata("epoch-two.safetensors", "epoch", "two"),
        },
        new("checkpoint-without-rng", 6, "--resume a checkpoint without 'rng.cpu'",
            f => Train(f, ("--resume", P(f, "no-rng.safetensors")), ("-o", P(f, "o3"))), 1, ["lacks the random-generator state 'rng.cpu'"])
        {
            Setup = f => f.RewriteSafetensors(f.Checkpoint, "no-rng.safetensors", keep: k => k != "rng.cpu"),
        },

        // ---- 7: resuming with other settings ----
        new("resume-other-batch-size", 7, "--resume with another --batch-size (into the run's own folder)",
            f => Train(f, ("--resume", f.Checkpoint), ("-o", f.BaseRun), ("--batch-size", "16")), 1, ["cannot resume", "batch size 32 (this run: 16)"]),
        new("resume-other-subset", 7, "--resume with another --train-subset",
            f => Train(f, ("--resume", f.Checkpoint), ("-o", f.BaseRun), ("--train-subset", "128")), 1, ["training samples 256 (this run: 128)"]),
        new("resume-other-seed", 7, "--resume with another --seed",
            f => Train(f, ("--resume", f.Checkpoint), ("-o", f.BaseRun), ("--seed", "4")), 1, ["seed 3 (this run: 4)"]),
        new("resume-other-network", 7, "--resume a checkpoint of another network",
            f => Train(f, ("--resume", P(f, "other-net.safetensors")), ("-o", P(f, "o4"))), 1, ["network cifar_resnet20a (this run: resnet20)"])
        {
            Setup = f => f.CheckpointWithMetadata("other-net.safetensors", "network", "cifar_resnet20a"),
        },
        new("resume-other-dataset", 7, "--resume a checkpoint of another dataset",
            f => Train(f, ("--resume", P(f, "other-data.safetensors")), ("-o", P(f, "o5"))), 1, ["dataset fashion-mnist (this run: mnist)"])
        {
            Setup = f => f.CheckpointWithMetadata("other-data.safetensors", "dataset", "fashion-mnist"),
        },
        new("resume-other-world-size", 7, "--resume a 2-process checkpoint with 1 process",
            f => Train(f, ("--resume", P(f, "two-ranks.safetensors")), ("-o", P(f, "o6"))), 1, ["written by a run of 2 process(es); resume it with 2"])
        {
            Setup = f => f.CheckpointWithMetadata("two-ranks.safetensors", "world_size", "2"),
        },
        new("resume-without-optimizer-state", 7, "--resume a checkpoint without the optimizer's momentum buffers",
            f => Train(f, ("--resume", P(f, "no-momentum.safetensors")), ("-o", P(f, "o7"))), 1, ["lacks the optimizer's state"])
        {
            Setup = f => f.RewriteSafetensors(f.Checkpoint, "no-momentum.safetensors", keep: k => !k.StartsWith("optimizer.state.", StringComparison.Ordinal)),
        },

        // ---- 8: stale temporary files ----
        new("stale-temp-files-removed", 8, "temporary files of an interrupted write are removed at the next start in that folder",
            f => Train(f, ("-o", P(f, "stale")), ("--train-subset", "16")), 1, ["needs at least 32"])
        {
            KeepSnapshot = true,
            Setup = f =>
            {
                var dir = Directory.CreateDirectory(P(f, "stale")).FullName;
                File.WriteAllText(Path.Combine(dir, $".checkpoint.safetensors.99999999.{Guid.NewGuid():N}.tmp"), "partial");
                File.WriteAllText(Path.Combine(dir, $".report.html.{Guid.NewGuid():N}.tmp"), "partial");
                File.WriteAllText(Path.Combine(dir, "notes.tmp"), "the user's own");
            },
            Check = (f, run) =>
            {
                var left = Directory.GetFiles(P(f, "stale")).Select(Path.GetFileName).ToArray();
                Assert.Equal(new[] { "notes.tmp" }, left);
                Assert.Contains("left by an interrupted write", run.Stdout);
            },
        },

        // ---- 9: nonsense that used to be accepted ----
        new("weight-decay-nan", 9, "--weight-decay nan", f => Train(f, ("--weight-decay", "nan")), 1, ["--weight-decay", "NaN"]),
        new("label-smoothing-nan", 9, "--label-smoothing nan", f => Train(f, ("--label-smoothing", "nan")), 1, ["--label-smoothing", "NaN"]),
        new("label-smoothing-one", 9, "--label-smoothing 1", f => Train(f, ("--label-smoothing", "1")), 1, ["--label-smoothing: must be a number in [0, 1) (got 1)"]),
        new("lr-infinity", 9, "--lr Infinity", f => Train(f, ("--lr", "Infinity")), 1, ["--lr: must be a positive number"]),
        new("lr-zero", 9, "--lr 0", f => Train(f, ("--lr", "0")), 1, ["--lr: must be a positive number (got 0)"]),
        new("warmup-negative", 9, "--warmup-epochs -1", f => Train(f, ("--warmup-epochs", "-1")), 1, ["--warmup-epochs: must be a number ≥ 0 (got -1)"]),
        new("epochs-zero", 9, "--epochs 0", f => Train(f, ("--epochs", "0")), 1, ["--epochs: must be at least 1 (got 0)"]),
        new("threads-zero", 9, "--threads 0", f => Train(f, ("--threads", "0")), 1, ["--threads: must be at least 1 (got 0)"]),
        new("train-subset-zero", 9, "--train-subset 0", f => Train(f, ("--train-subset", "0")), 1, ["--train-subset: must be at least 1 (got 0)"]),
        new("nproc-zero", 9, "--nproc-per-node 0", f => Train(f, ("--nproc-per-node", "0")), 1, ["--nproc-per-node: must be in 1..1024 (got 0)"]),
        new("dist-timeout-negative", 9, "--dist-timeout -5", f => Train(f, ("--dist-timeout", "-5")), 1, ["--dist-timeout: must be a number in (0, 10000000]"]),
        new("predict-count-zero", 9, "predict --count 0", f => Predict(f, "--count", "0"), 1, ["--count: must be at least 1 (got 0)"]),
        new("images-smaller-than-declared", 9, "20×20 images for a network declared for 28×28: a warning, then it trains",
            f => Train(f, ("--data", P(f, "data-20px")), ("-o", P(f, "small"))), 0, ["warning:", "28×28", "20×20"])
        {
            Setup = f => f.WriteDataset("data-20px", 64, 16, 20, 20),
            Check = (_, run) => Assert.Contains("final test accuracy", run.Stdout),
        },
        new("images-empty", 9, "0×0 images", f => Train(f, ("--data", P(f, "data-0px")), ("-o", P(f, "zero"))), 1, ["images are 0×0"])
        {
            Setup = f => f.WriteDataset("data-0px", 64, 16, 0, 0),
        },
        new("evaluate-huge-batch", 9, "evaluate --batch-size 100000000 (the network sees at most 512 images at once)",
            f => Evaluate(f, "--batch-size", "100000000"), 0, [])
        {
            StderrLines = 0,
            Check = (_, run) => Assert.Contains("top-1", run.Stdout),
        },

        // ---- 10: messages that were unclear ----
        new("data-offsets-as-strings", 10, "a safetensors file whose data_offsets are strings",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", P(f, "string-offsets.safetensors")], 1, ["string-offsets.safetensors", "bad data_offsets"])
        {
            Setup = f => f.RewriteSafetensors(f.Best, "string-offsets.safetensors", edit: h =>
            {
                var first = h.First(kv => kv.Key != "__metadata__").Value!;
                var o = first["data_offsets"]!.AsArray();
                first["data_offsets"] = new System.Text.Json.Nodes.JsonArray(o[0]!.ToString(), o[1]!.ToString());
            }),
        },
        new("weights-empty", 10, "--weights \"\"", f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", ""], 1, ["--weights: must not be empty"]),
        new("output-empty", 10, "-o \"\"", f => Train(f, ("-o", "")), 1, ["--output: must not be empty"]),
        new("resume-empty", 10, "--resume \"\"", f => Train(f, ("--resume", "")), 1, ["--resume: must not be empty"]),
        new("warmup-not-below-epochs", 10, "--warmup-epochs 1 with --epochs 1 (was \"(Parameter 'WarmupEpochs')\")",
            f => Train(f, ("--warmup-epochs", "1")), 1, ["--warmup-epochs (1) must be less than --epochs (1)"]),
        new("checkpoint-as-weights", 10, "a training checkpoint passed as --weights: its model weights are used, with a note",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", f.Checkpoint], 0, ["note:", "is a training checkpoint", "train --resume"])
        {
            Check = (_, run) => Assert.Contains("top-1", run.Stdout),
        },
        new("idx-name-is-a-folder", 10, "a folder named like an IDX file",
            f => Train(f, ("--data", P(f, "data-folder-idx")), ("-o", P(f, "o8"))), 1, ["train-images-idx3-ubyte: is a folder, not an IDX file"])
        {
            Setup = f => Directory.CreateDirectory(Path.Combine(f.DatasetWith("data-folder-idx", "train-images-idx3-ubyte", null), "train-images-idx3-ubyte")),
        },
        new("weights-of-another-network", 10, "weights that lack most of the network's keys: a short message, not a 9 KB key list",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", P(f, "half.safetensors")], 1, ["does not hold resnet20 weights", "missing key(s)", "in all)"])
        {
            Setup = f => f.RewriteSafetensors(f.Best, "half.safetensors", keep: k => k.StartsWith("conv1", StringComparison.Ordinal) || k.StartsWith("bn1", StringComparison.Ordinal)),
            Check = (_, run) => Assert.True(run.Stderr.Length < 700, $"{run.Stderr.Length} characters"),
        },
        new("evaluate-plain-when-redirected", 10, "evaluate with stdout redirected: no ANSI escape codes",
            f => Evaluate(f), 0, [])
        {
            StderrLines = 0,
            Check = (_, run) => { Assert.Contains("precision", run.Stdout); Assert.DoesNotContain('\u001b', run.Stdout); },
        },
        new("predict-plain-when-redirected", 10, "predict with stdout redirected: no ANSI escape codes",
            f => Predict(f, "--count", "5"), 0, [])
        {
            StderrLines = 0,
            Check = (_, run) => { Assert.Contains("top guesses", run.Stdout); Assert.DoesNotContain('\u001b', run.Stdout); },
        },

        // ---- 0: handled well before; kept so they stay so ----
        new("unknown-option", 0, "an unknown option", f => Train(f, ("--bogus", "1")), 1, ["'--bogus'"]),
        new("unknown-network", 0, "--network resnet9000", f => Train(f, ("--network", "resnet9000")), 1, ["unknown network 'resnet9000'"]),
        new("network-wrong-channels", 0, "--network resnet18 (3-channel) on 1-channel images",
            f => Train(f, ("--network", "resnet18")), 1, ["resnet18 takes 3-channel images"]),
        new("unknown-dataset", 0, "--dataset imagenet", f => Train(f, ("--dataset", "imagenet")), 1, ["unknown dataset 'imagenet'"]),
        new("unknown-optimizer", 0, "--optimizer foo", f => Train(f, ("--optimizer", "foo")), 1, ["'foo'", "--optimizer"]),
        new("unknown-device", 0, "--device tpu", f => Train(f, ("--device", "tpu")), 1, ["--device"]),
        new("unknown-backend", 0, "--dist-backend mpi", f => Train(f, ("--dist-backend", "mpi")), 1, ["--dist-backend: must be auto, gloo or nccl"]),
        new("no-command", 0, "no command at all", _ => [], 1, ["Required command was not provided"]),
        new("evaluate-without-weights", 0, "evaluate without --weights", f => ["evaluate", "--dataset", "mnist", "--data", f.Data], 1, ["'--weights' is required"]),
        new("weights-missing", 0, "--weights names no file", f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", P(f, "nope.safetensors")], 1, ["nope.safetensors", "no such file"]),
        new("safetensors-truncated", 0, "a truncated safetensors file",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", P(f, "truncated.safetensors")], 1, ["truncated.safetensors", "is corrupt"])
        {
            Setup = f => File.WriteAllBytes(P(f, "truncated.safetensors"), File.ReadAllBytes(f.Best)[..50_000]),
        },
        new("safetensors-garbage", 0, "a file that is not safetensors at all",
            f => ["evaluate", "--dataset", "mnist", "--data", f.Data, "-w", P(f, "garbage.safetensors")], 1, ["garbage.safetensors", "is corrupt"])
        {
            Setup = f => File.WriteAllBytes(P(f, "garbage.safetensors"), Encoding.UTF8.GetBytes("this is not a safetensors file, just text\n")),
        },
        new("idx-bad-magic", 0, "an IDX file with a wrong magic number",
            f => Train(f, ("--data", P(f, "data-magic")), ("-o", P(f, "o9"))), 1, ["train-images-idx3-ubyte", "not an IDX file"])
        {
            Setup = f => f.DatasetWith("data-magic", "train-images-idx3-ubyte", Encoding.UTF8.GetBytes("hello, this is no IDX file")),
        },
        new("idx-gzip-corrupt", 0, "a .gz IDX file whose gzip stream is corrupt",
            f => Train(f, ("--data", P(f, "data-gzip")), ("-o", P(f, "o10"))), 1, ["train-images-idx3-ubyte.gz", "gzip"])
        {
            Setup = f =>
            {
                var gz = FaultFixture.Gzip(File.ReadAllBytes(Path.Combine(f.Data, "train-images-idx3-ubyte")));
                for (var i = 20; i < gz.Length; i += 7) gz[i] ^= 0x5a;
                var dir = f.DatasetWith("data-gzip", "train-images-idx3-ubyte", null);
                File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), gz);
            },
        },
        new("idx-truncated", 0, "a truncated IDX image file",
            f => Train(f, ("--data", P(f, "data-truncated")), ("-o", P(f, "o11"))), 1, ["train-images-idx3-ubyte", "truncated"])
        {
            Setup = f => f.DatasetWith("data-truncated", "train-images-idx3-ubyte", File.ReadAllBytes(Path.Combine(f.Data, "train-images-idx3-ubyte"))[..5000]),
        },
        new("idx-label-count", 0, "fewer labels than images",
            f => Train(f, ("--data", P(f, "data-labels")), ("-o", P(f, "o12"))), 1, ["labels for the"])
        {
            Setup = f => f.DatasetWith("data-labels", "train-labels-idx1-ubyte", FaultFixture.Idx([10], new byte[10])),
        },
        new("idx-label-out-of-range", 0, "a label outside the 10 classes",
            f => Train(f, ("--data", P(f, "data-label-12")), ("-o", P(f, "o13"))), 1, ["label 12 is outside the 10 classes"])
        {
            Setup = f => f.DatasetWith("data-label-12", "train-labels-idx1-ubyte", FaultFixture.Idx([(uint)FaultFixture.TrainImages], Enumerable.Repeat((byte)12, FaultFixture.TrainImages).ToArray())),
        },
        new("predict-start-past-end", 0, "predict --start past the test set", f => Predict(f, "--start", "1000"), 1, ["--start 1000 is past the end"]),
        new("resume-weights-only", 0, "--resume a weights-only file", f => Train(f, ("--resume", f.Best), ("-o", P(f, "o14"))), 1, ["holds weights only, not a training checkpoint"]),
        new("torchrun-environment-broken", 0, "a broken torchrun environment (RANK=5 of WORLD_SIZE=2)", f => Train(f), 1, ["invalid torchrun environment", "RANK=5 must be less than WORLD_SIZE=2"])
        {
            Environment = new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["RANK"] = "5" },
        },
    ];

    public static TheoryData<string> Ids() => new(All.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Fault_gives_its_exit_code_and_one_clear_line(string id)
    {
        var c = All.Single(x => x.Id == id);
        if (c.Setup is not null)
        {
            c.Setup(fixture);
            if (!c.KeepSnapshot) fixture.Resnapshot();
        }
        var run = Cli.Run(c.Args(fixture), fixture.Root, TimeSpan.FromMinutes(2), c.Environment, c.FileSizeLimitKiB);
        FaultTable.Add(c.Id, c.Group, c.Fault, run, fixture.Root);

        Assert.True(run.ExitCode == c.ExitCode, $"expected exit code {c.ExitCode}; {run}");
        Cli.AssertNoCrash(run);
        Assert.True(run.ErrorLines.Length == c.StderrLines, $"expected {c.StderrLines} line(s) on stderr; {run}");
        foreach (var text in c.Expect)
            Assert.True(run.ErrorLines[0].Contains(text, StringComparison.Ordinal), $"stderr lacks '{text}'; {run}");
        if (c.ExitCode != 0) Assert.StartsWith("error: ", run.ErrorLines[0], StringComparison.Ordinal);
        c.Check?.Invoke(fixture, run);
        fixture.AssertSavedFilesUnchanged(c.Id);
    }

    [Fact]
    public void There_are_at_least_40_distinct_cases_covering_every_group()
    {
        Assert.Equal(All.Length, All.Select(c => c.Id).Distinct().Count());
        Assert.True(All.Length >= 40, $"{All.Length} cases");
        // Groups 1 and 2 (signals) are the SignalTests; every other group has cases here.
        foreach (var group in new[] { 0, 3, 4, 5, 6, 7, 8, 9, 10 })
            Assert.Contains(All, c => c.Group == group);
    }

    [Fact]
    public void The_fault_table_lists_every_case()
    {
        var table = File.ReadAllText(Path.Combine(Cli.RepoRoot, "docs", "faults.md"));
        foreach (var c in All)
            Assert.True(table.Contains($"| `{c.Id}` | {c.Group} |", StringComparison.Ordinal),
                $"docs/faults.md lacks case {c.Id}: regenerate it (RESNETGEN_UPDATE_FAULTS=1 dotnet test tests/ResNetGen.Faults.Tests -c Release)");
        foreach (var id in SignalTests.Ids)
            Assert.True(table.Contains($"| `{id}` |", StringComparison.Ordinal), $"docs/faults.md lacks case {id}");
    }
}
