using System.Globalization;
using System.Text;
using ResNetGen.Reports.Metrics;

namespace ResNetGen.Reports;

/// <summary>
/// Per-epoch metrics as CSV: a header and one row per epoch, invariant culture, numbers in
/// their shortest round-trip form, NaN for a value that was not measured. Rewritten atomically,
/// so it can be written after every epoch and a crash leaves the last complete file.
/// </summary>
public static class MetricsCsv
{
    public const string Header = "epoch,train_loss,train_top1,test_loss,test_top1,test_top5,learning_rate,images_per_second,epoch_seconds";

    public const string StepsHeader = "step,epoch,loss,learning_rate";

    public static string Format(IEnumerable<EpochMetrics> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var e in epochs)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var v in new[] { e.TrainLoss, e.TrainTop1, e.TestLoss, e.TestTop1, e.TestTop5, e.LearningRate, e.ImagesPerSecond, e.EpochSeconds })
                sb.Append(',').Append(Number(v));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="history"/>'s epochs to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        AtomicFile.WriteAllText(path, Format(history.Epochs));
    }

    /// <summary>The per-step series of every epoch (step, epoch, loss, learning_rate); just the header if none was recorded.</summary>
    public static string FormatSteps(IEnumerable<EpochMetrics> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        var sb = new StringBuilder(StepsHeader).Append('\n');
        foreach (var e in epochs)
            foreach (var s in e.Steps ?? [])
                sb.Append(s.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                  .Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                  .Append(Number(s.Loss)).Append(',')
                  .Append(Number(s.LearningRate)).Append('\n');
        return sb.ToString();
    }

    public static void WriteSteps(string path, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        AtomicFile.WriteAllText(path, FormatSteps(history.Epochs));
    }

    /// <summary>Reads a file written by <see cref="Write"/> (columns found by name, so extra or reordered columns are fine).</summary>
    public static List<EpochMetrics> Read(string path) => Parse(File.ReadAllText(path), path);

    public static List<EpochMetrics> Parse(string csv, string source = "<csv>")
    {
        ArgumentNullException.ThrowIfNull(csv);
        var lines = csv.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{source}: empty metrics file (no header)");
        var columns = lines[0].Split(',');
        int Col(string name)
        {
            var i = Array.IndexOf(columns, name);
            return i >= 0 ? i : throw new InvalidDataException($"{source}: no '{name}' column in the header");
        }
        var (epoch, trainLoss, trainTop1, testLoss, testTop1, testTop5, lr, ips, secs) = (Col("epoch"), Col("train_loss"), Col("train_top1"),
            Col("test_loss"), Col("test_top1"), Col("test_top5"), Col("learning_rate"), Col("images_per_second"), Col("epoch_seconds"));
        var result = new List<EpochMetrics>();
        for (var li = 1; li < lines.Count; li++)
        {
            var f = lines[li].Split(',');
            if (f.Length != columns.Length)
                throw new InvalidDataException($"{source}: line {li + 1} has {f.Length} fields; the header has {columns.Length}");
            double D(int i) => double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v : throw new InvalidDataException($"{source}: line {li + 1}, column '{columns[i]}': '{f[i]}' is not a number");
            result.Add(new EpochMetrics
            {
                Epoch = int.TryParse(f[epoch], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ep)
                    ? ep : throw new InvalidDataException($"{source}: line {li + 1}: epoch '{f[epoch]}' is not an integer"),
                TrainLoss = D(trainLoss),
                TrainTop1 = D(trainTop1),
                TestLoss = D(testLoss),
                TestTop1 = D(testTop1),
                TestTop5 = D(testTop5),
                LearningRate = D(lr),
                ImagesPerSecond = D(ips),
                EpochSeconds = D(secs),
            });
        }
        return result;
    }

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
}
