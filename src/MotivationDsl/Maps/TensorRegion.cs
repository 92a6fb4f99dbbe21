namespace MotivationDsl;

/// <summary>A half-open range <c>[Start, Start + Length)</c> along one dimension.</summary>
public readonly record struct DimRange(long Start, long Length)
{
    public long End => Start + Length;
    public override string ToString() => $"{Start}:{End}";
}

/// <summary>The block of a motivated tensor that a base tensor occupies: one range per dimension.</summary>
public sealed class TensorRegion : IEquatable<TensorRegion>
{
    private readonly DimRange[] _dims;

    public TensorRegion(params DimRange[] dims) => _dims = (DimRange[])dims.Clone();

    public IReadOnlyList<DimRange> Dims => _dims;

    public int Rank => _dims.Length;

    /// <summary>The shape of the region, which equals the base tensor's shape.</summary>
    public long[] Shape => Array.ConvertAll(_dims, d => d.Length);

    /// <summary>The region that covers a whole tensor of <paramref name="shape"/>.</summary>
    public static TensorRegion Whole(params long[] shape) => new(Array.ConvertAll(shape, n => new DimRange(0, n)));

    public bool IsWhole(IReadOnlyList<long> shape)
    {
        if (shape.Count != _dims.Length) return false;
        for (var i = 0; i < _dims.Length; i++)
            if (_dims[i].Start != 0 || _dims[i].Length != shape[i]) return false;
        return true;
    }

    public bool Equals(TensorRegion? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as TensorRegion);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _dims) + "]";
}
