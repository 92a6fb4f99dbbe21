namespace MotivationDsl.Data;

/// <summary>
/// SplitMix64: a tiny, fully specified PRNG. Used for shuffling and augmentation so that orders depend only on
/// (seed, epoch, batch) and never on the .NET or LibTorch version.
/// </summary>
internal struct SeededRandom
{
    private ulong _state;

    public SeededRandom(ulong seed) => _state = seed;

    /// <summary>Seed derived from a run seed and an epoch: seed * 1000003 + epoch (then mixed).</summary>
    public static SeededRandom ForEpoch(long seed, long epoch) => new(unchecked((ulong)seed * 1000003UL + (ulong)epoch));

    /// <summary>Seed for one batch of one epoch (augmentation), independent of the shuffle stream.</summary>
    public static SeededRandom ForBatch(long seed, long epoch, long batch)
        => new(Mix(Mix(unchecked((ulong)seed * 1000003UL + (ulong)epoch) ^ 0xA5A5_5A5A_C3C3_3C3CUL) + (ulong)batch));

    public ulong NextULong()
    {
        ulong z = unchecked(_state += 0x9E3779B97F4A7C15UL);
        return Mix0(z);
    }

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        // Lemire's multiply-shift (bias below 2^-32 for our n, acceptable and deterministic).
        return (int)(((NextULong() >> 32) * (ulong)n) >> 32);
    }

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z) => Mix0(unchecked(z + 0x9E3779B97F4A7C15UL));

    private static ulong Mix0(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Fisher-Yates permutation of 0..n-1.</summary>
    public long[] Permutation(int n)
    {
        var p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
