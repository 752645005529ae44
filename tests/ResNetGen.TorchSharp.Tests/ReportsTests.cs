using System.Xml.Linq;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using TorchSharp;
using TorchSharpSample;

namespace ResNetGen.TorchSharp.Tests;

/// <summary>
/// A training loop written over TorchSharp writes the same metrics.csv, metrics.json and report.html
/// as ResNetGen's Trainer, through ResNetGen.Reports alone (plain numbers in, files out): no
/// ResNetGen.Runtime, no native shim. The accuracies in the files are TorchSharp's own counts.
/// </summary>
public sealed class ReportsTests : IDisposable
{
    private static readonly string[] ClassNames = ["horizontal", "vertical", "diagonal"];
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"resnetgen-ts-report-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void A_TorchSharp_loop_writes_the_Trainers_report_files_with_TorchSharps_accuracies()
    {
        manual_seed(0);
        var random = new Random(0);
        using var model = new StripeNet();
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.05, momentum: 0.9);
        var (testImages, testLabels) = Training.Stripes(96, random);
        var history = new TrainingHistory { NetworkName = nameof(StripeNet), BatchSize = 32, Optimizer = "SGD", PlannedEpochs = 2 };
        var torchSharpTop1 = new List<double>();
        ConfusionMatrix? confusion = null;
        for (var epoch = 1; epoch <= 2; epoch++)
        {
            var (lossSum, seen) = TrainEpoch(model, optimizer, random);
            (confusion, var top1, var top5, var testLoss) = Evaluate(model, testImages, testLabels);
            torchSharpTop1.Add(top1);
            history.Add(new EpochMetrics
            {
                Epoch = epoch, TrainLoss = lossSum / seen, TestLoss = testLoss, TestTop1 = top1, TestTop5 = top5, LearningRate = 0.05,
            });
            TrainingReport.WriteAll(directory, history, confusion, ClassNames);
        }

        var document = MetricsJson.Read(Path.Combine(directory, TrainingReport.JsonFile));
        Assert.Equal(torchSharpTop1, document.History.Epochs.Select(e => e.TestTop1));
        Assert.Equal(96, document.Confusion!.Total);
        Assert.Equal(confusion!.ToRows(), document.Confusion.ToRows());
        Assert.Equal(ClassNames, document.ClassNames);
        Assert.Equal(torchSharpTop1, MetricsCsv.Read(Path.Combine(directory, TrainingReport.CsvFile)).Select(e => e.TestTop1));
        var html = XDocument.Load(Path.Combine(directory, TrainingReport.HtmlFile)); // well-formed XHTML
        Assert.Contains(nameof(StripeNet), html.Root!.Value);
        Assert.Contains("diagonal", html.Root.Value);
    }

    [Fact]
    public void The_reports_assembly_needs_no_ResNetGen_runtime()
    {
        var references = typeof(TrainingReport).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(references, name => name!.StartsWith("ResNetGen", StringComparison.Ordinal) || name.StartsWith("TorchSharp", StringComparison.Ordinal));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "ResNetGen.Runtime");
    }

    private static (double LossSum, long Seen) TrainEpoch(StripeNet model, optim.Optimizer optimizer, Random random)
    {
        model.train();
        double lossSum = 0;
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = Training.Stripes(32, random);
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * 32;
        }
        return (lossSum, 20 * 32);
    }

    /// <summary>Top-1 and top-5 from TorchSharp's own topk; the confusion matrix from its argmax, counted by ResNetGen.Reports.</summary>
    private static (ConfusionMatrix Confusion, double Top1, double Top5, double Loss) Evaluate(StripeNet model, Tensor images, Tensor labels)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.call(images);
        var n = labels.shape[0];
        var top1 = logits.argmax(1).eq(labels).sum().item<long>();
        var top5 = logits.topk(Math.Min(5, (int)logits.shape[1]), 1).indexes.eq(labels.unsqueeze(1)).sum().item<long>();
        var loss = nn.functional.cross_entropy(logits, labels).item<float>();
        var confusion = new ConfusionMatrix((int)logits.shape[1]);
        confusion.Add(logits.argmax(1).data<long>().ToArray(), labels.data<long>().ToArray());
        Assert.Equal(top1, confusion.Correct);
        var managed = Accuracy.TopKCorrect(logits.data<float>().ToArray(), (int)logits.shape[1], labels.data<long>().ToArray(), 1, 5);
        Assert.Equal([top1, top5], managed);
        return (confusion, (double)top1 / n, (double)top5 / n, loss);
    }
}
