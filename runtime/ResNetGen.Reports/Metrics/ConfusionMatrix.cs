namespace ResNetGen.Reports.Metrics;

/// <summary>
/// A K×K table of counts: row = the actual class, column = the predicted class (scikit-learn's
/// convention). Precision, recall and F1 are NaN for a class with nothing to divide by.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;

    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Classes = classes;
        counts = new long[checked(classes * classes)];
    }

    /// <summary>A matrix with the given counts (rows = actual, columns = predicted).</summary>
    public static ConfusionMatrix FromCounts(long[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var m = new ConfusionMatrix(rows.Length);
        for (var a = 0; a < rows.Length; a++)
        {
            if (rows[a] is null || rows[a].Length != rows.Length)
                throw new ArgumentException($"row {a} has {rows[a]?.Length ?? 0} counts; a {rows.Length}-class matrix needs {rows.Length}", nameof(rows));
            for (var p = 0; p < rows.Length; p++)
            {
                if (rows[a][p] < 0) throw new ArgumentException($"count [{a}, {p}] is negative", nameof(rows));
                m.counts[a * rows.Length + p] = rows[a][p];
            }
        }
        return m;
    }

    public int Classes { get; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return counts[actual * Classes + predicted];
        }
    }

    public long Total
    {
        get
        {
            long t = 0;
            foreach (var c in counts) t += c;
            return t;
        }
    }

    public long Correct
    {
        get
        {
            long t = 0;
            for (var c = 0; c < Classes; c++) t += counts[c * Classes + c];
            return t;
        }
    }

    /// <summary>Fraction of samples on the diagonal; NaN when empty.</summary>
    public double Accuracy => Ratio(Correct, Total);

    public void Add(int predicted, int actual)
    {
        CheckClass(predicted, nameof(predicted));
        CheckClass(actual, nameof(actual));
        counts[actual * Classes + predicted]++;
    }

    /// <summary>Adds a batch of predictions and their labels (e.g. <c>argmax.ToArray&lt;long&gt;()</c> and <c>labels.ToArray&lt;long&gt;()</c>).</summary>
    public void Add(ReadOnlySpan<long> predicted, ReadOnlySpan<long> actual)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"{predicted.Length} predictions but {actual.Length} labels");
        // Validate first so a bad batch leaves the matrix unchanged.
        for (var i = 0; i < predicted.Length; i++)
        {
            if ((ulong)predicted[i] >= (ulong)Classes)
                throw new ArgumentOutOfRangeException(nameof(predicted), predicted[i], $"prediction {i} is not a class index in [0, {Classes})");
            if ((ulong)actual[i] >= (ulong)Classes)
                throw new ArgumentOutOfRangeException(nameof(actual), actual[i], $"label {i} is not a class index in [0, {Classes})");
        }
        for (var i = 0; i < predicted.Length; i++) counts[actual[i] * Classes + predicted[i]]++;
    }

    /// <summary>Adds another matrix's counts (e.g. from another evaluation shard).</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Classes != Classes) throw new ArgumentException($"cannot add a {other.Classes}-class matrix to a {Classes}-class one", nameof(other));
        for (var i = 0; i < counts.Length; i++) counts[i] += other.counts[i];
    }

    public void Clear() => Array.Clear(counts);

    /// <summary>Samples whose actual class is <paramref name="c"/> (the row sum).</summary>
    public long Support(int c)
    {
        CheckClass(c, nameof(c));
        long t = 0;
        for (var p = 0; p < Classes; p++) t += counts[c * Classes + p];
        return t;
    }

    /// <summary>Samples predicted as <paramref name="c"/> (the column sum).</summary>
    public long PredictedCount(int c)
    {
        CheckClass(c, nameof(c));
        long t = 0;
        for (var a = 0; a < Classes; a++) t += counts[a * Classes + c];
        return t;
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/>.</summary>
    public double Precision(int c) => Ratio(this[c, c], PredictedCount(c));

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/>.</summary>
    public double Recall(int c) => Ratio(this[c, c], Support(c));

    /// <summary>Harmonic mean of precision and recall; NaN if either is NaN, 0 if both are 0.</summary>
    public double F1(int c)
    {
        var (p, r) = (Precision(c), Recall(c));
        if (double.IsNaN(p) || double.IsNaN(r)) return double.NaN;
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Unweighted mean of the per-class recalls that are defined (balanced accuracy).</summary>
    public double MacroRecall => Mean(Recall);

    public double MacroPrecision => Mean(Precision);

    public double MacroF1 => Mean(F1);

    /// <summary>The counts as rows (actual) of columns (predicted); a copy.</summary>
    public long[][] ToRows()
    {
        var rows = new long[Classes][];
        for (var a = 0; a < Classes; a++) rows[a] = counts.AsSpan(a * Classes, Classes).ToArray();
        return rows;
    }

    private double Mean(Func<int, double> perClass)
    {
        double sum = 0;
        var n = 0;
        for (var c = 0; c < Classes; c++)
        {
            var v = perClass(c);
            if (double.IsNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;

    private void CheckClass(int c, string name)
    {
        if ((uint)c >= (uint)Classes) throw new ArgumentOutOfRangeException(name, c, $"not a class index in [0, {Classes})");
    }
}
