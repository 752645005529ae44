using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;

namespace ResNetGen.Runtime.Tests.Reports;

/// <summary>A realistic made-up run: ResNet-20 on Fashion-MNIST, one-cycle SGD, with per-step series and a confusion matrix.</summary>
internal static class SyntheticRun
{
    public static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static TrainingHistory History(int epochs = 8, int stepsPerEpoch = 469, int plannedEpochs = 0)
    {
        var rng = new Random(7);
        var h = new TrainingHistory
        {
            NetworkName = "ResNet20",
            ParameterCount = 272_186,
            Device = "cpu",
            Threads = 2,
            BatchSize = 128,
            Optimizer = "SGD(lr=0.1, momentum=0.9, nesterov, weight_decay=5e-4)",
            Seed = 42,
            PlannedEpochs = plannedEpochs == 0 ? epochs : plannedEpochs,
            StartTime = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero),
            TotalWallSeconds = epochs * 74.5,
        };
        h.Set("Schedule", "one-cycle (max lr 0.1, 15% warm-up)").Set("Augmentation", "random crop (pad 2) + horizontal flip")
         .Set("Dataset", "Fashion-MNIST (60,000 train / 10,000 test)").Set("Label smoothing", "0.0");
        var totalSteps = (long)epochs * stepsPerEpoch;
        long step = 0;
        for (var e = 1; e <= epochs; e++)
        {
            var steps = new List<StepMetrics>();
            for (var s = 0; s < stepsPerEpoch; s++)
            {
                step++;
                var progress = (double)step / totalSteps;
                var lr = progress < 0.15 ? 0.004 + (0.1 - 0.004) * progress / 0.15 : 0.1 * 0.5 * (1 + Math.Cos(Math.PI * (progress - 0.15) / 0.85));
                var loss = 0.18 + 2.0 * Math.Exp(-step / 120.0) + 0.22 * Math.Exp(-progress * 3) + 0.06 * (rng.NextDouble() - 0.5);
                steps.Add(new StepMetrics(step, loss, lr));
            }
            var t = (double)e / epochs;
            h.Add(new EpochMetrics
            {
                Epoch = e,
                TrainLoss = 0.19 + 0.45 * Math.Exp(-3.2 * (e - 1) / epochs) - 0.03 * t,
                TrainTop1 = 0.84 + 0.11 * (1 - Math.Exp(-3 * t)),
                TestLoss = 0.23 + 0.22 * Math.Exp(-3 * (e - 1) / (double)epochs) + 0.02 * rng.NextDouble(),
                TestTop1 = 0.865 + 0.063 * (1 - Math.Exp(-3.5 * t)) + 0.004 * (rng.NextDouble() - 0.5),
                TestTop5 = 0.995 + 0.0045 * t,
                LearningRate = steps[^1].LearningRate,
                ImagesPerSecond = 820 + 20 * rng.NextDouble(),
                EpochSeconds = 72 + 3 * rng.NextDouble(),
                Steps = steps,
            });
        }
        return h;
    }

    /// <summary>1,000 test images per class with Fashion-MNIST's usual mistakes (Shirt vs T-shirt/Pullover/Coat...).</summary>
    public static ConfusionMatrix Confusion()
    {
        long[][] rows =
        [
            [872, 0, 16, 14, 3, 1, 89, 0, 5, 0],
            [1, 985, 0, 9, 2, 0, 2, 0, 1, 0],
            [14, 1, 893, 8, 44, 0, 39, 0, 1, 0],
            [12, 4, 9, 931, 22, 0, 20, 0, 2, 0],
            [1, 1, 37, 20, 902, 0, 38, 0, 1, 0],
            [0, 0, 0, 0, 0, 983, 0, 12, 0, 5],
            [96, 1, 48, 22, 60, 0, 767, 0, 6, 0],
            [0, 0, 0, 0, 0, 7, 0, 975, 0, 18],
            [3, 1, 2, 3, 1, 2, 3, 2, 982, 1],
            [0, 0, 0, 0, 0, 5, 0, 27, 1, 967],
        ];
        return ConfusionMatrix.FromCounts(rows);
    }
}
