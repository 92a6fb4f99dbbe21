namespace MotivationDsl;

/// <summary>Name and shape of one parameter or buffer of a generated module.</summary>
public sealed record TensorInfo(string Name, TensorKind Kind, long[] Shape)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
    public bool Equals(TensorInfo? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && Shape.AsSpan().SequenceEqual(other.Shape);
    public override int GetHashCode() => HashCode.Combine(Name, Kind, Shape.Length);
}

/// <summary>
/// Compile-time metadata of one variant. <see cref="Macs"/> counts multiply-accumulates of one forward pass of
/// one sample (convolutions and linear layers); <see cref="Flops"/> is 2 x MACs, the paper's convention.
/// </summary>
public sealed record VariantInfo(
    string Name,
    long ParameterCount,
    long Macs,
    int[] InputShape,
    int Classes,
    IReadOnlyList<TensorInfo> Tensors)
{
    public long Flops => 2 * Macs;
    public IEnumerable<TensorInfo> Parameters => Tensors.Where(t => t.Kind == TensorKind.Parameter);
    public IEnumerable<TensorInfo> Buffers => Tensors.Where(t => t.Kind == TensorKind.Buffer);

    /// <summary>The shape of tensor <paramref name="name"/>.</summary>
    public long[] Shape(string name) =>
        (Tensors.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"Variant '{Name}' has no tensor '{name}'.", nameof(name))).Shape;
}
