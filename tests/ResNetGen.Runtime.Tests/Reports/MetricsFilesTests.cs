using System.Globalization;
using System.Text.Json;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Xunit;

namespace ResNetGen.Runtime.Tests.Reports;

public sealed class MetricsFilesTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-metrics-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static EpochMetrics Epoch(int e, double testTop1 = 0.9) => new()
    {
        Epoch = e, TrainLoss = 0.5 / e, TrainTop1 = 0.75 + 0.0625 * e, TestLoss = 0.1 * Math.PI / e, TestTop1 = testTop1,
        TestTop5 = 0.99, LearningRate = 0.1 / (e * 3.0), ImagesPerSecond = 812.25, EpochSeconds = 73.125,
    };

    [Fact]
    public void Csv_has_a_header_and_one_invariant_row_per_epoch_whatever_the_culture()
    {
        var h = new TrainingHistory();
        h.Add(Epoch(1));
        h.Add(Epoch(2) with { TestTop5 = double.NaN });
        var path = Path.Combine(dir, "metrics.csv");
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma: must not leak into the file
            MetricsCsv.Write(path, h);
        }
        finally { CultureInfo.CurrentCulture = saved; }

        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Equal("epoch,train_loss,train_top1,test_loss,test_top1,test_top5,learning_rate,images_per_second,epoch_seconds", lines[0]);
        Assert.Equal("1,0.5,0.8125,0.3141592653589793,0.9,0.99,0.03333333333333333,812.25,73.125", lines[1]);
        Assert.Contains(",NaN,", lines[2]);

        var back = MetricsCsv.Read(path);
        Assert.Equal(h.Epochs, back); // records compare by value; Steps is null on both sides
    }

    [Fact]
    public void Csv_reader_reports_a_bad_file_by_name()
    {
        var path = Path.Combine(dir, "bad.csv");
        File.WriteAllText(path, MetricsCsv.Header + "\n1,0.5,x,1,1,1,1,1,1\n");
        var ex = Assert.Throws<InvalidDataException>(() => MetricsCsv.Read(path));
        Assert.Contains("bad.csv", ex.Message);
        Assert.Contains("train_top1", ex.Message);
    }

    [Fact]
    public void Steps_csv_lists_every_recorded_step_with_its_epoch()
    {
        var h = new TrainingHistory();
        h.Add(Epoch(1) with { Steps = [new(1, 2.5, 0.01), new(2, 2.25, 0.02)] });
        h.Add(Epoch(2) with { Steps = [new(3, 1.5, 0.03)] });
        Assert.Equal("step,epoch,loss,learning_rate\n1,1,2.5,0.01\n2,1,2.25,0.02\n3,2,1.5,0.03\n", MetricsCsv.FormatSteps(h.Epochs));
    }

    [Fact]
    public void Json_round_trips_the_run_epochs_steps_confusion_and_class_names()
    {
        var h = SyntheticRun.History(epochs: 3, stepsPerEpoch: 5);
        h.Add(new EpochMetrics { Epoch = 4, TrainLoss = 0.3 }); // test metrics not measured: NaN -> null -> NaN
        var confusion = SyntheticRun.Confusion();
        var path = Path.Combine(dir, "metrics.json");
        MetricsJson.Write(path, h, confusion, SyntheticRun.FashionMnistClasses);

        var doc = MetricsJson.Read(path);
        var r = doc.History;
        Assert.Equal((h.NetworkName, h.ParameterCount, h.Device, h.Threads, h.BatchSize, h.Optimizer, h.Seed, h.PlannedEpochs, h.StartTime, h.TotalWallSeconds),
            (r.NetworkName, r.ParameterCount, r.Device, r.Threads, r.BatchSize, r.Optimizer, r.Seed, r.PlannedEpochs, r.StartTime, r.TotalWallSeconds));
        Assert.Equal(h.Settings, r.Settings);
        Assert.Equal(h.Epochs.Count, r.Epochs.Count);
        for (var i = 0; i < h.Epochs.Count; i++)
        {
            Assert.Equal(h.Epochs[i] with { Steps = null }, r.Epochs[i] with { Steps = null });
            Assert.Equal(h.Epochs[i].Steps ?? [], r.Epochs[i].Steps ?? []);
        }
        Assert.True(double.IsNaN(r.Epochs[3].TestTop1));
        Assert.Equal(confusion.ToRows(), doc.Confusion!.ToRows());
        Assert.Equal(SyntheticRun.FashionMnistClasses, doc.ClassNames);
    }

    [Fact]
    public void Json_content_is_snake_case_with_nulls_summary_and_per_class_scores()
    {
        var h = SyntheticRun.History(epochs: 2, stepsPerEpoch: 3);
        h.Add(new EpochMetrics { Epoch = 3, TrainLoss = double.PositiveInfinity });
        var json = MetricsJson.Format(h, SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("resnetgen-metrics-1", root.GetProperty("format").GetString());
        Assert.Equal("ResNet20", root.GetProperty("run").GetProperty("network").GetString());
        Assert.Equal(128, root.GetProperty("run").GetProperty("batch_size").GetInt32());
        var summary = root.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("epochs").GetInt32());
        Assert.Equal(h.BestEpoch!.Epoch, summary.GetProperty("best_epoch").GetInt32());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("final_test_top1").ValueKind);
        var third = root.GetProperty("epochs")[2];
        Assert.Equal(JsonValueKind.Null, third.GetProperty("train_loss").ValueKind); // infinity has no JSON form
        Assert.Equal(3, root.GetProperty("epochs")[0].GetProperty("steps").GetProperty("loss").GetArrayLength());
        var shirt = root.GetProperty("per_class")[6];
        Assert.Equal("Shirt", shirt.GetProperty("name").GetString());
        Assert.Equal(1000, shirt.GetProperty("support").GetInt64());
        Assert.Equal(0.767, shirt.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(767.0 / (89 + 2 + 39 + 20 + 38 + 767 + 3), shirt.GetProperty("precision").GetDouble(), 12);
        Assert.Equal("actual", root.GetProperty("confusion_matrix").GetProperty("rows").GetString());
    }

    [Fact]
    public void Json_without_a_confusion_matrix_and_epoch_list_helpers_round_trip()
    {
        var h = new TrainingHistory { NetworkName = "tiny" };
        h.Add(Epoch(1));
        var doc = MetricsJson.Parse(MetricsJson.Format(h));
        Assert.Null(doc.Confusion);
        Assert.Empty(doc.ClassNames);
        Assert.Equal(h.Epochs, doc.History.Epochs);

        var epochs = new List<EpochMetrics> { Epoch(1), Epoch(2) with { Steps = [new(7, 1, 0.5)] } };
        var back = MetricsJson.DeserializeEpochs(MetricsJson.SerializeEpochs(epochs));
        Assert.Equal(epochs[0], back[0]);
        Assert.Equal(epochs[1].Steps, back[1].Steps);
    }

    [Fact]
    public void Json_reader_rejects_other_files_by_name()
    {
        var path = Path.Combine(dir, "other.json");
        File.WriteAllText(path, "{\"format\": \"something-else\"}");
        var ex = Assert.Throws<InvalidDataException>(() => MetricsJson.Read(path));
        Assert.Contains("other.json", ex.Message);
        Assert.Contains("something-else", ex.Message);
        File.WriteAllText(path, "{\"format\": \"resnetgen-metrics-1\", \"run\": ");
        Assert.Contains("malformed", Assert.Throws<InvalidDataException>(() => MetricsJson.Read(path)).Message);
    }

    [Fact]
    public void Class_names_must_match_the_matrix()
    {
        var ex = Assert.Throws<ArgumentException>(() => MetricsJson.Format(new TrainingHistory(), SyntheticRun.Confusion(), ["a", "b"]));
        Assert.Contains("2 class names for a 10-class", ex.Message);
    }

    [Fact]
    public void History_picks_the_earliest_best_epoch_and_the_final_one()
    {
        var h = new TrainingHistory();
        Assert.Null(h.BestEpoch);
        Assert.True(double.IsNaN(h.FinalTestTop1));
        h.Add(Epoch(1, 0.80));
        h.Add(Epoch(2, 0.91));
        h.Add(Epoch(3, 0.91));
        h.Add(Epoch(4, double.NaN));
        h.Add(Epoch(5, 0.90));
        Assert.Equal(2, h.BestEpoch!.Epoch);
        Assert.Equal(0.91, h.BestTestTop1);
        Assert.Equal(0.90, h.FinalTestTop1);
        h.Set("a", "1").Set("b", "2").Set("a", "3");
        Assert.Equal([new("a", "3"), new("b", "2")], h.Settings);
    }

    [Fact]
    public void WriteAll_writes_every_file_atomically_and_the_html_can_be_rebuilt_from_the_json()
    {
        var h = SyntheticRun.History(epochs: 2, stepsPerEpoch: 4);
        var files = TrainingReport.WriteAll(Path.Combine(dir, "run"), h, SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        foreach (var f in new[] { files.Csv, files.Json, files.Html, files.StepsCsv! }) Assert.True(File.Exists(f), f);
        // A second epoch's write replaces the files in place.
        h.Add(new EpochMetrics { Epoch = 3, TrainLoss = 0.2, TestTop1 = 0.95 });
        TrainingReport.WriteAll(Path.Combine(dir, "run"), h, SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        Assert.Equal(4, File.ReadAllLines(files.Csv).Length);
        Assert.Equal(["metrics.csv", "metrics.json", "report.html", "steps.csv"],
            Directory.GetFiles(Path.Combine(dir, "run")).Select(f => Path.GetFileName(f)!).Order().ToArray());

        var rebuilt = Path.Combine(dir, "rebuilt.html");
        TrainingReport.RenderFromJson(files.Json, rebuilt);
        var html = File.ReadAllText(rebuilt);
        Assert.Contains("Ankle boot", html);
        Assert.Contains("95.00%", html);
    }
}
