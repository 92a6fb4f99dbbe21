namespace MotivationDsl;

/// <summary>What a <see cref="GrowthStep"/> does to its region of a motivated tensor.</summary>
public enum GrowthAction
{
    /// <summary>Sets the region to zero.</summary>
    Zero = 0,

    /// <summary>Copies another region of the same tensor (<see cref="GrowthStep.Source"/>) into the region.</summary>
    Copy = 1,
}

/// <summary>
/// One step of function-preserving growth (<see cref="Growth.FunctionPreserving"/>), applied to the motivated model once,
/// right after the base's weights are first copied into it: zero an extra block's last normalisation or projection, zero
/// the weights from extra channels into the base's channels, or repeat the base's features into the extra features of a
/// widened LayerNorm's input. Generated and proven at compile time: no step touches a mapped region.
/// </summary>
/// <param name="Tensor">State_dict name in the motivated model.</param>
/// <param name="Action">Zero, or copy from <paramref name="Source"/>.</param>
/// <param name="Region">The region written.</param>
/// <param name="Source">For <see cref="GrowthAction.Copy"/>: the region of the same tensor read (same shape as <paramref name="Region"/>).</param>
public sealed record GrowthStep(string Tensor, GrowthAction Action, TensorRegion Region, TensorRegion? Source = null)
{
    public static GrowthStep Zero(string tensor, TensorRegion region) => new(tensor, GrowthAction.Zero, region);

    public static GrowthStep Copy(string tensor, TensorRegion source, TensorRegion region) => new(tensor, GrowthAction.Copy, region, source);

    public override string ToString() => Action == GrowthAction.Zero ? $"zero {Tensor}{Region}" : $"copy {Tensor}{Source} -> {Region}";
}
