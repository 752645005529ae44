using ResNetGen.Data;
using ResNetGen.Torch;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using ResNetGen.Zoo;
using Xunit;
using Xunit.Abstractions;

namespace ResNetGen.Runtime.Tests.Training;

/// <summary>The Trainer on real Fashion-MNIST slices with the generated ResNet-20.</summary>
[Collection(nameof(TrainerTests))]
public class TrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("resnetgen-trainer-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (TensorDataset train, TensorDataset test) Slices(int trainCount, int testCount)
    {
        using var fullTrain = FashionMnist.Load(train: true);
        using var fullTest = FashionMnist.Load(train: false);
        return (fullTrain.Slice(0, trainCount), fullTest.Slice(0, testCount));
    }

    private static IBatchTransform Augment() =>
        new Compose(new RandomCrop(28, padding: 2), new RandomHorizontalFlip(), new Normalize([0.2860], [0.3530]));

    private TrainerOptions Options(string outDir, int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 64,
        LearningRate = 0.1,
        Threads = 2,
        Seed = 1,
        OutputDirectory = outDir,
        ReportEvery = 5,
    };

    [Fact]
    public void A_small_slice_trains_far_above_chance()
    {
        var (train, test) = Slices(2000, 500);
        using (train)
        using (test)
        {
            torch.manual_seed(1);
            using var model = new ResNet20();
            using var trainer = new Trainer(model, Options(Path.Combine(dir, "small"), epochs: 3), new PlainTextObserver(new TestOutputWriter(output), 10));
            var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 1, Transform = Augment() });
            var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 250, Transform = new Normalize([0.2860], [0.3530]) });
            var result = trainer.Fit(trainLoader, testLoader);

            Assert.Equal(FitOutcome.Completed, result.Outcome);
            Assert.Equal(3, result.History.Epochs.Count);
            var last = result.History.Epochs[^1];
            output.WriteLine($"test top-1 after 3 epochs on 2,000 images: {last.TestTop1:P1}");
            Assert.True(last.TestTop1 > 0.60, $"test accuracy {last.TestTop1:P1} should be far above chance (10%)");
            Assert.True(last.TestTop5 >= last.TestTop1);
            Assert.True(result.History.Epochs[^1].TrainLoss < result.History.Epochs[0].TrainLoss, "training loss should fall");
            Assert.True(File.Exists(result.CheckpointPath));
            Assert.NotNull(result.BestModelPath);
            Assert.Equal(500, trainer.LastEvaluation!.Confusion.Total);
            // The report files are rewritten every epoch.
            var html = File.ReadAllText(result.ReportPath);
            Assert.Contains("<svg", html);
            Assert.Equal(1 + 3, File.ReadAllLines(Path.Combine(Path.GetDirectoryName(result.ReportPath)!, Trainer.MetricsCsvFile)).Length);
        }
    }

    [Fact]
    public void Interrupting_and_resuming_gives_the_same_weights_as_an_uninterrupted_run()
    {
        var (train, test) = Slices(640, 128);
        // Both runs start from these weights, loaded rather than re-drawn: libtorch's default
        // generator is process-wide and xunit runs other test classes in parallel, which seed it
        // and draw from it, so "manual_seed(7); new ResNet20()" twice need not give the same weights.
        var initial = InitialWeights();
        using var disposeInitial = new DisposeAll(initial.Values);
        using (train)
        using (test)
        {
            Dictionary<string, float[]> Run(string name, int? interruptAfterSteps, long globalSeed)
            {
                // Each run leaves the global generator in a state of its own: nothing in training may draw from it
                // (the model has no dropout, the loader has streams of its own), so the weights must not depend on it.
                torch.manual_seed(globalSeed);
                using var model = new ResNet20();
                model.load_state_dict(initial);
                var opts = Options(Path.Combine(dir, name), epochs: 2);
                var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 3, Transform = Augment() });
                var testLoader = new DataLoader(test, 128);
                if (interruptAfterSteps is { } k)
                {
                    using var cancel = new CancellationTokenSource();
                    var observer = new CancelAfter(k, cancel);
                    using (var first = new Trainer(model, opts, observer))
                    {
                        var partial = first.Fit(loader, testLoader, cancel: cancel.Token);
                        Assert.Equal(FitOutcome.Interrupted, partial.Outcome);
                    }
                    // A fresh model (with weights of its own) and trainer, as after a restart of the process.
                    using var resumedModel = new ResNet20();
                    using var second = new Trainer(resumedModel, opts);
                    var resumed = second.Fit(loader, testLoader, resumeFrom: Path.Combine(opts.OutputDirectory, Trainer.CheckpointFile));
                    Assert.Equal(FitOutcome.Completed, resumed.Outcome);
                    Assert.Equal(2, resumed.History.Epochs.Count);
                    return Weights(resumedModel);
                }
                using var trainer = new Trainer(model, opts);
                trainer.Fit(loader, testLoader);
                return Weights(model);
            }

            var straight = Run("straight", null, globalSeed: 100);
            var resumed = Run("resumed", interruptAfterSteps: 15, globalSeed: 200); // epoch 2, step 5 of 10
            Assert.Equal(straight.Keys, resumed.Keys);
            foreach (var (key, values) in straight)
                Assert.True(values.AsSpan().SequenceEqual(resumed[key]), $"{key} differs after resume");
        }
    }

    [Fact]
    public void A_diverging_loss_stops_training_with_a_clear_message()
    {
        var (train, test) = Slices(640, 64);
        using (train)
        using (test)
        {
            torch.manual_seed(2);
            using var model = new ResNet20();
            // A learning rate of 1e12 without momentum blows the weights up within a few steps.
            var opts = Options(Path.Combine(dir, "diverge"), epochs: 1) with { LearningRate = 1e12, Momentum = 0, Nesterov = false, Schedule = ScheduleKind.Constant, ReportEvery = 1 };
            using var trainer = new Trainer(model, opts);
            var error = Assert.Throws<TrainingDivergedException>(() =>
                trainer.Fit(new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 1 }), new DataLoader(test, 64)));
            Assert.Contains("training diverged at epoch 1", error.Message);
            Assert.Contains("Lower the learning rate", error.Message);
        }
    }

    /// <summary>A seeded ResNet-20's state, as copies the caller disposes.</summary>
    private static Dictionary<string, Tensor> InitialWeights()
    {
        torch.manual_seed(7);
        using var model = new ResNet20();
        var state = model.state_dict();
        var copies = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        foreach (var t in state.Values) t.Dispose();
        return copies;
    }

    private static Dictionary<string, float[]> Weights(Module model)
    {
        var result = new Dictionary<string, float[]>();
        foreach (var (name, t) in model.state_dict())
            using (t)
            using (var f = t.to(ScalarType.Float32).contiguous())
                result[name] = f.ToArray<float>();
        return result;
    }

    /// <summary>Requests cancellation once <paramref name="steps"/> steps have been reported.</summary>
    private sealed class CancelAfter(int steps, CancellationTokenSource cancel) : ITrainingObserver
    {
        private int seen;

        public void OnStep(StepProgress progress)
        {
            seen = (progress.Epoch - 1) * progress.Steps + progress.Step;
            if (seen >= steps) cancel.Cancel();
        }
    }

    private sealed class DisposeAll(IEnumerable<Tensor> tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    private sealed class TestOutputWriter(ITestOutputHelper output) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }
}
