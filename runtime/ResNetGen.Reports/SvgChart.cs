using System.Globalization;
using System.Text;
using static ResNetGen.Reports.ReportText;

namespace ResNetGen.Reports;

/// <summary>One line of a chart; NaN values break the line.</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// A line chart drawn as inline SVG: axes with "nice" ticks, grid lines, labels, a legend,
/// markers with native tooltips (&lt;title&gt;) for short series, optional vertical guides and a
/// highlighted point. Works for one point and for thousands (long series are averaged down).
/// </summary>
internal sealed class SvgChart
{
    private const double Width = 600, Height = 330;
    private const double Left = 70, Right = 20, Top = 40, Bottom = 52;
    private const int MaxPoints = 1200;
    private const int MaxMarkers = 40;

    public required string Title { get; init; }
    public required string XLabel { get; init; }
    public required string YLabel { get; init; }
    public List<ChartSeries> Series { get; } = [];
    public bool IntegerX { get; init; }
    public bool IncludeZero { get; init; }
    public bool PercentY { get; init; }
    /// <summary>Faint vertical lines (e.g. epoch boundaries on a per-step chart).</summary>
    public IReadOnlyList<double> Guides { get; init; } = [];
    public (double X, double Y, string Label)? Highlight { get; init; }

    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart\" viewBox=\"0 0 {N(Width)} {N(Height)}\" role=\"img\" aria-label=\"{Escape(Title)}\">\n");
        sb.Append($"<title>{Escape(Title)}</title>\n");
        var series = Series.Select(s => s with { Points = Decimate(s.Points) }).ToList();
        var finite = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (pl, pr, pt, pb) = (Left, Width - Right, Top, Height - Bottom);
        if (finite.Count == 0)
        {
            sb.Append($"<rect x=\"{N(pl)}\" y=\"{N(pt)}\" width=\"{N(pr - pl)}\" height=\"{N(pb - pt)}\" class=\"frame\"/>\n");
            sb.Append($"<text x=\"{N((pl + pr) / 2)}\" y=\"{N((pt + pb) / 2)}\" text-anchor=\"middle\" class=\"empty\">no data yet</text>\n");
            sb.Append("</svg>");
            return sb.ToString();
        }

        // ---- scales ----
        var (xmin, xmax) = (finite.Min(p => p.X), finite.Max(p => p.X));
        if (xmax - xmin < 1e-12) (xmin, xmax) = (xmin - 0.5, xmax + 0.5);
        var xTicks = Ticks(xmin, xmax, 8, IntegerX, extend: false);

        var (ymin, ymax) = (finite.Min(p => p.Y), finite.Max(p => p.Y));
        if (IncludeZero) (ymin, ymax) = (Math.Min(0, ymin), Math.Max(0, ymax));
        if (ymax - ymin < 1e-12)
        {
            var d = Math.Abs(ymax) > 1e-12 ? Math.Abs(ymax) * 0.05 : 1;
            (ymin, ymax) = (IncludeZero && ymin == 0 ? 0 : ymin - d, ymax + d);
        }
        var yTicks = Ticks(ymin, ymax, 6, integer: false, extend: true);
        (ymin, ymax) = (Math.Min(ymin, yTicks[0]), Math.Max(ymax, yTicks[^1]));
        if (PercentY && ymax > 1 && finite.Max(p => p.Y) <= 1) ymax = Math.Max(1, finite.Max(p => p.Y));

        double X(double x) => pl + (x - xmin) / (xmax - xmin) * (pr - pl);
        double Y(double y) => pb - (y - ymin) / (ymax - ymin) * (pb - pt);

        // ---- grid, ticks and labels ----
        var yStep = yTicks.Count > 1 ? yTicks[1] - yTicks[0] : 1;
        sb.Append("<g class=\"grid\">\n");
        foreach (var t in yTicks.Where(t => t >= ymin - 1e-12 && t <= ymax + 1e-12))
            sb.Append($"<line x1=\"{N(pl)}\" x2=\"{N(pr)}\" y1=\"{N(Y(t))}\" y2=\"{N(Y(t))}\"/>\n");
        foreach (var t in xTicks)
            sb.Append($"<line x1=\"{N(X(t))}\" x2=\"{N(X(t))}\" y1=\"{N(pt)}\" y2=\"{N(pb)}\"/>\n");
        sb.Append("</g>\n");
        if (Guides.Count > 0)
        {
            sb.Append("<g class=\"guides\">\n");
            foreach (var g in Guides.Where(g => g > xmin && g < xmax))
                sb.Append($"<line x1=\"{N(X(g))}\" x2=\"{N(X(g))}\" y1=\"{N(pt)}\" y2=\"{N(pb)}\"/>\n");
            sb.Append("</g>\n");
        }
        sb.Append($"<rect x=\"{N(pl)}\" y=\"{N(pt)}\" width=\"{N(pr - pl)}\" height=\"{N(pb - pt)}\" class=\"frame\"/>\n");
        sb.Append("<g class=\"ticks\">\n");
        foreach (var t in yTicks.Where(t => t >= ymin - 1e-12 && t <= ymax + 1e-12))
            sb.Append($"<text x=\"{N(pl - 6)}\" y=\"{N(Y(t) + 4)}\" text-anchor=\"end\">{Escape(FormatY(t, yStep))}</text>\n");
        var xStep = xTicks.Count > 1 ? xTicks[1] - xTicks[0] : 1;
        foreach (var t in xTicks)
            sb.Append($"<text x=\"{N(X(t))}\" y=\"{N(pb + 17)}\" text-anchor=\"middle\">{Escape(FormatTick(t, xStep))}</text>\n");
        sb.Append("</g>\n");
        sb.Append($"<text class=\"axis-label\" x=\"{N((pl + pr) / 2)}\" y=\"{N(Height - 10)}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        sb.Append($"<text class=\"axis-label\" transform=\"translate(16 {N((pt + pb) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>\n");

        // ---- legend ----
        var lx = pl;
        sb.Append("<g class=\"legend\">\n");
        foreach (var s in series)
        {
            sb.Append($"<line x1=\"{N(lx)}\" x2=\"{N(lx + 22)}\" y1=\"{N(Top - 18)}\" y2=\"{N(Top - 18)}\" stroke=\"{s.Color}\" stroke-width=\"2.5\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n");
            sb.Append($"<text x=\"{N(lx + 28)}\" y=\"{N(Top - 14)}\">{Escape(s.Name)}</text>\n");
            lx += 28 + s.Name.Length * 6.6 + 22;
        }
        sb.Append("</g>\n");

        // ---- lines and markers ----
        foreach (var s in series)
        {
            var path = new StringBuilder();
            var move = true;
            foreach (var (x, y) in s.Points)
            {
                if (!double.IsFinite(x) || !double.IsFinite(y)) { move = true; continue; }
                path.Append(move ? 'M' : 'L').Append(N(X(x))).Append(',').Append(N(Y(y))).Append(' ');
                move = false;
            }
            sb.Append($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"{(s.Points.Count > MaxMarkers ? "1.5" : "2.2")}\" stroke-linejoin=\"round\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n");
            if (s.Points.Count <= MaxMarkers)
            {
                sb.Append($"<g fill=\"{s.Color}\">\n");
                foreach (var (x, y) in s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
                    sb.Append($"<circle cx=\"{N(X(x))}\" cy=\"{N(Y(y))}\" r=\"3.5\"><title>{Escape($"{s.Name}, {XLabel.ToLowerInvariant()} {FormatTick(x, xStep)}: {FormatValue(y)}")}</title></circle>\n");
                sb.Append("</g>\n");
            }
        }

        if (Highlight is var (hx, hy, label) && double.IsFinite(hx) && double.IsFinite(hy))
        {
            var (cx, cy) = (X(hx), Y(hy));
            sb.Append($"<circle class=\"highlight\" cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"7\"/>\n");
            var anchor = cx > pr - 120 ? "end" : cx < pl + 120 ? "start" : "middle";
            var ty = cy - 13 < pt + 12 ? cy + 22 : cy - 13;
            sb.Append($"<text class=\"highlight-label\" x=\"{N(cx)}\" y=\"{N(ty)}\" text-anchor=\"{anchor}\">{Escape(label)}</text>\n");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private string FormatValue(double y) => PercentY ? Percent(y) : General(y, 5);

    private string FormatY(double v, double step) => PercentY
        ? (v * 100).ToString("F" + Decimals(step * 100), CultureInfo.InvariantCulture) + "%"
        : FormatTick(v, step);

    private static string FormatTick(double v, double step)
    {
        if (Math.Abs(v) < step * 1e-9) v = 0;
        var d = Decimals(step);
        return d > 4 ? v.ToString("0.#e0", CultureInfo.InvariantCulture) : v.ToString("F" + d, CultureInfo.InvariantCulture);
    }

    private static int Decimals(double step) => step >= 1 ? 0 : Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));

    /// <summary>Tick values with a 1-2-5 spacing covering [min, max] (extended to whole ticks when <paramref name="extend"/>).</summary>
    internal static List<double> Ticks(double min, double max, int target, bool integer, bool extend)
    {
        var step = Nice((max - min) / Math.Max(1, target - 1));
        if (integer) step = Math.Max(1, Math.Round(step));
        var first = extend ? Math.Floor(min / step + 1e-9) * step : Math.Ceiling(min / step - 1e-9) * step;
        var last = extend ? Math.Ceiling(max / step - 1e-9) * step : Math.Floor(max / step + 1e-9) * step;
        var ticks = new List<double>();
        for (var i = 0; first + i * step <= last + step * 1e-9 && i < 100; i++) ticks.Add(Math.Round(first + i * step, 12));
        // Epoch axes start at 1: label it even when the round ticks start at 10 or 20.
        if (integer && min == 1 && ticks.Count > 0 && ticks[0] - min > step / 2) ticks.Insert(0, min);
        if (ticks.Count == 0) ticks.Add(min);
        return ticks;
    }

    /// <summary>The 1-2-5 number nearest <paramref name="x"/>.</summary>
    private static double Nice(double x)
    {
        if (x <= 0 || !double.IsFinite(x)) return 1;
        var exp = Math.Floor(Math.Log10(x));
        var f = x / Math.Pow(10, exp);
        var nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nf * Math.Pow(10, exp);
    }

    /// <summary>Averages a long series down to at most <see cref="MaxPoints"/> points (bucket means), keeping NaN gaps out.</summary>
    private static IReadOnlyList<(double X, double Y)> Decimate(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count <= MaxPoints) return points;
        var bucket = (int)Math.Ceiling(points.Count / (double)MaxPoints);
        var result = new List<(double, double)>(MaxPoints + 1);
        for (var i = 0; i < points.Count; i += bucket)
        {
            double sx = 0, sy = 0;
            var n = 0;
            for (var j = i; j < Math.Min(points.Count, i + bucket); j++)
            {
                if (!double.IsFinite(points[j].X) || !double.IsFinite(points[j].Y)) continue;
                sx += points[j].X;
                sy += points[j].Y;
                n++;
            }
            result.Add(n == 0 ? (points[i].X, double.NaN) : (sx / n, sy / n));
        }
        return result;
    }
}
