using ResNetGen.Reports.Metrics;

namespace ResNetGen.Reports;

/// <summary>The files <see cref="TrainingReport.WriteAll"/> wrote (Steps is null when no per-step series was recorded).</summary>
public sealed record ReportFiles(string Csv, string Json, string Html, string? StepsCsv);

/// <summary>
/// Writes a run's report files into one folder: metrics.csv, metrics.json, report.html (and
/// steps.csv when steps were recorded), each atomically. Call it after every epoch: a crash or
/// Ctrl+C leaves complete files describing the epochs so far.
/// </summary>
public static class TrainingReport
{
    public const string CsvFile = "metrics.csv", JsonFile = "metrics.json", HtmlFile = "report.html", StepsCsvFile = "steps.csv";

    public static ReportFiles WriteAll(string directory, TrainingHistory history, ConfusionMatrix? confusion = null,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(history);
        Directory.CreateDirectory(directory);
        var files = new ReportFiles(
            Path.Combine(directory, CsvFile),
            Path.Combine(directory, JsonFile),
            Path.Combine(directory, HtmlFile),
            history.Epochs.Any(e => e.Steps is { Count: > 0 }) ? Path.Combine(directory, StepsCsvFile) : null);
        MetricsCsv.Write(files.Csv, history);
        if (files.StepsCsv is not null) MetricsCsv.WriteSteps(files.StepsCsv, history);
        MetricsJson.Write(files.Json, history, confusion, classNames);
        HtmlReport.Write(files.Html, history, confusion, classNames);
        return files;
    }

    /// <summary>Rebuilds report.html from a metrics.json (e.g. after editing class names, or from another machine's run).</summary>
    public static void RenderFromJson(string jsonPath, string htmlPath)
    {
        var doc = MetricsJson.Read(jsonPath);
        HtmlReport.Write(htmlPath, doc.History, doc.Confusion, doc.ClassNames.Count > 0 ? doc.ClassNames : null);
    }
}
