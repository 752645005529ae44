using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Xunit;

namespace ResNetGen.Runtime.Tests.Reports;

public sealed partial class HtmlReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-html-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Parses the report as XML (the markup is XHTML-clean) after checking the doctype.</summary>
    private static XDocument Parse(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">", html);
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    /// <summary>
    /// Set RESNETGEN_REPORT_DEMO_DIR to keep the reports these tests render (report.html and friends,
    /// report-1-epoch.html, report-100-classes.html), then look at them: scripts/screenshot-report.sh DIR/report.html
    /// </summary>
    private static string? DemoDirectory => Environment.GetEnvironmentVariable("RESNETGEN_REPORT_DEMO_DIR") is { Length: > 0 } d ? d : null;

    private static int Count(XDocument doc, string name) => doc.Descendants(name).Count();

    [Fact]
    public void A_realistic_report_is_well_formed_with_one_svg_per_chart_and_every_class_name()
    {
        var html = HtmlReport.Render(SyntheticRun.History(), SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        if (DemoDirectory is { } demo)
            TrainingReport.WriteAll(demo, SyntheticRun.History(), SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        var doc = Parse(html);
        // loss, accuracy, learning rate, throughput, loss per step, learning rate per step, confusion matrix
        Assert.Equal(7, Count(doc, "svg"));
        Assert.Equal(6, doc.Descendants("svg").Count(s => (string?)s.Attribute("class") == "chart"));
        Assert.Single(doc.Descendants("svg"), s => (string?)s.Attribute("class") == "heatmap");
        foreach (var name in SyntheticRun.FashionMnistClasses)
        {
            Assert.Contains(doc.Descendants("td"), td => td.Value == name);           // per-class table
            Assert.Contains(doc.Descendants("text"), t => t.Value == name);           // heatmap labels
        }
        Assert.Equal(100, doc.Descendants("svg").Single(s => (string?)s.Attribute("class") == "heatmap").Elements("g").Count(g => g.Element("rect") is not null)); // 10x10 cells
        Assert.Equal(10, doc.Descendants("tbody").First(b => b.Ancestors("div").Any(d => (string?)d.Attribute("class") == "per-class")).Elements("tr").Count());
        Assert.Equal(8, doc.Descendants("table").Single(t => ((string?)t.Attribute("class"))?.Contains("epochs") == true).Element("tbody")!.Elements("tr").Count());
        // Legends name every series.
        var legend = string.Join("|", doc.Descendants("g").Where(g => (string?)g.Attribute("class") == "legend").SelectMany(g => g.Elements("text")).Select(t => t.Value));
        foreach (var s in new[] { "train loss", "test loss", "train top-1", "test top-1", "test top-5", "batch loss" }) Assert.Contains(s, legend);
        // Headline numbers: the synthetic run's final and best accuracies, and the parameter count.
        var h = SyntheticRun.History();
        Assert.Contains($"{h.FinalTestTop1 * 100:F2}%", html);
        Assert.Contains($"best {h.BestTestTop1 * 100:F2}% (epoch {h.BestEpoch!.Epoch})", html);
        Assert.Contains("272,186", html);
        Assert.Contains("76.70%", html); // Shirt recall
    }

    [Fact]
    public void The_report_is_self_contained()
    {
        var html = HtmlReport.Render(SyntheticRun.History(), SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        Assert.DoesNotMatch(UrlPattern(), html);
        var doc = Parse(html);
        Assert.Empty(doc.Descendants("script"));
        Assert.Empty(doc.Descendants("link"));
        Assert.Empty(doc.Descendants("img"));
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("@import", html);
    }

    [Fact]
    public void Every_user_text_is_escaped()
    {
        var evil = "<script>alert('x')</script> & \"co\"";
        var h = SyntheticRun.History(epochs: 2, stepsPerEpoch: 3);
        h.NetworkName = evil;
        h.Optimizer = "SGD <fused> & friends";
        h.Device = "cuda:0\u0001";
        h.Set("Note <b>", "a < b && c > d");
        string[] names = [.. SyntheticRun.FashionMnistClasses];
        names[3] = "Dress <&>";
        var html = HtmlReport.Render(h, SyntheticRun.Confusion(), names);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<fused>", html);
        Assert.DoesNotContain("Dress <&>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;", html);
        Assert.Contains("Dress &lt;&amp;&gt;", html);
        var doc = Parse(html); // escaping kept it well-formed (the control character was dropped)
        Assert.Contains(doc.Descendants("td"), td => td.Value == "Dress <&>");
        Assert.Contains(doc.Descendants("dd"), dd => dd.Value == "a < b && c > d");
        Assert.Equal(evil + " · training report", doc.Descendants("title").First().Value);
    }

    [Fact]
    public void One_epoch_no_epochs_and_no_confusion_matrix_still_make_a_valid_report()
    {
        var one = SyntheticRun.History(epochs: 1, stepsPerEpoch: 1, plannedEpochs: 8);
        var oneHtml = HtmlReport.Render(one, SyntheticRun.Confusion(), SyntheticRun.FashionMnistClasses);
        if (DemoDirectory is { } demo) File.WriteAllText(Path.Combine(demo, "report-1-epoch.html"), oneHtml);
        var doc = Parse(oneHtml);
        Assert.Equal(7, Count(doc, "svg"));
        Assert.Contains(doc.Descendants("span"), s => s.Value == "in progress: 1 of 8 epochs");
        Assert.Contains(doc.Descendants("circle"), c => c.Element("title")?.Value.StartsWith("test top-1, epoch 1: ", StringComparison.Ordinal) == true);

        var empty = Parse(HtmlReport.Render(new TrainingHistory()));
        Assert.Equal(4, Count(empty, "svg"));
        Assert.Equal(4, empty.Descendants("text").Count(t => t.Value == "no data yet"));
        Assert.Contains(empty.Descendants("p"), p => p.Value == "No evaluation yet.");
        Assert.Contains(empty.Descendants("p"), p => p.Value == "No epoch has finished yet.");
    }

    [Fact]
    public void Long_runs_and_many_classes_stay_readable_and_compact()
    {
        var h = SyntheticRun.History(epochs: 200, stepsPerEpoch: 100);
        var confusion = new ConfusionMatrix(100);
        var rng = new Random(1);
        for (var i = 0; i < 10_000; i++)
        {
            var actual = rng.Next(100);
            confusion.Add(rng.NextDouble() < 0.7 ? actual : rng.Next(100), actual);
        }
        var html = HtmlReport.Render(h, confusion, Enumerable.Range(0, 100).Select(i => $"class with a rather long name {i}").ToArray());
        if (DemoDirectory is { } demo) File.WriteAllText(Path.Combine(demo, "report-100-classes.html"), html);
        var doc = Parse(html);
        // 20,000 steps are averaged down, and 200 epochs draw no per-point markers.
        var stepPath = doc.Descendants("svg").Where(s => (string?)s.Attribute("aria-label") == "Training loss per step").Single().Elements("path").Single();
        Assert.InRange(stepPath.Attribute("d")!.Value.Count(c => c == 'L'), 500, 1200);
        Assert.Empty(doc.Descendants("svg").Where(s => (string?)s.Attribute("aria-label") == "Loss per epoch").Descendants("circle"));
        // Epoch ticks are few and round.
        var ticks = doc.Descendants("svg").Where(s => (string?)s.Attribute("aria-label") == "Loss per epoch").Single()
            .Elements("g").Single(g => (string?)g.Attribute("class") == "ticks").Elements("text").Select(t => t.Value).ToList();
        Assert.Contains("100", ticks);
        Assert.Contains("200", ticks);
        Assert.DoesNotContain("7", ticks);
        Assert.InRange(html.Length, 100_000, 3_000_000);
    }

    [Fact]
    public void Chart_ticks_are_round_and_cover_the_data()
    {
        Assert.Equal([0, 0.5, 1, 1.5, 2, 2.5], SvgChart.Ticks(0, 2.3, 6, integer: false, extend: true));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], SvgChart.Ticks(1, 8, 8, integer: true, extend: false));
        Assert.Equal([0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96], SvgChart.Ticks(0.845, 0.955, 6, integer: false, extend: true));
        Assert.Equal([1], SvgChart.Ticks(0.5, 1.5, 8, integer: true, extend: false));
    }

    [Fact]
    public void Write_is_atomic_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(dir, "report.html");
        HtmlReport.Write(path, SyntheticRun.History(epochs: 2, stepsPerEpoch: 2));
        HtmlReport.Write(path, SyntheticRun.History(epochs: 3, stepsPerEpoch: 2));
        Assert.Equal(["report.html"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).ToArray());
        Parse(File.ReadAllText(path));
    }

    [GeneratedRegex(@"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();
}
