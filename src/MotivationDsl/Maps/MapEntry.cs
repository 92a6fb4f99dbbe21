namespace MotivationDsl;

/// <summary>Whether a mapped tensor is a trainable parameter or a buffer (e.g. BatchNorm running statistics).</summary>
public enum TensorKind
{
    Parameter = 0,
    Buffer = 1,
}

/// <summary>One base tensor and where it lives inside the motivated model.</summary>
/// <param name="BaseName">State_dict name in the base model (<c>layer2.2.conv1.weight</c>).</param>
/// <param name="MotivatedName">State_dict name in the motivated model.</param>
/// <param name="Kind">Parameter or buffer.</param>
/// <param name="BaseShape">Shape of the base tensor (equals <see cref="TensorRegion.Shape"/> of <paramref name="Region"/>).</param>
/// <param name="MotivatedShape">Shape of the whole motivated tensor.</param>
/// <param name="Region">The block of the motivated tensor the base tensor occupies.</param>
public sealed record MapEntry(
    string BaseName,
    string MotivatedName,
    TensorKind Kind,
    long[] BaseShape,
    long[] MotivatedShape,
    TensorRegion Region)
{
    /// <summary>
    /// A piecewise entry: the base tensor is split into disjoint pieces that cover it exactly, each placed in its own
    /// region of the motivated tensor (head-aware attention maps: q, k, v and heads). <see cref="Region"/> is then the
    /// bounding box of the motivated regions, for display only; copy through <see cref="Pieces"/>.
    /// </summary>
    public MapEntry(string baseName, string motivatedName, TensorKind kind, long[] baseShape, long[] motivatedShape, IReadOnlyList<MapPiece> pieces)
        : this(baseName, motivatedName, kind, baseShape, motivatedShape, MapPiece.BoundingBox(pieces))
    {
        Pieces = pieces.ToArray();
    }

    /// <summary>Null for a plain entry (the whole base tensor goes to <see cref="Region"/>); else the pieces.</summary>
    public IReadOnlyList<MapPiece>? Pieces { get; }

    public bool IsPiecewise => Pieces is not null;

    /// <summary>The pieces of this entry: <see cref="Pieces"/>, or one piece (whole base tensor -> <see cref="Region"/>).</summary>
    public IReadOnlyList<MapPiece> AllPieces() => Pieces ?? new[] { new MapPiece(TensorRegion.Whole(BaseShape), Region) };

    public bool Equals(MapEntry? other) =>
        other is not null && BaseName == other.BaseName && MotivatedName == other.MotivatedName && Kind == other.Kind
        && BaseShape.AsSpan().SequenceEqual(other.BaseShape) && MotivatedShape.AsSpan().SequenceEqual(other.MotivatedShape)
        && Region.Equals(other.Region)
        && (Pieces is null ? other.Pieces is null : other.Pieces is not null && Pieces.SequenceEqual(other.Pieces));

    public override int GetHashCode() => HashCode.Combine(BaseName, MotivatedName, Kind, Region);

    public override string ToString() =>
        $"{BaseName} [{string.Join("x", BaseShape)}] -> {MotivatedName}{(Pieces is null ? Region.ToString() : "{" + string.Join(", ", Pieces) + "}")} of [{string.Join("x", MotivatedShape)}]";
}

/// <summary>One piece of a piecewise <see cref="MapEntry"/>: a block of the base tensor and the equally shaped block of the motivated tensor it goes to.</summary>
public sealed record MapPiece(TensorRegion Base, TensorRegion Motivated)
{
    public override string ToString() => $"{Base}->{Motivated}";

    internal static TensorRegion BoundingBox(IReadOnlyList<MapPiece> pieces)
    {
        if (pieces.Count == 0) throw new ArgumentException("A piecewise map entry needs at least one piece.", nameof(pieces));
        var rank = pieces[0].Motivated.Rank;
        var dims = new DimRange[rank];
        for (var d = 0; d < rank; d++)
        {
            var start = pieces.Min(p => p.Motivated.Dims[d].Start);
            var end = pieces.Max(p => p.Motivated.Dims[d].End);
            dims[d] = new DimRange(start, end - start);
        }
        return new TensorRegion(dims);
    }
}
