namespace ResNetGen.Data;

/// <summary>
/// The data pipeline's random numbers: xoshiro256** seeded through SplitMix64, so a stream is a
/// pure function of its key — (seed, epoch) for an epoch's shuffle, (seed, epoch, batch index)
/// for a batch's augmentations — and the same on every machine, .NET version and thread. It
/// shares no state with libtorch's global generator or with the training thread, so prefetching
/// on a worker thread cannot change what is drawn, and resuming at (epoch, batch) is exact.
/// </summary>
public sealed class DataRandom
{
    private ulong s0, s1, s2, s3;

    /// <summary>A stream seeded from the given key words (any number, order matters).</summary>
    public DataRandom(params long[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var h = 0x5EED_0F_DA7A_2024UL;
        foreach (var k in key) h = SplitMix(h ^ unchecked((ulong)k));
        var x = h;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The stream for the shuffle of <paramref name="epoch"/>.</summary>
    public static DataRandom ForEpoch(long seed, long epoch) => new(seed, 0x5348_5546, epoch); // "SHUF"

    /// <summary>The stream for the augmentations of batch <paramref name="batch"/> of <paramref name="epoch"/>.</summary>
    public static DataRandom ForBatch(long seed, long epoch, long batch) => new(seed, 0x4155_4720, epoch, batch); // "AUG "

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="high"/>) (unbiased; Lemire's method).</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), $"empty range [{low}, {high})");
        var range = (ulong)(high - low);
        var m = (UInt128)NextUInt64() * range;
        var lo = (ulong)m;
        if (lo < range)
        {
            var threshold = unchecked(0UL - range) % range;
            while (lo < threshold)
            {
                m = (UInt128)NextUInt64() * range;
                lo = (ulong)m;
            }
        }
        return low + (long)(ulong)(m >> 64);
    }

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public int NextInt(int low, int high) => (int)NextInt64(low, high);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public long[] Permutation(long n)
    {
        var order = new long[n];
        for (long i = 0; i < n; i++) order[i] = i;
        for (long i = n - 1; i > 0; i--)
        {
            var j = NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ulong x)
    {
        var s = x;
        return SplitMix(ref s);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
