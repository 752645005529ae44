using System.Globalization;
using System.Text;
using ResNetGen.Reports.Metrics;

namespace ResNetGen.Reports;

/// <summary>Escaping and number formatting shared by the report writers (invariant culture throughout).</summary>
internal static class ReportText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Escapes text for HTML/SVG element content and attribute values (also valid XML).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    // Control characters are not allowed in HTML/XML text; drop them (tab, newline, CR kept).
                    if (ch < ' ' && ch != '\t' && ch != '\n' && ch != '\r') break;
                    if (ch is '\uFFFE' or '\uFFFF') break;
                    sb.Append(ch);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate or size for SVG: at most two decimals, invariant culture.</summary>
    public static string N(double v) => Math.Round(v, 2).ToString("0.##", Inv);

    public static string Percent(double fraction, int decimals = 2) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("F" + decimals, Inv) + "%" : "—";

    public static string Fixed(double v, int decimals) => double.IsFinite(v) ? v.ToString("F" + decimals, Inv) : "—";

    public static string General(double v, int digits = 4) => double.IsFinite(v) ? v.ToString("G" + digits, Inv) : "—";

    public static string Integer(long v) => v.ToString("N0", Inv);

    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "—";
        if (seconds < 60) return seconds.ToString(seconds < 10 ? "F1" : "F0", Inv) + " s";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        if (t.TotalHours < 1) return string.Create(Inv, $"{t.Minutes} min {t.Seconds:D2} s");
        return string.Create(Inv, $"{(int)t.TotalHours} h {t.Minutes:D2} min");
    }

    /// <summary>The class names to show: the given ones (checked against the matrix), else "0", "1", ...</summary>
    public static IReadOnlyList<string> ClassNames(IReadOnlyList<string>? classNames, ConfusionMatrix? confusion)
    {
        if (classNames is { Count: > 0 })
        {
            if (confusion is not null && classNames.Count != confusion.Classes)
                throw new ArgumentException($"{classNames.Count} class names for a {confusion.Classes}-class confusion matrix", nameof(classNames));
            return classNames.Select(n => n ?? "").ToList();
        }
        return Enumerable.Range(0, confusion?.Classes ?? 0).Select(i => i.ToString(Inv)).ToList();
    }
}
