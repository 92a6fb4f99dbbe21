using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Data;

/// <summary>
/// A byte-level text corpus (vocabulary 256: one token per byte of the UTF-8 text) split into a training part and a
/// held-out part. The held-out part is the contiguous tail of the text, so no held-out window overlaps a training one.
/// Both parts are 1-D uint8 tensors owned by the corpus.
/// </summary>
public sealed class TextCorpus : IDisposable
{
    /// <summary>Byte-level vocabulary: every byte value is a token.</summary>
    public const int ByteVocabulary = 256;

    /// <summary>Share of the text held out by default (the last 5 %).</summary>
    public const double DefaultHeldOutFraction = 0.05;

    private TextCorpus(string name, string source, Tensor train, Tensor heldOut, double heldOutFraction, bool isEmbeddedSample)
    {
        Name = name;
        Source = source;
        Train = train;
        HeldOut = heldOut;
        HeldOutFraction = heldOutFraction;
        IsEmbeddedSample = isEmbeddedSample;
    }

    public string Name { get; }
    /// <summary>Where the text came from (a folder, a file, or the embedded sample with the reason).</summary>
    public string Source { get; }
    /// <summary>True for the small sample embedded in this assembly.</summary>
    public bool IsEmbeddedSample { get; }
    public double HeldOutFraction { get; }
    /// <summary>Training bytes, 1-D uint8.</summary>
    public Tensor Train { get; }
    /// <summary>Held-out bytes (the tail of the text), 1-D uint8.</summary>
    public Tensor HeldOut { get; }
    public long TrainBytes => Train.shape[0];
    public long HeldOutBytes => HeldOut.shape[0];

    /// <summary>
    /// Splits <paramref name="bytes"/>: the last round(N x <paramref name="heldOutFraction"/>) bytes are held out.
    /// Throws <see cref="DatasetFormatException"/> when either part would be empty.
    /// </summary>
    public static TextCorpus FromBytes(byte[] bytes, string name, string source, double heldOutFraction = DefaultHeldOutFraction,
                                       bool isEmbeddedSample = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), $"The held-out fraction must be between 0 and 1 (exclusive), got {heldOutFraction}.");
        var heldOut = (long)Math.Round(bytes.LongLength * heldOutFraction);
        var train = bytes.LongLength - heldOut;
        if (heldOut < 1 || train < 1)
            throw new DatasetFormatException(source,
                $"{source}: {bytes.LongLength} bytes of text cannot be split into training and held-out parts with a held-out fraction of {heldOutFraction}.");
        using var all = tensor(bytes, ScalarType.Byte);
        return new TextCorpus(name, source, all.narrow(0, 0, train).clone().DetachFromDisposeScope(),
            all.narrow(0, train, heldOut).clone().DetachFromDisposeScope(), heldOutFraction, isEmbeddedSample);
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, split as <see cref="FromBytes"/> does.</summary>
    public static TextCorpus FromText(string text, string name, string source, double heldOutFraction = DefaultHeldOutFraction) =>
        FromBytes(Encoding.UTF8.GetBytes(text), name, source, heldOutFraction);

    /// <summary>Windows of <paramref name="options"/>' context over the training split or the held-out split; a split
    /// shorter than one window is an <see cref="ArgumentException"/> naming the corpus, the split and the context.</summary>
    public TokenWindowLoader Windows(bool heldOut, TokenWindowOptions options)
    {
        try
        {
            return new TokenWindowLoader(heldOut ? HeldOut : Train, options);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"{Name}: the {(heldOut ? "held-out" : "training")} split is too short for the model's context of {options.ContextLength} bytes ({e.Message})", e);
        }
    }

    public override string ToString() =>
        $"{Name}: {TrainBytes:N0} training / {HeldOutBytes:N0} held-out bytes, from {Source}";

    public void Dispose()
    {
        Train.Dispose();
        HeldOut.Dispose();
    }
}
