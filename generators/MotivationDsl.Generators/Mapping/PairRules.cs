namespace MotivationDsl.Generators;

/// <summary>
/// The rules a pair's map is built under, passed to every mapping step: a <c>[Pair]</c>'s own growth rule overrides the
/// model's and the stages' (<see cref="Growth"/> 0: as declared), and where to report a problem of that rule.
/// </summary>
internal sealed record PairRules(int Growth, LocationInfo? Location)
{
    public static readonly PairRules Declared = new(0, null);
}
