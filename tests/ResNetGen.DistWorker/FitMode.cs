using System.Globalization;
using ResNetGen.Data;
using ResNetGen.Distributed;
using ResNetGen.Reports.Metrics;
using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using ResNetGen.Training;

// fit: the Trainer itself, data-parallel over the ranks the environment describes (or alone
// without it), on the synthetic quadrant task:
//
//   ResNetGen.DistWorker fit --out DIR [--epochs E] [--batch B (per rank)] [--samples N] [--lr L]
//                        [--seed S] [--width W] [--sync-bn 1] [--overlap 0] [--weights-out PATH({rank})]
//                        [--resume CHECKPOINT] [--die-at-step K --die-rank R] [--timeout-s T]
//
// --die-at-step K: rank R exits abruptly (no cleanup) when it reports global step K.
internal static partial class Worker
{
    private static int Fit(Options o)
    {
        var epochs = o.Int("epochs", 2);
        var batch = o.Int("batch", 8);
        var samples = o.Int("samples", 128);
        var seed = o.Int("seed", 0);
        var width = o.Int("width", 8);
        var dieAtStep = o.Int("die-at-step", -1);
        var dieRank = o.Int("die-rank", 1);
        var outDir = o.Require("out");

        using var group = TorchrunEnvironment.IsPresent() ? ProcessGroup.FromEnvironment("gloo", Timeout(o)) : null;
        var rank = group?.Rank ?? 0;

        // Each rank starts from its own random init on purpose: the Trainer must broadcast rank 0's.
        torch.manual_seed(seed + rank);
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: width);
        var (trainX, trainY) = SyntheticQuadrants.Batch(samples, seed: 1000 + seed);
        var (testX, testY) = SyntheticQuadrants.Batch(64, seed: 2000 + seed);
        using var train = new TensorDataset(trainX, trainY);
        using var test = new TensorDataset(testX, testY);

        var options = new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = batch,
            LearningRate = double.Parse(o.Get("lr") ?? "0.1", CultureInfo.InvariantCulture),
            Schedule = ScheduleKind.Cosine,
            Seed = seed,
            Threads = 1,
            ChannelsLast = false,
            SyncBatchNorm = o.Get("sync-bn") == "1",
            OverlapGradientReduce = o.Get("overlap") != "0",
            ReportEvery = 1,
            OutputDirectory = outDir,
        };
        ITrainingObserver observer = new DieAt(dieAtStep, rank == dieRank, rank == 0 ? Console.Out : TextWriter.Null);
        using var trainer = new Trainer(model, options, observer, group);
        var result = trainer.Fit(
            new DataLoader(train, new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = seed, Prefetch = 0 }),
            new DataLoader(test, new DataLoaderOptions { BatchSize = 16, Prefetch = 0 }),
            o.Get("resume"));

        if (o.Get("weights-out") is { } weightsOut)
        {
            using var scope = torch.NewDisposeScope();
            Safetensors.Save(weightsOut.Replace("{rank}", rank.ToString(CultureInfo.InvariantCulture)), model.state_dict());
        }
        group?.Barrier(); // nobody tears the store down while another rank still saves
        var final = result.History.FinalEpoch!;
        Console.WriteLine(FormattableString.Invariant($"rank {rank}: fit {result.Outcome}, {result.History.Epochs.Count} epochs, test top-1 {final.TestTop1:F4}"));
        return 0;
    }

    /// <summary>Prints progress; on the chosen rank, dies without cleanup at a global step.</summary>
    private sealed class DieAt(int step, bool thisRank, TextWriter output) : ITrainingObserver
    {
        public void OnStep(StepProgress p)
        {
            var global = (p.Epoch - 1) * p.Steps + p.Step;
            output.WriteLine(FormattableString.Invariant($"epoch {p.Epoch} step {p.Step}/{p.Steps} loss {p.Loss:F5}"));
            if (!thisRank || global != step) return;
            Console.WriteLine($"dying at global step {global} (epoch {p.Epoch}, step {p.Step})");
            Console.Out.Flush();
            Exit(3);
        }

        public void OnEpochEnd(EpochMetrics m) =>
            output.WriteLine(FormattableString.Invariant($"epoch {m.Epoch}: train loss {m.TrainLoss:F5}, test top-1 {m.TestTop1:F4}"));

        public void OnMessage(string message) => output.WriteLine(message);
    }
}
