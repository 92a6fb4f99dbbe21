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
    public bool Equals(MapEntry? other) =>
        other is not null && BaseName == other.BaseName && MotivatedName == other.MotivatedName && Kind == other.Kind
        && BaseShape.AsSpan().SequenceEqual(other.BaseShape) && MotivatedShape.AsSpan().SequenceEqual(other.MotivatedShape)
        && Region.Equals(other.Region);

    public override int GetHashCode() => HashCode.Combine(BaseName, MotivatedName, Kind, Region);

    public override string ToString() =>
        $"{BaseName} [{string.Join("x", BaseShape)}] -> {MotivatedName}{Region} of [{string.Join("x", MotivatedShape)}]";
}
