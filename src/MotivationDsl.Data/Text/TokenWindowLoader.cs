using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Data;

/// <summary>Options of a <see cref="TokenWindowLoader"/>.</summary>
public sealed record TokenWindowOptions
{
    /// <summary>Tokens per window (the model's context length T).</summary>
    public required int ContextLength { get; init; }
    public int BatchSize { get; init; } = 32;
    /// <summary>Visit the windows in a seeded random order, at a seeded offset, every epoch. False: file order from offset 0.</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }
    /// <summary>Drop the last, smaller batch of an epoch.</summary>
    public bool DropLast { get; init; }
    /// <summary>Use at most this many windows per epoch (the first ones of the epoch's order). Null: all.</summary>
    public long? MaxWindows { get; init; }
    /// <summary>Where batches go; null = CPU.</summary>
    public Device? Device { get; init; }
}

/// <summary>
/// Fixed-length windows over a token sequence for next-token training: a window starting at s has the input tokens
/// [s, s + T) and the targets [s + 1, s + T + 1) (the input shifted by one). Windows do not overlap: they start at
/// offset + i x T. With <see cref="TokenWindowOptions.Shuffle"/> epoch e draws, from a SplitMix64 seeded with
/// Seed * 1000003 + e (as the image <see cref="DataLoader"/> does), a permutation of the windows and then an offset in [0, T),
/// so every epoch sees other window boundaries; the order depends on nothing but (Seed, e), so a resumed run sees the
/// same batches, and <see cref="Batches(int, int)"/> can start at any batch of an epoch.
/// </summary>
public sealed class TokenWindowLoader
{
    private readonly Tensor _tokens;

    /// <summary>A loader over <paramref name="tokens"/> (1-D token ids: uint8 bytes, int32 or int64; not copied, not owned).</summary>
    public TokenWindowLoader(Tensor tokens, TokenWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (tokens.dim() != 1) throw new ArgumentException($"Tokens must be a 1-D tensor, got shape [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        if (tokens.dtype is not (ScalarType.Byte or ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"Tokens must be uint8, int32 or int64, got {tokens.dtype}.", nameof(tokens));
        if (options.ContextLength < 1) throw new ArgumentOutOfRangeException(nameof(options), $"ContextLength must be at least 1, got {options.ContextLength}.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), $"BatchSize must be at least 1, got {options.BatchSize}.");
        if (options.MaxWindows is < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MaxWindows must be at least 1, got {options.MaxWindows}.");
        _tokens = tokens;
        Length = tokens.shape[0];
        long t = options.ContextLength;
        // With a random offset in [0, T) every window must still fit: T + 1 tokens from offset + i x T.
        AvailableWindows = options.Shuffle ? (Length - t) / t : (Length - 1) / t;
        if (AvailableWindows < 1)
            throw new ArgumentException($"{Length} tokens are too few for one window of {t} tokens plus its shifted target{(options.Shuffle ? " at every offset (shuffled windows need 2 x T tokens)" : "")}.", nameof(tokens));
        WindowCount = Math.Min(AvailableWindows, options.MaxWindows ?? long.MaxValue);
    }

    public TokenWindowOptions Options { get; }
    /// <summary>Tokens in the sequence.</summary>
    public long Length { get; }
    /// <summary>Non-overlapping windows the sequence holds (at any offset, when shuffled).</summary>
    public long AvailableWindows { get; }
    /// <summary>Windows one epoch yields (<see cref="AvailableWindows"/> capped by <see cref="TokenWindowOptions.MaxWindows"/>).</summary>
    public long WindowCount { get; }
    public int BatchCount => checked((int)(Options.DropLast ? WindowCount / Options.BatchSize : (WindowCount + Options.BatchSize - 1) / Options.BatchSize));
    /// <summary>Target tokens one epoch yields.</summary>
    public long TokensPerEpoch => (Options.DropLast ? (long)BatchCount * Options.BatchSize : WindowCount) * Options.ContextLength;

    /// <summary>The start position of every window of epoch <paramref name="epoch"/>, in the order they are visited.</summary>
    public long[] WindowStarts(int epoch)
    {
        long t = Options.ContextLength;
        var starts = new long[WindowCount];
        if (!Options.Shuffle)
        {
            for (long i = 0; i < starts.LongLength; i++) starts[i] = i * t;
            return starts;
        }
        var rng = SeededRandom.ForEpoch(Options.Seed, epoch);
        var order = rng.Permutation(checked((int)AvailableWindows));
        long offset = rng.NextInt(checked((int)t));
        for (long i = 0; i < starts.LongLength; i++) starts[i] = offset + order[i] * t;
        return starts;
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/> from batch <paramref name="firstBatch"/> on (the same batches an enumeration
    /// from 0 would yield there): input and target int64 [B, T]. Each batch is the caller's (dispose it, or enumerate inside a
    /// dispose scope; nothing else is left behind).
    /// </summary>
    public IEnumerable<Batch> Batches(int epoch, int firstBatch = 0)
    {
        if (firstBatch < 0 || firstBatch > BatchCount) throw new ArgumentOutOfRangeException(nameof(firstBatch), $"firstBatch must be in 0..{BatchCount}, got {firstBatch}.");
        return Iterate(epoch, firstBatch);
    }

    private IEnumerable<Batch> Iterate(int epoch, int firstBatch)
    {
        var starts = WindowStarts(epoch);
        int bs = Options.BatchSize;
        for (int b = firstBatch; b < BatchCount; b++)
        {
            long start = (long)b * bs;
            int len = (int)Math.Min(bs, starts.LongLength - start);
            yield return MakeBatch(starts.AsSpan((int)start, len));
        }
    }

    /// <summary>The batch of the windows starting at <paramref name="starts"/>.</summary>
    public Batch MakeBatch(ReadOnlySpan<long> starts)
    {
        using var scope = torch.NewDisposeScope();
        long t = Options.ContextLength;
        var index = torch.tensor(starts.ToArray(), ScalarType.Int64).view(-1, 1) + torch.arange(t + 1, ScalarType.Int64).view(1, -1);
        var chunk = _tokens.index_select(0, index.view(-1)).view(starts.Length, t + 1).to_type(ScalarType.Int64);
        var x = chunk.narrow(1, 0, t).contiguous();
        var y = chunk.narrow(1, 1, t).contiguous();
        if (Options.Device is { } d && d.type != DeviceType.CPU)
        {
            x = x.to(d);
            y = y.to(d);
        }
        return new Batch(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>This loader as the trainer's <see cref="MotivationDsl.Training.IDataLoader"/> (input windows, next-byte targets).</summary>
    public MotivationDsl.Training.IDataLoader AsDataLoader() =>
        new MotivationDsl.Training.DelegateDataLoader(BatchCount, e => Batches(e).Select(b => (b.Input, b.Target)));
}
