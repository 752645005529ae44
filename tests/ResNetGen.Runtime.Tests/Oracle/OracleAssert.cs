using ResNetGen.Torch;
using Xunit.Sdk;

namespace ResNetGen.Runtime.Tests.Oracle;

/// <summary>Tensor comparisons for oracle tests, with messages that say where and by how much.</summary>
public static class OracleAssert
{
    /// <summary>
    /// Asserts same shape and |actual − expected| ≤ atol + rtol·|expected| everywhere (NaNs must
    /// match). Returns the largest relative deviation |a − e| / max(|e|, tiny), for reporting.
    /// </summary>
    public static double Close(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-8, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var label = what is null ? "" : what + ": ";
        var es = expected.shape;
        var @as = actual.shape;
        if (!es.SequenceEqual(@as))
            throw new XunitException($"{label}shape [{string.Join(", ", @as)}] differs from the oracle's [{string.Join(", ", es)}]");
        var e = ToDoubles(expected);
        var a = ToDoubles(actual);
        double maxRel = 0, maxAbs = 0;
        var worst = -1;
        var failures = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) || double.IsNaN(a[i]))
            {
                if (double.IsNaN(e[i]) != double.IsNaN(a[i]))
                {
                    failures++;
                    if (worst < 0) worst = i;
                }
                continue;
            }
            if (double.IsInfinity(e[i]) || double.IsInfinity(a[i]))
            {
                if (e[i] != a[i])
                {
                    failures++;
                    if (worst < 0) worst = i;
                }
                continue;
            }
            var diff = Math.Abs(a[i] - e[i]);
            var rel = diff / Math.Max(Math.Abs(e[i]), 1e-30);
            if (diff > maxAbs) maxAbs = diff;
            if (rel > maxRel && diff > atol) maxRel = rel;
            if (diff > atol + rtol * Math.Abs(e[i]))
            {
                failures++;
                if (worst < 0 || diff > Math.Abs(a[worst] - e[worst])) worst = i;
            }
        }
        if (failures > 0)
            throw new XunitException(
                $"{label}{failures} of {e.Length} elements differ beyond rtol={rtol:g3}, atol={atol:g3}; worst at flat index {worst}: " +
                $"expected {e[worst]:R}, got {a[worst]:R} (max abs deviation {maxAbs:g3}, max rel {maxRel:g3})");
        return maxRel;
    }

    /// <summary>Asserts identical shape, dtype and values (bit-exact for floats, NaN == NaN).</summary>
    public static void Equal(Tensor expected, Tensor actual, string? what = null)
    {
        var label = what is null ? "" : what + ": ";
        if (expected.dtype != actual.dtype)
            throw new XunitException($"{label}dtype {actual.dtype.TorchName()} differs from {expected.dtype.TorchName()}");
        if (!expected.shape.SequenceEqual(actual.shape))
            throw new XunitException($"{label}shape [{string.Join(", ", actual.shape)}] differs from [{string.Join(", ", expected.shape)}]");
        var e = RawBytes(expected);
        var a = RawBytes(actual);
        for (var i = 0; i < e.Length; i++)
        {
            if (e[i] != a[i])
                throw new XunitException($"{label}values differ at byte {i} (element {i / expected.dtype.ElementSize()})");
        }
    }

    /// <summary>The elements as doubles, whatever the dtype.</summary>
    public static double[] ToDoubles(Tensor t)
    {
        switch (t.dtype)
        {
            case ScalarType.Float64: return t.ToArray<double>();
            case ScalarType.Float32: return Array.ConvertAll(t.ToArray<float>(), x => (double)x);
            case ScalarType.Int64: return Array.ConvertAll(t.ToArray<long>(), x => (double)x);
            case ScalarType.Int32: return Array.ConvertAll(t.ToArray<int>(), x => (double)x);
            case ScalarType.Int16: return Array.ConvertAll(t.ToArray<short>(), x => (double)x);
            case ScalarType.Int8: return Array.ConvertAll(t.ToArray<sbyte>(), x => (double)x);
            case ScalarType.Byte: return Array.ConvertAll(t.ToArray<byte>(), x => (double)x);
            case ScalarType.Bool: return Array.ConvertAll(t.ToArray<bool>(), x => x ? 1.0 : 0.0);
            case ScalarType.Float16: return Array.ConvertAll(t.ToArray<Half>(), x => (double)x);
            case ScalarType.BFloat16:
                return Array.ConvertAll(t.ToArray<ushort>(), x => (double)BitConverter.Int32BitsToSingle(x << 16));
            default: throw new ArgumentException($"unsupported dtype {t.dtype}");
        }
    }

    /// <summary>The raw element bytes in row-major order.</summary>
    public static byte[] RawBytes(Tensor t) => t.dtype switch
    {
        ScalarType.Float64 => AsBytes(t.ToArray<double>()),
        ScalarType.Float32 => AsBytes(t.ToArray<float>()),
        ScalarType.Int64 => AsBytes(t.ToArray<long>()),
        ScalarType.Int32 => AsBytes(t.ToArray<int>()),
        ScalarType.Int16 => AsBytes(t.ToArray<short>()),
        ScalarType.Int8 => AsBytes(t.ToArray<sbyte>()),
        ScalarType.Byte => t.ToArray<byte>(),
        ScalarType.Bool => AsBytes(t.ToArray<bool>()),
        ScalarType.Float16 => AsBytes(t.ToArray<Half>()),
        ScalarType.BFloat16 => AsBytes(t.ToArray<ushort>()),
        _ => throw new ArgumentException($"unsupported dtype {t.dtype}"),
    };

    private static byte[] AsBytes<T>(T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
