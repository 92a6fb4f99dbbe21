using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>Direction of a copy through a <see cref="WeightsMap"/>.</summary>
public enum MapDirection
{
    BaseToMotivated = 0,
    MotivatedToBase = 1,
}

/// <summary>
/// Where every base parameter and buffer lives inside the motivated model. Generated and proven at compile
/// time; <see cref="Bind"/> checks it against real modules before the first copy.
/// </summary>
public sealed class WeightsMap
{
    public WeightsMap(string baseVariant, string motivatedVariant, IReadOnlyList<MapEntry> entries)
    {
        BaseVariant = baseVariant;
        MotivatedVariant = motivatedVariant;
        Entries = entries.ToArray();
    }

    public string BaseVariant { get; }
    public string MotivatedVariant { get; }
    public IReadOnlyList<MapEntry> Entries { get; }

    /// <summary>
    /// Binds the map to two modules: resolves every entry to the base tensor and a view of its region in the
    /// motivated tensor, and throws <see cref="WeightsMapMismatchException"/> if the modules do not have the
    /// names and shapes the map was proven for (for example a module changed by hand). Bind after moving the
    /// modules to their device: moving replaces their tensors.
    /// </summary>
    public BoundWeightsMap Bind(nn.Module baseModel, nn.Module motivatedModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(motivatedModel);
        var baseTensors = StateTensors(baseModel);
        var motivatedTensors = StateTensors(motivatedModel);
        var problems = new List<string>();

        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Entries)
        {
            covered.Add(e.BaseName);
            if (!baseTensors.TryGetValue(e.BaseName, out var b))
                problems.Add($"base model '{BaseVariant}' has no {Kind(e)} '{e.BaseName}'");
            else if (!b.shape.AsSpan().SequenceEqual(e.BaseShape))
                problems.Add($"base {Kind(e)} '{e.BaseName}' has shape {Shape(b.shape)}, the map expects {Shape(e.BaseShape)}");
            if (!motivatedTensors.TryGetValue(e.MotivatedName, out var m))
                problems.Add($"motivated model '{MotivatedVariant}' has no {Kind(e)} '{e.MotivatedName}'");
            else if (!m.shape.AsSpan().SequenceEqual(e.MotivatedShape))
                problems.Add($"motivated {Kind(e)} '{e.MotivatedName}' has shape {Shape(m.shape)}, the map expects {Shape(e.MotivatedShape)}");
        }
        foreach (var name in baseTensors.Keys)
            if (!covered.Contains(name))
                problems.Add($"base model '{BaseVariant}' has '{name}', which the weights map does not cover");

        if (problems.Count > 0)
            throw new WeightsMapMismatchException(
                $"The weights map {BaseVariant} -> {MotivatedVariant} does not fit the modules: " + string.Join("; ", problems) + ".");

        var pairs = new BoundEntry[Entries.Count];
        for (var i = 0; i < pairs.Length; i++)
        {
            var e = Entries[i];
            var m = motivatedTensors[e.MotivatedName];
            pairs[i] = new BoundEntry(e, baseTensors[e.BaseName], RegionView(m, e.Region));
            if (e.Pieces is { } pieces)
                pairs[i] = pairs[i] with
                {
                    Pieces = pieces.Select(p => (RegionView(baseTensors[e.BaseName], p.Base), RegionView(m, p.Motivated))).ToArray(),
                };
        }
        return new BoundWeightsMap(this, pairs);
    }

    /// <summary>A new view (no copy) of <paramref name="region"/> of <paramref name="tensor"/>; the caller disposes it.</summary>
    public static Tensor RegionView(Tensor tensor, TensorRegion region)
    {
        if (tensor.dim() != region.Rank)
            throw new ArgumentException($"A region of rank {region.Rank} does not fit a tensor of shape {Shape(tensor.shape)}.", nameof(region));
        var view = tensor.alias();
        for (var d = 0; d < region.Rank; d++)
        {
            var r = region.Dims[d];
            if (r.Start == 0 && r.Length == tensor.shape[d]) continue;
            var next = view.narrow(d, r.Start, r.Length);
            view.Dispose();
            view = next;
        }
        return view;
    }

    private static Dictionary<string, Tensor> StateTensors(nn.Module module)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters()) result[name] = p;
        foreach (var (name, b) in module.named_buffers()) result[name] = b;
        return result;
    }

    private static string Kind(MapEntry e) => e.Kind == TensorKind.Buffer ? "buffer" : "parameter";

    internal static string Shape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

/// <summary>A map entry resolved to the base tensor and the view of its region in the motivated tensor.</summary>
/// <remarks>
/// For a piecewise entry (<see cref="MapEntry.Pieces"/>), <see cref="MotivatedRegion"/> is the view of the bounding box
/// and <see cref="Pieces"/> holds the (base view, motivated view) pairs to copy; copy with <see cref="CopyToMotivated"/> / <see cref="CopyToBase"/>.
/// </remarks>
public readonly record struct BoundEntry(MapEntry Entry, Tensor Base, Tensor MotivatedRegion)
{
    /// <summary>Null for a plain entry; else one (base view, motivated view) pair per piece.</summary>
    public IReadOnlyList<(Tensor Base, Tensor Motivated)>? Pieces { get; init; }

    /// <summary>Copies the base tensor into its place(s) in the motivated tensor.</summary>
    public void CopyToMotivated()
    {
        if (Pieces is null) MotivatedRegion.copy_(Base);
        else foreach (var (b, m) in Pieces) m.copy_(b);
    }

    /// <summary>Copies the base tensor's place(s) in the motivated tensor back into the base tensor.</summary>
    public void CopyToBase()
    {
        if (Pieces is null) Base.copy_(MotivatedRegion);
        else foreach (var (b, m) in Pieces) b.copy_(m);
    }
}

/// <summary>A <see cref="WeightsMap"/> bound to two modules: copies in either direction through cached views.</summary>
public sealed class BoundWeightsMap : IDisposable
{
    private readonly BoundEntry[] _entries;

    internal BoundWeightsMap(WeightsMap map, BoundEntry[] entries)
    {
        Map = map;
        _entries = entries;
    }

    public WeightsMap Map { get; }
    public IReadOnlyList<BoundEntry> Entries => _entries;

    /// <summary>Copies every base parameter and buffer into its region of the motivated model.</summary>
    public void CopyBaseToMotivated() => Copy(MapDirection.BaseToMotivated);

    /// <summary>Copies every mapped region of the motivated model back into the base model.</summary>
    public void CopyMotivatedToBase() => Copy(MapDirection.MotivatedToBase);

    public void Copy(MapDirection direction)
    {
        using var _ = no_grad();
        if (direction == MapDirection.BaseToMotivated)
            foreach (var e in _entries) e.CopyToMotivated();
        else
            foreach (var e in _entries) e.CopyToBase();
    }

    /// <summary>
    /// Applies the map to per-parameter tensors shaped like the parameters (optimizer state: momentum, moments).
    /// <paramref name="baseTensor"/> and <paramref name="motivatedTensor"/> return the tensor kept for a parameter
    /// name, or null where there is none (that entry is skipped). Buffers are skipped.
    /// </summary>
    public void Transfer(MapDirection direction, Func<string, Tensor?> baseTensor, Func<string, Tensor?> motivatedTensor)
    {
        using var _ = no_grad();
        foreach (var e in _entries)
        {
            if (e.Entry.Kind != TensorKind.Parameter) continue;
            var b = baseTensor(e.Entry.BaseName);
            var m = motivatedTensor(e.Entry.MotivatedName);
            if (b is null || m is null) continue;
            if (!b.shape.AsSpan().SequenceEqual(e.Entry.BaseShape) || !m.shape.AsSpan().SequenceEqual(e.Entry.MotivatedShape))
                throw new WeightsMapMismatchException(
                    $"Per-parameter tensors for '{e.Entry.BaseName}' -> '{e.Entry.MotivatedName}' have shapes " +
                    $"{WeightsMap.Shape(b.shape)} and {WeightsMap.Shape(m.shape)}; the map expects " +
                    $"{WeightsMap.Shape(e.Entry.BaseShape)} and {WeightsMap.Shape(e.Entry.MotivatedShape)}.");
            foreach (var piece in e.Entry.AllPieces())
            {
                using var region = WeightsMap.RegionView(m, piece.Motivated);
                using var basePart = WeightsMap.RegionView(b, piece.Base);
                if (direction == MapDirection.BaseToMotivated) region.copy_(basePart);
                else basePart.copy_(region);
            }
        }
    }

    public void Dispose()
    {
        foreach (var e in _entries)
        {
            e.MotivatedRegion.Dispose();
            if (e.Pieces is { } pieces)
                foreach (var (b, m) in pieces) { b.Dispose(); m.Dispose(); }
        }
    }
}

/// <summary>A weights map does not fit the modules or tensors it is applied to.</summary>
public sealed class WeightsMapMismatchException(string message) : InvalidOperationException(message);
