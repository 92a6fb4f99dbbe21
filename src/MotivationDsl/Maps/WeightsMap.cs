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
        : this(baseVariant, motivatedVariant, entries, [])
    {
    }

    /// <summary>A map with function-preserving growth steps (<paramref name="growth"/> empty: the paper's rule).</summary>
    public WeightsMap(string baseVariant, string motivatedVariant, IReadOnlyList<MapEntry> entries, IReadOnlyList<GrowthStep> growth)
    {
        BaseVariant = baseVariant;
        MotivatedVariant = motivatedVariant;
        Entries = entries.ToArray();
        Growth = growth.ToArray();
    }

    public string BaseVariant { get; }
    public string MotivatedVariant { get; }
    public IReadOnlyList<MapEntry> Entries { get; }

    /// <summary>
    /// Steps that make the motivated model compute the base's function right after the first base -> motivated copy
    /// (<see cref="MotivationDsl.Growth.FunctionPreserving"/>); empty under the paper's rule. See <see cref="BoundWeightsMap.ApplyGrowth"/>.
    /// </summary>
    public IReadOnlyList<GrowthStep> Growth { get; }

    /// <summary>True when the map was declared with function-preserving growth.</summary>
    public bool PreservesFunction => Growth.Count > 0;

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

        foreach (var g in Growth)
        {
            if (!motivatedTensors.TryGetValue(g.Tensor, out var m))
                problems.Add($"motivated model '{MotivatedVariant}' has no tensor '{g.Tensor}' (growth step {g})");
            else if (!Fits(g.Region, m.shape) || g.Source is { } src && (!Fits(src, m.shape) || !src.Shape.AsSpan().SequenceEqual(g.Region.Shape)))
                problems.Add($"growth step {g} does not fit '{g.Tensor}' with shape {Shape(m.shape)}");
        }

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
        var growth = Growth.Select(g => new BoundGrowthStep(g, RegionView(motivatedTensors[g.Tensor], g.Region),
            g.Source is null ? null : RegionView(motivatedTensors[g.Tensor], g.Source))).ToArray();
        return new BoundWeightsMap(this, pairs, growth);
    }

    private static bool Fits(TensorRegion region, long[] shape)
    {
        if (region.Rank != shape.Length) return false;
        for (var d = 0; d < shape.Length; d++)
            if (region.Dims[d].Start < 0 || region.Dims[d].Length < 0 || region.Dims[d].End > shape[d]) return false;
        return true;
    }

    /// <summary>
    /// Binds the map in <b>zero-copy</b> mode: checks it like <see cref="Bind"/>, copies the base's values into the
    /// motivated model once, and then replaces every base parameter and buffer that can be replaced by a view of its
    /// region of the motivated tensor (a new leaf <c>Parameter</c> sharing the motivated tensor's storage;
    /// buffers are plain views). From then on the two models share that memory: a base optimizer step or a BatchNorm
    /// running-statistics update in the base writes straight into the motivated tensor's region, so a switch has
    /// nothing to copy for such an entry. Parameters the motivated model alone has (and the unmapped part of a
    /// width-sliced tensor) are outside every region and never touched by the base.
    /// </summary>
    /// <remarks>
    /// An entry is shared when the module that owns the base tensor exposes it as a public settable property of the
    /// tensor's leaf name (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>:
    /// all of TorchSharp's built-in layers, hence everything the generator emits). Entries that cannot be shared (a
    /// custom module keeping a tensor in a private field) stay copy entries: <see cref="BoundWeightsMap.Copy"/> still
    /// copies them, so the pair is always correct; <see cref="BoundWeightsMap.SharedCount"/> says how many are shared.
    /// The base's old tensors are disposed (the module setters do that). Create optimizers after binding. Bind after
    /// moving the modules to their device; moving either module afterwards breaks the sharing.
    /// </remarks>
    public BoundWeightsMap BindShared(nn.Module baseModel, nn.Module motivatedModel)
    {
        var copy = Bind(baseModel, motivatedModel);
        copy.CopyBaseToMotivated();
        var modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [""] = baseModel };
        foreach (var (name, m) in baseModel.named_modules()) modules[name] = m;
        var entries = new BoundEntry[copy.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = copy.Entries[i];
            var shared = TryShare(modules, e, out var replacement);
            entries[i] = shared ? e with { Base = replacement!, Shared = true } : e;
        }
        // The shared map takes over the entries' views; only the first binding's copy plan is left to free.
        copy.ReleasePlan();
        return new BoundWeightsMap(this, entries, copy.GrowthSteps);
    }

    private static bool TryShare(Dictionary<string, nn.Module> modules, BoundEntry e, out Tensor? replacement)
    {
        replacement = null;
        // A piecewise (head-aware) entry is not one rectangle of the motivated tensor: it cannot be a single view.
        if (e.Pieces is not null) return false;
        var name = e.Entry.BaseName;
        var dot = name.LastIndexOf('.');
        var owner = dot < 0 ? "" : name[..dot];
        var leaf = name[(dot + 1)..];
        if (!modules.TryGetValue(owner, out var module)) return false;
        var prop = module.GetType().GetProperty(leaf, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        if (prop is null || !prop.CanWrite || prop.GetSetMethod() is null) return false;
        var isParam = e.Entry.Kind == TensorKind.Parameter;
        if (isParam ? !prop.PropertyType.IsAssignableFrom(typeof(TorchSharp.Modules.Parameter)) : !prop.PropertyType.IsAssignableFrom(typeof(Tensor)))
            return false;
        if (prop.GetValue(module) is not Tensor current || current.Handle != e.Base.Handle) return false;
        if (e.MotivatedRegion.dtype != e.Base.dtype || e.MotivatedRegion.device_type != e.Base.device_type) return false;
        Tensor view;
        using (no_grad())
        {
            // A view of the region that autograd does not connect to the motivated parameter: the base's
            // gradient lands in the new leaf's own .grad, never in the motivated parameter's.
            using var detached = e.MotivatedRegion.detach();
            view = isParam ? new TorchSharp.Modules.Parameter(detached, requires_grad: e.Base.requires_grad) : detached.alias();
        }
        prop.SetValue(module, view);   // registers the view under the same name and disposes the old tensor
        replacement = view;
        return true;
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
/// and <see cref="Pieces"/> holds the (base view, motivated view) pairs to copy. <see cref="Shared"/>: the base tensor
/// is itself a view of <see cref="MotivatedRegion"/> (zero-copy binding), so copies skip it.
/// </remarks>
public readonly record struct BoundEntry(MapEntry Entry, Tensor Base, Tensor MotivatedRegion)
{
    /// <summary>Null for a plain entry; else one (base view, motivated view) pair per piece.</summary>
    public IReadOnlyList<(Tensor Base, Tensor Motivated)>? Pieces { get; init; }

    public bool Shared { get; init; }

    /// <summary>The (base, motivated) tensor pairs a copy of this entry moves: the pieces, or the whole region.</summary>
    public IEnumerable<(Tensor Base, Tensor Motivated)> CopyPairs() =>
        Pieces ?? [(Base, MotivatedRegion)];
}

/// <summary>A <see cref="WeightsMap"/> bound to two modules: copies in either direction through cached views.</summary>
public sealed class BoundWeightsMap : IDisposable
{
    private readonly BoundEntry[] _entries;

    // Base -> region pairs of the unshared entries, chunked to stay serial (see TensorCopyPlan).
    private readonly TensorCopyPlan _plan = new();

    private readonly BoundGrowthStep[] _growth;

    internal BoundWeightsMap(WeightsMap map, BoundEntry[] entries, BoundGrowthStep[] growth)
    {
        Map = map;
        _entries = entries;
        _growth = growth;
        foreach (var e in entries)
            if (!e.Shared)
                foreach (var (b, m) in e.CopyPairs()) _plan.Add(b, m);
    }

    public WeightsMap Map { get; }
    public IReadOnlyList<BoundEntry> Entries => _entries;

    /// <summary>Entries whose base tensor is a view of the motivated region (see <see cref="WeightsMap.BindShared"/>).</summary>
    public int SharedCount => _sharedCount ??= _entries.Count(e => e.Shared);
    private int? _sharedCount;

    /// <summary>True when every entry is shared: a switch copies no weights or buffers at all.</summary>
    public bool FullyShared => SharedCount == _entries.Length;

    /// <summary>Copies every base parameter and buffer into its region of the motivated model.</summary>
    public void CopyBaseToMotivated() => Copy(MapDirection.BaseToMotivated);

    /// <summary>Copies every mapped region of the motivated model back into the base model.</summary>
    public void CopyMotivatedToBase() => Copy(MapDirection.MotivatedToBase);

    public void Copy(MapDirection direction)
    {
        // Shared entries are one memory already: nothing to copy.
        if (direction == MapDirection.BaseToMotivated) _plan.CopyAToB();
        else _plan.CopyBToA();
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

    internal BoundGrowthStep[] GrowthSteps => _growth;

    /// <summary>
    /// Applies the map's function-preserving growth steps (<see cref="WeightsMap.Growth"/>) to the motivated model, in
    /// order: zeros first, then the copies that repeat the base's features. Call once, right after the first
    /// <see cref="CopyBaseToMotivated"/>: the motivated model then computes the base's function (the trainer does this
    /// before the first activation). Does nothing under the paper's rule. Regions the map shares are never touched.
    /// </summary>
    public void ApplyGrowth()
    {
        using var _ = no_grad();
        foreach (var g in _growth)
        {
            if (g.Source is null) g.Region.zero_();
            else g.Region.copy_(g.Source);
        }
    }

    /// <summary>Frees the copy plan's chunk views but not the entries' views (another map reuses them).</summary>
    internal void ReleasePlan() => _plan.Dispose();

    public void Dispose()
    {
        // Shared base tensors belong to the base module (it disposes them); the region and piece views are ours.
        _plan.Dispose();
        foreach (var g in _growth) { g.Region.Dispose(); g.Source?.Dispose(); }
        foreach (var e in _entries)
        {
            e.MotivatedRegion.Dispose();
            if (e.Pieces is { } pieces)
                foreach (var (b, m) in pieces) { b.Dispose(); m.Dispose(); }
        }
    }
}

/// <summary>A growth step bound to views of its motivated tensor.</summary>
internal readonly record struct BoundGrowthStep(GrowthStep Step, Tensor Region, Tensor? Source);

/// <summary>A weights map does not fit the modules or tensors it is applied to.</summary>
public sealed class WeightsMapMismatchException(string message) : InvalidOperationException(message);
