using System.Globalization;
using System.Text;
using System.Text.Json;
using ResNetGen.Reports.Metrics;

namespace ResNetGen.Reports;

/// <summary>What a metrics JSON file holds: the run and its epochs, the last confusion matrix and the class names.</summary>
public sealed record MetricsDocument(TrainingHistory History, ConfusionMatrix? Confusion, IReadOnlyList<string> ClassNames);

/// <summary>
/// The whole run as JSON (snake_case keys; a value that was not measured is null): run
/// information, a summary, the epochs (with their per-step series, stored column-wise), the
/// confusion matrix (rows = actual, columns = predicted), the class names and per-class
/// precision/recall/F1. Written with <see cref="Utf8JsonWriter"/> and read with
/// <see cref="JsonDocument"/>: no reflection, AOT-safe. Written atomically.
/// </summary>
public static class MetricsJson
{
    public const string FormatName = "resnetgen-metrics-1";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void Write(string path, TrainingHistory history, ConfusionMatrix? confusion = null, IReadOnlyList<string>? classNames = null) =>
        AtomicFile.WriteAllText(path, Format(history, confusion, classNames));

    public static string Format(TrainingHistory history, ConfusionMatrix? confusion = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var names = ReportText.ClassNames(classNames, confusion);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Indented))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);

            w.WriteStartObject("run");
            w.WriteString("network", history.NetworkName);
            w.WriteNumber("parameter_count", history.ParameterCount);
            w.WriteString("device", history.Device);
            w.WriteNumber("threads", history.Threads);
            w.WriteNumber("batch_size", history.BatchSize);
            w.WriteString("optimizer", history.Optimizer);
            w.WriteNumber("seed", history.Seed);
            w.WriteNumber("planned_epochs", history.PlannedEpochs);
            w.WriteString("start_time", history.StartTime.ToString("O", CultureInfo.InvariantCulture));
            Number(w, "total_wall_seconds", history.TotalWallSeconds);
            w.WriteStartObject("settings");
            foreach (var (k, v) in history.Settings) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("summary");
            w.WriteNumber("epochs", history.Epochs.Count);
            if (history.BestEpoch is { } best) w.WriteNumber("best_epoch", best.Epoch);
            else w.WriteNull("best_epoch");
            Number(w, "best_test_top1", history.BestTestTop1);
            Number(w, "final_test_top1", history.FinalTestTop1);
            Number(w, "final_test_top5", history.FinalTestTop5);
            w.WriteEndObject();

            w.WritePropertyName("epochs");
            WriteEpochs(w, history.Epochs);

            w.WriteStartArray("class_names");
            foreach (var n in names) w.WriteStringValue(n);
            w.WriteEndArray();

            if (confusion is null)
            {
                w.WriteNull("confusion_matrix");
                w.WriteNull("per_class");
            }
            else
            {
                w.WriteStartObject("confusion_matrix");
                w.WriteString("rows", "actual");
                w.WriteString("columns", "predicted");
                w.WriteStartArray("counts");
                foreach (var row in confusion.ToRows())
                {
                    w.WriteStartArray();
                    foreach (var c in row) w.WriteNumberValue(c);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();

                w.WriteStartArray("per_class");
                for (var c = 0; c < confusion.Classes; c++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("class", c);
                    w.WriteString("name", names[c]);
                    w.WriteNumber("support", confusion.Support(c));
                    Number(w, "precision", confusion.Precision(c));
                    Number(w, "recall", confusion.Recall(c));
                    Number(w, "f1", confusion.F1(c));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static MetricsDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    public static MetricsDocument Parse(string json, string source = "<json>")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var format = root.TryGetProperty("format", out var f) ? f.GetString() : null;
            if (format != FormatName)
                throw new InvalidDataException($"{source}: not a ResNetGen metrics file (format '{format ?? "missing"}', expected '{FormatName}')");

            var run = root.GetProperty("run");
            var history = new TrainingHistory
            {
                NetworkName = run.GetProperty("network").GetString() ?? "",
                ParameterCount = run.GetProperty("parameter_count").GetInt64(),
                Device = run.GetProperty("device").GetString() ?? "",
                Threads = run.GetProperty("threads").GetInt32(),
                BatchSize = run.GetProperty("batch_size").GetInt32(),
                Optimizer = run.GetProperty("optimizer").GetString() ?? "",
                Seed = run.GetProperty("seed").GetInt64(),
                PlannedEpochs = run.GetProperty("planned_epochs").GetInt32(),
                StartTime = DateTimeOffset.Parse(run.GetProperty("start_time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                TotalWallSeconds = Number(run, "total_wall_seconds"),
            };
            if (run.TryGetProperty("settings", out var settings) && settings.ValueKind == JsonValueKind.Object)
                foreach (var p in settings.EnumerateObject()) history.Settings.Add(new(p.Name, p.Value.GetString() ?? ""));
            history.Epochs.AddRange(ReadEpochs(root.GetProperty("epochs")));

            var names = root.TryGetProperty("class_names", out var cn) && cn.ValueKind == JsonValueKind.Array
                ? cn.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                : [];
            ConfusionMatrix? confusion = null;
            if (root.TryGetProperty("confusion_matrix", out var cm) && cm.ValueKind == JsonValueKind.Object)
                confusion = ConfusionMatrix.FromCounts(cm.GetProperty("counts").EnumerateArray()
                    .Select(row => row.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray());
            return new MetricsDocument(history, confusion, names);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: malformed metrics file: {e.Message}", e);
        }
    }

    /// <summary>Epochs alone as a JSON array (e.g. for a checkpoint's metadata); AOT-safe.</summary>
    public static string SerializeEpochs(IEnumerable<EpochMetrics> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) WriteEpochs(w, epochs);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads what <see cref="SerializeEpochs"/> wrote.</summary>
    public static List<EpochMetrics> DeserializeEpochs(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            return ReadEpochs(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"malformed epoch metrics: {e.Message}", e);
        }
    }

    private static void WriteEpochs(Utf8JsonWriter w, IEnumerable<EpochMetrics> epochs)
    {
        w.WriteStartArray();
        foreach (var e in epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            Number(w, "train_loss", e.TrainLoss);
            Number(w, "train_top1", e.TrainTop1);
            Number(w, "test_loss", e.TestLoss);
            Number(w, "test_top1", e.TestTop1);
            Number(w, "test_top5", e.TestTop5);
            Number(w, "learning_rate", e.LearningRate);
            Number(w, "images_per_second", e.ImagesPerSecond);
            Number(w, "epoch_seconds", e.EpochSeconds);
            if (e.Steps is { } steps)
            {
                // Column-wise: three flat arrays instead of thousands of small objects.
                w.WriteStartObject("steps");
                w.WriteStartArray("step");
                foreach (var s in steps) w.WriteNumberValue(s.Step);
                w.WriteEndArray();
                w.WriteStartArray("loss");
                foreach (var s in steps) NumberValue(w, s.Loss);
                w.WriteEndArray();
                w.WriteStartArray("learning_rate");
                foreach (var s in steps) NumberValue(w, s.LearningRate);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static List<EpochMetrics> ReadEpochs(JsonElement array)
    {
        var result = new List<EpochMetrics>();
        foreach (var e in array.EnumerateArray())
        {
            StepMetrics[]? steps = null;
            if (e.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                var step = s.GetProperty("step").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var loss = s.GetProperty("loss").EnumerateArray().Select(NumberValue).ToArray();
                var lr = s.GetProperty("learning_rate").EnumerateArray().Select(NumberValue).ToArray();
                if (loss.Length != step.Length || lr.Length != step.Length)
                    throw new FormatException($"epoch {e.GetProperty("epoch")}: the step series have different lengths");
                steps = new StepMetrics[step.Length];
                for (var i = 0; i < steps.Length; i++) steps[i] = new StepMetrics(step[i], loss[i], lr[i]);
            }
            result.Add(new EpochMetrics
            {
                Epoch = e.GetProperty("epoch").GetInt32(),
                TrainLoss = Number(e, "train_loss"),
                TrainTop1 = Number(e, "train_top1"),
                TestLoss = Number(e, "test_loss"),
                TestTop1 = Number(e, "test_top1"),
                TestTop5 = Number(e, "test_top5"),
                LearningRate = Number(e, "learning_rate"),
                ImagesPerSecond = Number(e, "images_per_second"),
                EpochSeconds = Number(e, "epoch_seconds"),
                Steps = steps,
            });
        }
        return result;
    }

    // JSON has no NaN or infinity: a value that is not finite is written as null and read back as NaN.
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void NumberValue(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }

    private static double Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? NumberValue(v) : double.NaN;

    private static double NumberValue(JsonElement v) => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble();
}
