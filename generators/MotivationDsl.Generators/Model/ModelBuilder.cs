using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace MotivationDsl.Generators;

/// <summary>Everything the emitter needs for one valid model.</summary>
internal sealed class BuiltModel
{
    public BuiltModel(ModelSpec spec) => Spec = spec;
    public ModelSpec Spec { get; }
    public List<ResolvedVariant> Variants { get; } = new();
    public List<BlockSpec> UserBlocks { get; } = new();
    public bool UsesBasic, UsesBottleneck;
    public ResolvedVariant Base = null!;
    public ResolvedVariant Motivated = null!;
    public List<MapEntryDesc> Map { get; } = new();
    /// <summary>Every proven pair: the main one first, then each [Pair].</summary>
    public List<(ResolvedVariant Base, ResolvedVariant Motivated, List<MapEntryDesc> Map)> Pairs { get; } = new();
    /// <summary>Per entry of <see cref="Pairs"/>: the pair's own growth rule (0: as declared on the model and stages).</summary>
    public List<int> PairGrowth { get; } = new();
    /// <summary>Growth steps per entry of <see cref="Pairs"/>; empty under the paper's rule.</summary>
    public List<List<GrowthOpDesc>> Growth { get; } = new();
    public bool UsesMBConv, UsesEncoder;
}

/// <summary>
/// Validates a model spec, resolves every variant's layer graph (shapes, tensors, MACs), builds the weights map
/// and proves it with <see cref="MapChecker"/>. Reports problems as equatable <see cref="DiagnosticInfo"/>.
/// </summary>
internal sealed partial class ModelBuilder
{
    private readonly ModelSpec _spec;
    private readonly Dictionary<string, BlockSpec> _blocks;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    /// <summary>Names the generator emits as members of the model class (variants must not use them).</summary>
    public static readonly string[] ReservedVariantNames =
    {
        "Definition", "ModelDefinition", "Blocks", "Map", "Variants", "Create", "CreatePair", "ManifestJson", "BaseVariantName", "MotivatedVariantName", "WithPair",
    };

    /// <summary>Names a layer cannot take: members of the generated module classes.</summary>
    public static readonly string[] ReservedLayerNames =
    {
        "forward", "training", "train", "eval", "name", "shortcut", "downsample", "planes", "inPlanes", "stride", "input", "x", "scope",
    };

    private ModelBuilder(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        _spec = spec;
        _blocks = new Dictionary<string, BlockSpec>();
        foreach (var b in blocks) _blocks[b.MetadataName] = b;
    }

    public static (BuiltModel? Model, List<DiagnosticInfo> Diagnostics) Build(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        var builder = new ModelBuilder(spec, blocks);
        builder._diagnostics.AddRange(spec.Diagnostics);
        if (spec.Fatal || spec.Diagnostics.Count > 0) return (null, builder._diagnostics);
        var model = builder.BuildCore();
        return (builder._diagnostics.Count == 0 ? model : null, builder._diagnostics);
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo? location, params object?[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(d, location ?? _spec.Location ?? _spec.ClassLocation, args));

    private BuiltModel? BuildCore()
    {
        var model = new BuiltModel(_spec);
        var name = _spec.ClassName;

        // [ScalableModel] arguments.
        var missing = new List<string>();
        if (!_spec.HasInputShape) missing.Add("InputShape");
        if (!_spec.HasClasses) missing.Add("Classes");
        if (_spec.Base is null) missing.Add("Base");
        if (_spec.Motivated is null) missing.Add("Motivated");
        if (missing.Count > 0) Report(DiagnosticDescriptors.MissingModelArgument, _spec.Location ?? _spec.ClassLocation, name, string.Join(", ", missing));
        if (_spec.HasInputShape && (_spec.InputShape.Count != 3 || _spec.InputShape.Any(v => v <= 0 || v > 1_000_000)))
            Report(DiagnosticDescriptors.InvalidInputShape, _spec.At("InputShape"), name, MapChecker.Shape(_spec.InputShape.ToArray()));
        if (_spec.HasClasses && (_spec.Classes <= 0 || _spec.Classes > 100_000_000))
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("Classes"), name, "Classes", _spec.Classes, "it must be a positive number");
        if (_spec.Init is < 0 or > 2)
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("Init"), name, "Init", _spec.Init, "use WeightInit.PyTorchDefault, WeightInit.KaimingNormal or WeightInit.EfficientNet");
        if (_spec.DepthMap is < 0 or > 2)
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("DepthMap"), name, "DepthMap", _spec.DepthMap, "use DepthMap.LastToLast or DepthMap.FirstL");
        if (_spec.Growth is < 0 or > 2)
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("Growth"), name, "Growth", _spec.Growth, "use Growth.Paper or Growth.FunctionPreserving");

        // Variant names.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in _spec.Variants)
        {
            var loc = v.At("name");
            var isNew = !string.IsNullOrEmpty(v.Name) && seen.Add(v.Name!);
            if (string.IsNullOrEmpty(v.Name) || !IsIdentifier(v.Name!))
                Report(DiagnosticDescriptors.InvalidName, loc, "Variant", v.Name ?? "null", "a variant name must be a C# identifier (it names the generated module class)");
            else if (ReservedVariantNames.Contains(v.Name) || v.Name == name)
                Report(DiagnosticDescriptors.ReservedName, loc, "Variant", v.Name, name);
            else if (!isNew)
                Report(DiagnosticDescriptors.DuplicateVariant, loc, v.Name, name);
        }
        var declared = string.Join(", ", _spec.Variants.Select(v => v.Name ?? "null"));
        if (declared.Length == 0) declared = "(none)";
        if (_spec.Base is { } b && !seen.Contains(b))
            Report(DiagnosticDescriptors.UnknownVariant, _spec.At("Base"), "Base", b, name, declared);
        if (_spec.Motivated is { } m && !seen.Contains(m))
            Report(DiagnosticDescriptors.UnknownVariant, _spec.At("Motivated"), "Motivated", m, name, declared);
        if (_spec.Base is not null && _spec.Base == _spec.Motivated)
            Report(DiagnosticDescriptors.SameVariant, _spec.At("Motivated"), name, _spec.Base);

        // Layers (variant independent).
        ValidateLayers(_spec.Layers, name, inBlock: false);
        foreach (var l in _spec.Layers)
            if (l.Name is { } ln && seen.Contains(ln) && IsIdentifier(ln))
                Report(DiagnosticDescriptors.ReservedName, l.At("name"), "Layer", ln, name); // the variant class Net.<name> would contain a field of its own name
        foreach (var stage in _spec.Layers.Where(l => l.Kind == LayerKind.Stage && l.HasBlockType))
        {
            if (stage.BlockType is { } bt && !bt.StartsWith("!", StringComparison.Ordinal) && _blocks.TryGetValue(bt, out var block) && block.IsPartial && block.Layers.Count > 0)
            {
                if (!model.UserBlocks.Contains(block))
                {
                    model.UserBlocks.Add(block);
                    _diagnostics.AddRange(block.Diagnostics);
                    ValidateLayers(block.Layers, block.ClassName, inBlock: true);
                    ValidateBlock(block);
                }
            }
            else Report(DiagnosticDescriptors.NotABlock, stage.At("block"), stage.Display, stage.BlockTypeDisplay ?? "null");
        }
        if (_diagnostics.Count > 0) return null;

        model.UsesBasic = _spec.Layers.Any(l => l.Kind == LayerKind.Stage && !l.HasBlockType && l.Block == 0);
        model.UsesBottleneck = _spec.Layers.Any(l => l.Kind == LayerKind.Stage && !l.HasBlockType && l.Block == 1);
        model.UsesMBConv = _spec.Layers.Any(l => l.Kind == LayerKind.Stage && !l.HasBlockType && l.Block == 2);
        model.UsesEncoder = _spec.Layers.Any(l => l.Kind == LayerKind.Stage && !l.HasBlockType && l.Block == 3);

        // Variants.
        foreach (var v in _spec.Variants)
        {
            var rv = ResolveVariant(v);
            model.Variants.Add(rv);
            if (!rv.Ok) break; // a layer problem would repeat for every variant: report it once
        }
        if (_diagnostics.Count > 0) return null;

        model.Base = model.Variants.First(v => v.Name == _spec.Base);
        model.Motivated = model.Variants.First(v => v.Name == _spec.Motivated);
        var mainMap = BuildMap(model.Base, model.Motivated, _spec.At("Motivated"));
        if (mainMap is null) return null;
        var mainGrowth = BuildGrowth(model.Base, model.Motivated, mainMap);
        if (mainGrowth is null) return null;
        model.Map.AddRange(mainMap);
        model.Pairs.Add((model.Base, model.Motivated, mainMap));
        model.PairGrowth.Add(0);
        model.Growth.Add(mainGrowth);
        foreach (var pair in _spec.Pairs)
        {
            var pb = model.Variants.FirstOrDefault(x => x.Name == pair.Base);
            var pm = model.Variants.FirstOrDefault(x => x.Name == pair.Motivated);
            if (pb is null || pm is null)
            {
                var which = pb is null ? "Base" : "Motivated";
                Report(DiagnosticDescriptors.UnknownVariant, pair.Location, "Pair " + which, (pb is null ? pair.Base : pair.Motivated) ?? "null", name, declared);
                continue;
            }
            if (pb == pm) { Report(DiagnosticDescriptors.SameVariant, pair.Location, name, pb.Name); continue; }
            if (pair.Growth is < 0 or > 2)
            { Report(DiagnosticDescriptors.InvalidValue, pair.Location, "Pair", "Growth", pair.Growth, "use Growth.Paper or Growth.FunctionPreserving"); continue; }
            if (model.Pairs.Where((x, i) => x.Base == pb && x.Motivated == pm && model.PairGrowth[i] == pair.Growth).Any()) continue;
            _pairGrowth = pair.Growth; _pairLocation = pair.Location;
            var map = BuildMap(pb, pm, pair.Location);
            var growth = map is null ? null : BuildGrowth(pb, pm, map);
            _pairGrowth = 0;
            if (map is null || growth is null) continue;
            model.Pairs.Add((pb, pm, map));
            model.PairGrowth.Add(pair.Growth);
            model.Growth.Add(growth);
        }
        return _diagnostics.Count > 0 ? null : model;
    }

    /// <summary>A layer name: an identifier, or at model level a dotted state_dict path (<c>features.0.0</c>) whose first segment is an identifier.</summary>
    public static bool IsPath(string name, bool inBlock)
    {
        if (inBlock || name.IndexOf('.') < 0) return IsIdentifier(name);
        var parts = name.Split('.');
        return IsIdentifier(parts[0]) && parts.Skip(1).All(p => p.Length > 0 && p.All(ch => ch == '_' || char.IsLetterOrDigit(ch)) && p.All(ch => ch < 128));
    }

    public static bool IsIdentifier(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
        && SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.None && !name.StartsWith("__", StringComparison.Ordinal);

    private void ValidateLayers(EquatableArray<LayerSpec> layers, string owner, bool inBlock)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            var named = l.Kind is LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.Linear or LayerKind.Stage
                or LayerKind.LayerNorm or LayerKind.PatchEmbedding or LayerKind.ClassToken or LayerKind.PositionalEmbedding;
            if (named)
            {
                if (string.IsNullOrEmpty(l.Name) || !IsPath(l.Name!, inBlock))
                    Report(DiagnosticDescriptors.InvalidName, l.At("name"), l.AttributeName, l.Name ?? "null", inBlock ? "a layer name inside a block must be a C# identifier (it is the state_dict key and the field name)" : "a layer name must be a C# identifier or a dotted state_dict path that starts with one (features.0.0)");
                else if (ReservedLayerNames.Contains(l.Name!.Split('.')[0]) || l.Name!.Split('.')[0] == owner)
                    Report(DiagnosticDescriptors.ReservedName, l.At("name"), "Layer", l.Name, owner);
                else if (!names.Add(l.Name!))
                    Report(DiagnosticDescriptors.DuplicateLayer, l.At("name"), l.Name, owner);
            }
            if (named && !inBlock && l.Name is { } path && layers.Any(o => o.Name is { } on && on.StartsWith(path + ".", StringComparison.Ordinal)))
                Report(DiagnosticDescriptors.InvalidName, l.At("name"), l.AttributeName, path,
                    "another layer's name continues it (" + layers.First(o => o.Name is { } on && on.StartsWith(path + ".", StringComparison.Ordinal)).Name + "), so it would be both a layer and a container");
            switch (l.Kind)
            {
                case LayerKind.Unknown:
                    Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, "this layer attribute is not supported by the generator");
                    break;
                case LayerKind.Conv2d:
                    if (!inBlock && !l.HasOut)
                        Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "a model-level Conv2d needs its output channels: Conv2d(name, outChannels)");
                    if (inBlock && l.HasOut)
                        Report(DiagnosticDescriptors.Unsupported, l.At("outChannels"), l.Display, "inside a [ScalableBlock] a Conv2d takes its output channels from the stage: use Conv2d(name) with Expansion");
                    if (!inBlock && l.Has("Expansion"))
                        Report(DiagnosticDescriptors.Unsupported, l.At("Expansion"), l.Display, "Expansion only applies inside a [ScalableBlock]");
                    if (!inBlock && l.Has("StageStride"))
                        Report(DiagnosticDescriptors.Unsupported, l.At("StageStride"), l.Display, "StageStride only applies inside a [ScalableBlock]");
                    if (l.HasOut && l.Out <= 0) Invalid(l, "outChannels", l.Out, "it must be positive");
                    if (l.Kernel <= 0 || l.Kernel > 1024) Invalid(l, "Kernel", l.Kernel, "it must be a positive number");
                    if (l.Stride <= 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be a positive number");
                    if (l.Padding < 0 || l.Padding > 1024) Invalid(l, "Padding", l.Padding, "it must not be negative");
                    if (l.Groups <= 0 || l.Groups > 1_000_000) Invalid(l, "Groups", l.Groups, "it must be a positive number");
                    if (inBlock && (l.Expansion <= 0 || l.Expansion > 1024)) Invalid(l, "Expansion", l.Expansion, "it must be a positive number");
                    break;
                case LayerKind.LayerNorm:
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "LayerNorm is not supported inside a [ScalableBlock]");
                    if (!(l.Eps > 0) || double.IsInfinity(l.Eps)) Invalid(l, "Eps", l.Eps, "it must be positive");
                    break;
                case LayerKind.PatchEmbedding:
                case LayerKind.ClassToken:
                case LayerKind.PositionalEmbedding:
                case LayerKind.ClassTokenSelect:
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "this layer is not supported inside a [ScalableBlock]");
                    if (l.Kind == LayerKind.PatchEmbedding && l.Out <= 0) Invalid(l, "dim", l.Out, "it must be positive");
                    if (l.Kind == LayerKind.PatchEmbedding && (l.Patch <= 0 || l.Patch > 1024)) Invalid(l, "Patch", l.Patch, "it must be a positive number");
                    break;
                case LayerKind.SiLU:
                case LayerKind.GELU:
                    break;
                case LayerKind.Linear:
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "Linear is not supported inside a [ScalableBlock]");
                    if (l.HasOut && l.Out <= 0) Invalid(l, "outFeatures", l.Out, "it must be positive");
                    break;
                case LayerKind.BatchNorm2d:
                    if (!(l.Eps > 0) || double.IsInfinity(l.Eps)) Invalid(l, "Eps", l.Eps, "it must be positive");
                    if (!(l.Momentum >= 0 && l.Momentum <= 1)) Invalid(l, "Momentum", l.Momentum, "it must be between 0 and 1");
                    break;
                case LayerKind.Dropout:
                    if (!(l.P >= 0 && l.P < 1)) Invalid(l, "p", l.P, "it must be in [0, 1)");
                    break;
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, "pooling is not supported inside a [ScalableBlock]");
                    if (l.Kernel <= 0 || l.Kernel > 1024) Invalid(l, "kernel", l.Kernel, "it must be a positive number");
                    if (l.Stride < 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be positive (or 0 for the kernel size)");
                    if (l.Padding < 0 || l.Padding * 2 > l.Kernel) Invalid(l, "Padding", l.Padding, "it must be between 0 and half the kernel");
                    break;
                case LayerKind.GlobalAvgPool:
                case LayerKind.Flatten:
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, "this layer is not supported inside a [ScalableBlock]");
                    break;
                case LayerKind.Stage:
                    if (inBlock) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "a Stage cannot be nested inside a [ScalableBlock]"); break; }
                    if (l.Channels <= 0) Invalid(l, "channels", l.Channels, "it must be positive");
                    if (l.Blocks <= 0) Invalid(l, "Blocks", l.Blocks, "it must be positive");
                    if (l.Stride <= 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be a positive number");
                    if (l.Shortcut is < 0 or > 1) Invalid(l, "Shortcut", l.Shortcut, "use Shortcut.A or Shortcut.B");
                    if (l.DepthMap is < 0 or > 2) Invalid(l, "DepthMap", l.DepthMap, "use DepthMap.LastToLast or DepthMap.FirstL");
                    if (l.Growth is < 0 or > 2) Invalid(l, "Growth", l.Growth, "use Growth.Paper or Growth.FunctionPreserving");
                    if (!l.HasBlockType && l.Block is < 0 or > 3) Invalid(l, "block", l.Block, "use Block.Basic, Block.Bottleneck, Block.MBConv, Block.Encoder or typeof(YourBlock)");
                    if (l.BlockPrefix.Length > 0 && !IsIdentifier(l.BlockPrefix + "0")) Invalid(l, "BlockPrefix", l.BlockPrefix, "the block keys {prefix}{i} must be identifiers");
                    break;
            }
        }
    }

    private void ValidateBlock(BlockSpec block)
    {
        if (!block.Layers.Any(l => l.Kind == LayerKind.Conv2d))
            Report(DiagnosticDescriptors.Unsupported, block.Layers[0].Location, block.ClassName, "a [ScalableBlock] needs at least one Conv2d");
    }

    private void Invalid(LayerSpec l, string arg, object value, string rule) =>
        Report(DiagnosticDescriptors.InvalidValue, l.At(arg), l.Display, arg, value, rule);

    /// <summary>torchvision's <c>_make_divisible(v, 8)</c>: nearest multiple of 8, at least 8, at least 90% of v.</summary>
    public static long MakeDivisible(double v, long divisor = 8)
    {
        var nv = Math.Max(divisor, (long)(v + divisor / 2.0) / divisor * divisor);
        if (nv < 0.9 * v) nv += divisor;
        return nv;
    }

    private long? ScaleChannels(long declared, double multiplier)
    {
        if (_spec.Scaling == 1)
        {
            var v = declared * multiplier;
            if (double.IsNaN(v) || double.IsInfinity(v) || v <= 0 || v > 1e9) return null;
            return MakeDivisible(v);
        }
        return Scale(declared, multiplier);
    }

    private long? ScaleBlocks(long declared, double multiplier)
    {
        if (_spec.Scaling == 1)
        {
            var v = declared * multiplier;
            if (double.IsNaN(v) || double.IsInfinity(v) || v <= 0 || v > 1e6) return null;
            return (long)Math.Ceiling(v);
        }
        return Scale(declared, multiplier);
    }

    private static long? Scale(long declared, double multiplier)
    {
        var v = declared * multiplier;
        if (double.IsNaN(v) || double.IsInfinity(v) || v < 1 || v > 1e9) return null;
        var r = Math.Round(v);
        return Math.Abs(v - r) < 1e-9 ? (long)r : null;
    }

    private static string Num(double d) => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    private static string Lit(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L";

    private static void Mac(ResolvedVariant rv, long value, string expr)
    {
        rv.Macs += value;
        rv.Trace.Add("macs += " + expr + ";");
    }

    private static void Sp(ResolvedVariant rv, long k, long s, long p) =>
        rv.Trace.Add($"h = Sp(h, {Lit(k)}, {Lit(s)}, {Lit(p)}); w = Sp(w, {Lit(k)}, {Lit(s)}, {Lit(p)});");

    private static TensorDesc AddT(ResolvedVariant rv, TensorDesc t, string[]? expr = null)
    {
        t.ShapeExpr = expr ?? t.Shape.Select(Lit).ToArray();
        rv.Tensors.Add(t);
        var shape = t.ShapeExpr.Length == 0 ? "global::System.Array.Empty<long>()" : "new long[] { " + string.Join(", ", t.ShapeExpr) + " }";
        rv.Trace.Add($"__t.Add(new global::MotivationDsl.TensorInfo(\"{t.Name}\", global::MotivationDsl.TensorKind.{(t.IsBuffer ? "Buffer" : "Parameter")}, {shape}));");
        return t;
    }

    private ResolvedVariant ResolveVariant(VariantSpec v)
    {
        var rv = new ResolvedVariant(v, v.Name!);
        var stages = _spec.Layers.Where(l => l.Kind == LayerKind.Stage).ToList();
        var stageNames = string.Join(", ", stages.Select(s => s.Display));
        if (v.HasDepth && v.Depth.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Depth"), "Depth", v.Name, v.Depth.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasWidth && v.Width.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Width"), "Width", v.Name, v.Width.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasKernels && v.Kernels.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Kernels"), "Kernels", v.Name, v.Kernels.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasExpansions && v.Expansions.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Expansions"), "Expansions", v.Name, v.Expansions.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (!rv.Ok) return rv;

        // Block counts first: stochastic depth needs the total.
        var depths = new List<long>();
        for (var si = 0; si < stages.Count; si++)
        {
            var l = stages[si];
            long depth;
            if (v.HasDepth) depth = v.Depth[si];
            else
            {
                var sd = ScaleBlocks(l.Blocks, v.DepthMultiplier);
                if (sd is null) { Report(DiagnosticDescriptors.NotWhole, v.At("DepthMultiplier"), v.Name, "the block count", l.Display, l.Blocks, Num(v.DepthMultiplier), Num(l.Blocks * v.DepthMultiplier)); return Fail(rv); }
                depth = sd.Value;
            }
            if (depth <= 0 || depth > 10_000) { Report(DiagnosticDescriptors.NotWhole, v.At("Depth"), v.Name, "the block count", l.Display, depth, 1, depth); return Fail(rv); }
            depths.Add(depth);
        }
        var totalMb = stages.Select((s, i) => (s, i)).Where(x => !x.s.HasBlockType && x.s.Block == 2).Sum(x => depths[x.i]);
        var mbId = 0L;

        long c = _spec.InputShape[0], h = _spec.InputShape[1], w = _spec.InputShape[2];
        var cExpr = Lit(c);
        var rank = 3;
        var stageIndex = 0;
        foreach (var l in _spec.Layers)
        {
            var r = new RLayer(l);
            var inShape = rank == 3 ? $"[{c}, {h}, {w}]" : rank == 2 ? $"[{rv.Seq}, {c}]" : $"[{c}]";
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                {
                    if (rank != 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"Conv2d needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    long? o = l.Depthwise ? c : ScaleChannels(l.Out, v.WidthMultiplier);
                    if (o is null) { Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the output channels", l.Display, l.Out, Num(v.WidthMultiplier), Num(l.Out * v.WidthMultiplier)); return Fail(rv); }
                    var groups = l.Depthwise ? c : l.Groups;
                    if (!l.Depthwise && !GroupsOk(l, c, o.Value)) return Fail(rv);
                    r.In = c; r.Out = o.Value; r.Kernel = l.Kernel; r.Stride = l.Stride; r.Padding = l.Padding; r.Groups = groups; r.Bias = l.Bias; r.Depthwise = l.Depthwise;
                    var (nh, nw) = (Spatial(h, l.Kernel, l.Stride, l.Padding), Spatial(w, l.Kernel, l.Stride, l.Padding));
                    if (nh <= 0 || nw <= 0) { Report(DiagnosticDescriptors.SpatialCollapse, l.Location, v.Name, l.Display, inShape, $"[{o}, {nh}, {nw}]"); return Fail(rv); }
                    AddConv(rv, l.Name!, null, -1, l.Name!, c, o.Value, l.Kernel, groups, l.Bias);
                    Sp(rv, l.Kernel, l.Stride, l.Padding);
                    Mac(rv, o.Value * nh * nw * (c / groups) * l.Kernel * l.Kernel, $"{Lit(o.Value * (c / groups) * l.Kernel * l.Kernel)} * h * w");
                    c = o.Value; h = nh; w = nw;
                    break;
                }
                case LayerKind.PatchEmbedding:
                {
                    if (rank != 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"PatchEmbedding needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    var patch = v.PatchSize > 0 ? v.PatchSize : l.Patch;
                    var o = ScaleChannels(l.Out, v.WidthMultiplier);
                    if (o is null) { Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the embedding dimension", l.Display, l.Out, Num(v.WidthMultiplier), Num(l.Out * v.WidthMultiplier)); return Fail(rv); }
                    var (nh, nw) = (Spatial(h, patch, patch, 0), Spatial(w, patch, patch, 0));
                    if (nh <= 0 || nw <= 0) { Report(DiagnosticDescriptors.SpatialCollapse, l.Location, v.Name, l.Display, inShape, $"[{o}, {nh}, {nw}]"); return Fail(rv); }
                    r.In = c; r.Out = o.Value; r.Kernel = patch; r.Stride = patch; r.Groups = 1; r.Bias = true;
                    AddConv(rv, l.Name!, null, -1, l.Name!, c, o.Value, patch, 1, true);
                    Sp(rv, patch, patch, 0);
                    Mac(rv, o.Value * nh * nw * c * patch * patch, $"{Lit(o.Value * c * patch * patch)} * h * w");
                    c = o.Value; h = nh; w = nw;
                    rank = 2; rv.Seq = nh * nw;
                    rv.Trace.Add("seq = h * w;");
                    break;
                }
                case LayerKind.ClassToken:
                    if (rank != 2) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"ClassToken needs a token sequence (after a PatchEmbedding) but receives {inShape}"); return Fail(rv); }
                    r.In = r.Out = c;
                    AddT(rv, new TensorDesc(l.Name!, false, new[] { 1L, 1L, c }, null, -1, l.Name!));
                    rv.Seq += 1; rv.Trace.Add("seq += 1;");
                    break;
                case LayerKind.PositionalEmbedding:
                    if (rank != 2) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"PositionalEmbedding needs a token sequence (after a PatchEmbedding) but receives {inShape}"); return Fail(rv); }
                    r.In = r.Out = c;
                    AddT(rv, new TensorDesc(l.Name!, false, new[] { 1L, rv.Seq, c }, null, -1, l.Name!), new[] { "1L", "seq", Lit(c) });
                    break;
                case LayerKind.ClassTokenSelect:
                    if (rank != 2) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"ClassTokenSelect needs a token sequence but receives {inShape}"); return Fail(rv); }
                    rank = 1; cExpr = Lit(c);
                    break;
                case LayerKind.LayerNorm:
                    if (rank == 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"LayerNorm normalises tokens or features but receives {inShape}"); return Fail(rv); }
                    r.In = r.Out = c;
                    AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { c }, null, -1, l.Name + ".weight"));
                    AddT(rv, new TensorDesc(l.Name + ".bias", false, new[] { c }, null, -1, l.Name + ".bias"));
                    break;
                case LayerKind.BatchNorm2d:
                    if (rank != 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"BatchNorm2d needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    r.In = r.Out = c;
                    AddBn(rv, l.Name!, null, -1, l.Name!, c);
                    break;
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                {
                    if (rank != 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"pooling needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    var s = l.Stride == 0 ? l.Kernel : l.Stride;
                    r.Kernel = l.Kernel; r.Stride = s; r.Padding = l.Padding;
                    var (nh, nw) = (Spatial(h, l.Kernel, s, l.Padding), Spatial(w, l.Kernel, s, l.Padding));
                    if (nh <= 0 || nw <= 0) { Report(DiagnosticDescriptors.SpatialCollapse, l.Location, v.Name, l.AttributeName, inShape, $"[{c}, {nh}, {nw}]"); return Fail(rv); }
                    Sp(rv, l.Kernel, s, l.Padding);
                    h = nh; w = nw;
                    break;
                }
                case LayerKind.GlobalAvgPool:
                    if (rank != 3) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"GlobalAvgPool needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    h = w = 1;
                    rv.Trace.Add("h = 1; w = 1;");
                    break;
                case LayerKind.Flatten:
                    if (rank == 3) { rv.Trace.Add($"feat = {Lit(c)} * h * w;"); cExpr = "feat"; c = c * h * w; h = w = 1; rank = 1; }
                    break;
                case LayerKind.Dropout:
                    r.P = double.IsNaN(v.Dropout) ? l.P : v.Dropout;
                    if (!(r.P >= 0 && r.P < 1)) { Report(DiagnosticDescriptors.InvalidValue, v.At("Dropout"), v.Name, "Dropout", r.P, "it must be in [0, 1)"); return Fail(rv); }
                    break;
                case LayerKind.Linear:
                {
                    if (rank != 1) { Report(DiagnosticDescriptors.LinearNeedsFlatten, l.Location, l.Display, inShape); return Fail(rv); }
                    long o; string oExpr;
                    if (l.HasOut)
                    {
                        var so = ScaleChannels(l.Out, v.WidthMultiplier);
                        if (so is null) { Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the output features", l.Display, l.Out, Num(v.WidthMultiplier), Num(l.Out * v.WidthMultiplier)); return Fail(rv); }
                        o = so.Value; oExpr = Lit(o);
                    }
                    else { o = _spec.Classes; oExpr = "classes"; }
                    r.In = c; r.Out = o; r.Bias = l.Bias;
                    AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { o, c }, null, -1, l.Name + ".weight"), new[] { oExpr, cExpr });
                    if (l.Bias) AddT(rv, new TensorDesc(l.Name + ".bias", false, new[] { o }, null, -1, l.Name + ".bias"), new[] { oExpr });
                    Mac(rv, c * o, $"{cExpr} * {oExpr}");
                    c = o; cExpr = oExpr;
                    break;
                }
                case LayerKind.Stage:
                {
                    var isEncoder = !l.HasBlockType && l.Block == 3;
                    if (isEncoder ? rank != 2 : rank != 3)
                    { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, isEncoder ? $"an Encoder stage needs a token sequence but receives {inShape}" : $"a Stage needs a [C, H, W] input but receives {inShape}"); return Fail(rv); }
                    long planes;
                    if (v.HasWidth) planes = v.Width[stageIndex];
                    else
                    {
                        var sp = ScaleChannels(l.Channels, v.WidthMultiplier);
                        if (sp is null) { Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the channels", l.Display, l.Channels, Num(v.WidthMultiplier), Num(l.Channels * v.WidthMultiplier)); return Fail(rv); }
                        planes = sp.Value;
                    }
                    if (planes <= 0 || planes > 1_000_000) { Report(DiagnosticDescriptors.NotWhole, v.At("Width"), v.Name, "the channels", l.Display, planes, 1, planes); return Fail(rv); }
                    var depth = depths[stageIndex];
                    r.StageIndex = stageIndex;
                    r.In = c;
                    for (var i = 0; i < depth; i++)
                    {
                        RBlock? blk;
                        if (isEncoder) blk = ResolveEncoder(rv, v, l, i, c, planes);
                        else if (!l.HasBlockType && l.Block == 2)
                        {
                            var sd = double.IsNaN(_spec.StochasticDepth) ? 0 : _spec.StochasticDepth * mbId / totalMb;
                            mbId++;
                            blk = ResolveMBConv(rv, v, l, stageIndex, i, c, planes, i == 0 ? l.Stride : 1, h, w, sd);
                        }
                        else blk = ResolveBlock(rv, l, i, c, planes, i == 0 ? l.Stride : 1, h, w);
                        if (blk is null) return Fail(rv);
                        r.Blocks.Add(blk);
                        c = blk.Out; h = blk.OutH; w = blk.OutW;
                    }
                    r.Out = c;
                    stageIndex++;
                    break;
                }
            }
            rv.Layers.Add(r);
        }
        if (rank != 1 || c != _spec.Classes || cExpr != "classes")
        {
            Report(DiagnosticDescriptors.OutputShape, _spec.Location ?? _spec.ClassLocation, v.Name, _spec.ClassName, rank == 3 ? $"[{c}, {h}, {w}]" : rank == 2 ? $"[{rv.Seq}, {c}]" : $"[{c}]", _spec.Classes);
            return Fail(rv);
        }
        return rv;
    }

    private bool GroupsOk(LayerSpec l, long inC, long outC)
    {
        if (l.Groups > 1 && (inC % l.Groups != 0 || outC % l.Groups != 0))
        {
            Report(DiagnosticDescriptors.Groups, l.At("Groups"), l.Display, l.Groups, $"input channels {inC} and output channels {outC} must both be divisible by the groups");
            return false;
        }
        return true;
    }

    private static ResolvedVariant Fail(ResolvedVariant rv) { rv.Ok = false; return rv; }

    private static long Spatial(long size, long kernel, long stride, long padding)
    {
        var span = size + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    private static string BlockKey(LayerSpec stage, int index) => stage.Name + "." + stage.BlockPrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Prefix(string? stage, int block, string? blockPrefix = null) =>
        stage is null ? "" : stage + "." + (blockPrefix ?? "") + block + ".";

    private static void AddConv(ResolvedVariant rv, string name, string? stage, int block, string local, long inC, long outC, long k, long groups, bool bias, string? blockPrefix = null)
    {
        var prefix = Prefix(stage, block, blockPrefix);
        AddT(rv, new TensorDesc(prefix + local + ".weight", false, new[] { outC, inC / groups, k, k }, stage, block, local + ".weight"));
        if (bias) AddT(rv, new TensorDesc(prefix + local + ".bias", false, new[] { outC }, stage, block, local + ".bias"));
    }

    private static void AddBn(ResolvedVariant rv, string name, string? stage, int block, string local, long ch)
    {
        var prefix = Prefix(stage, block);
        AddT(rv, new TensorDesc(prefix + local + ".weight", false, new[] { ch }, stage, block, local + ".weight"));
        AddT(rv, new TensorDesc(prefix + local + ".bias", false, new[] { ch }, stage, block, local + ".bias"));
        AddT(rv, new TensorDesc(prefix + local + ".running_mean", true, new[] { ch }, stage, block, local + ".running_mean"));
        AddT(rv, new TensorDesc(prefix + local + ".running_var", true, new[] { ch }, stage, block, local + ".running_var"));
        AddT(rv, new TensorDesc(prefix + local + ".num_batches_tracked", true, Array.Empty<long>(), stage, block, local + ".num_batches_tracked"));
    }

    /// <summary>An MBConv block (torchvision's efficientnet MBConv). Mirrors the emitted MBConv class.</summary>
    private RBlock? ResolveMBConv(ResolvedVariant rv, VariantSpec v, LayerSpec stage, int stageIndex, int index, long inC, long outC, long stride, long h, long w, double sdProb)
    {
        var s = stage.Name!;
        var kernel = v.HasKernels ? v.Kernels[stageIndex] : stage.Kernel;
        var expansion = v.HasExpansions ? v.Expansions[stageIndex] : stage.Expansion;
        var ratio = double.IsNaN(v.SERatio) ? stage.SERatio : v.SERatio;
        if (kernel <= 0 || kernel % 2 == 0 || kernel > 31)
        { Report(DiagnosticDescriptors.InvalidValue, v.HasKernels ? v.At("Kernels") : stage.At("Kernel"), s, "Kernel", kernel, "an MBConv kernel must be odd and positive"); return null; }
        if (expansion <= 0 || expansion > 64)
        { Report(DiagnosticDescriptors.InvalidValue, v.HasExpansions ? v.At("Expansions") : stage.At("Expansion"), s, "Expansion", expansion, "it must be a positive number"); return null; }
        if (!(ratio >= 0 && ratio <= 1))
        { Report(DiagnosticDescriptors.InvalidValue, !double.IsNaN(v.SERatio) ? v.At("SERatio") : stage.At("SERatio"), s, "SERatio", ratio, "it must be between 0 and 1"); return null; }
        var blk = new RBlock { In = inC, Planes = outC, Stride = stride, InH = h, InW = w, Kernel = kernel, Expansion = expansion, SERatio = ratio, SdProb = sdProb };
        var expanded = MakeDivisible(inC * (double)expansion);
        blk.Expanded = expanded;
        blk.Squeeze = ratio > 0 ? Math.Max(1, (long)Math.Floor(inC * ratio)) : 0;
        var pad = (kernel - 1) / 2;
        var i = 0;
        if (expanded != inC)
        {
            AddConv(rv, "", s, index, $"block.{i}.0", inC, expanded, 1, 1, false); AddBn(rv, "", s, index, $"block.{i}.1", expanded);
            Mac(rv, expanded * h * w * inC, $"{Lit(expanded * inC)} * h * w");
            blk.Convs.Add(($"block.{i}.0", inC, expanded, 1, 1));
            i++;
        }
        var nh = Spatial(h, kernel, stride, pad); var nw = Spatial(w, kernel, stride, pad);
        if (nh <= 0 || nw <= 0) { Report(DiagnosticDescriptors.SpatialCollapse, stage.Location, rv.Name, $"{s}.{index}", $"[{inC}, {h}, {w}]", $"[{expanded}, {nh}, {nw}]"); return null; }
        AddConv(rv, "", s, index, $"block.{i}.0", expanded, expanded, kernel, expanded, false); AddBn(rv, "", s, index, $"block.{i}.1", expanded);
        Sp(rv, kernel, stride, pad);
        Mac(rv, expanded * nh * nw * kernel * kernel, $"{Lit(expanded * kernel * kernel)} * h * w");
        blk.Convs.Add(($"block.{i}.0", expanded, expanded, 1, stride)); // depthwise: per channel, a prefix keeps channels aligned
        i++;
        if (blk.Squeeze > 0)
        {
            AddConv(rv, "", s, index, $"block.{i}.fc1", expanded, blk.Squeeze, 1, 1, true);
            AddConv(rv, "", s, index, $"block.{i}.fc2", blk.Squeeze, expanded, 1, 1, true);
            Mac(rv, 2 * expanded * blk.Squeeze, Lit(2 * expanded * blk.Squeeze));
            i++;
        }
        AddConv(rv, "", s, index, $"block.{i}.0", expanded, outC, 1, 1, false); AddBn(rv, "", s, index, $"block.{i}.1", outC);
        Mac(rv, outC * nh * nw * expanded, $"{Lit(outC * expanded)} * h * w");
        blk.Convs.Add(($"block.{i}.0", expanded, outC, 1, 1));
        blk.Out = outC; blk.OutH = nh; blk.OutW = nw;
        blk.Residual = stride == 1 && inC == outC;
        return blk;
    }

    /// <summary>A pre-norm transformer encoder block (torchvision's ViT EncoderBlock).</summary>
    private RBlock? ResolveEncoder(ResolvedVariant rv, VariantSpec v, LayerSpec stage, int index, long d, long planes)
    {
        var s = stage.Name!;
        if (planes != d)
        {
            Report(DiagnosticDescriptors.Unsupported, stage.Location, $"{s}.{stage.BlockPrefix}{index}", $"an Encoder stage keeps the token width: it receives {d} features but its channels are {planes}");
            return null;
        }
        var heads = v.Heads > 0 ? v.Heads : stage.Heads;
        if (heads <= 0 || d % heads != 0)
        {
            Report(DiagnosticDescriptors.HeadsNotDividing, v.Heads > 0 ? v.At("Heads") : stage.At("Heads"), v.Name, s, heads, d);
            return null;
        }
        var mlp = ScaleChannels(stage.MlpDim, v.WidthMultiplier);
        if (mlp is null || stage.MlpDim <= 0)
        {
            Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the MLP features", stage.Display, stage.MlpDim, Num(v.WidthMultiplier), Num(stage.MlpDim * v.WidthMultiplier));
            return null;
        }
        var blk = new RBlock { In = d, Planes = d, Out = d, Stride = 1, Heads = heads, Mlp = mlp.Value };
        var p = Prefix(s, index, stage.BlockPrefix);
        void T(string local, params long[] shape) => AddT(rv, new TensorDesc(p + local, false, shape, s, index, local));
        T("ln_1.weight", d); T("ln_1.bias", d);
        T("self_attention.in_proj_weight", 3 * d, d); T("self_attention.in_proj_bias", 3 * d);
        T("self_attention.out_proj.weight", d, d); T("self_attention.out_proj.bias", d);
        T("ln_2.weight", d); T("ln_2.bias", d);
        T("mlp.0.weight", mlp.Value, d); T("mlp.0.bias", mlp.Value);
        T("mlp.3.weight", d, mlp.Value); T("mlp.3.bias", d);
        // q/k/v and output projections, the two attention products (n x n x d each), the MLP.
        var n = rv.Seq;
        Mac(rv, n * d * 4 * d + 2 * n * n * d + 2 * n * d * mlp.Value, $"seq * {Lit(4 * d * d + 2 * d * mlp.Value)} + seq * seq * {Lit(2 * d)}");
        return blk;
    }

    /// <summary>One block: its tensors, MACs and output shape. Mirrors the emitted block classes.</summary>
    private RBlock? ResolveBlock(ResolvedVariant rv, LayerSpec stage, int index, long inC, long planes, long stride, long h, long w)
    {
        var s = stage.Name!;
        var blk = new RBlock { In = inC, Planes = planes, Stride = stride, InH = h, InW = w };
        var shortcutKind = stage.Shortcut == 0 ? ShortcutKind.A : ShortcutKind.B;
        string shortcutName;
        bool residual = true;
        long c = inC, bh = h, bw = w;
        void Conv(string local, long o, long k, long st, long p, long g, bool bias)
        {
            AddConv(rv, local, s, index, local, c, o, k, g, bias);
            var nh = Spatial(bh, k, st, p); var nw = Spatial(bw, k, st, p);
            Sp(rv, k, st, p);
            Mac(rv, o * Math.Max(nh, 0) * Math.Max(nw, 0) * (c / g) * k * k, $"{Lit(o * (c / g) * k * k)} * h * w");
            blk.Convs.Add((local, c, o, g, st));
            c = o; bh = nh; bw = nw;
        }
        if (!stage.HasBlockType && stage.Block == 0)
        {
            Conv("conv1", planes, 3, stride, 1, 1, false); AddBn(rv, "bn1", s, index, "bn1", c);
            Conv("conv2", planes, 3, 1, 1, 1, false); AddBn(rv, "bn2", s, index, "bn2", c);
            shortcutName = "shortcut";
        }
        else if (!stage.HasBlockType)
        {
            Conv("conv1", planes, 1, 1, 0, 1, false); AddBn(rv, "bn1", s, index, "bn1", c);
            Conv("conv2", planes, 3, stride, 1, 1, false); AddBn(rv, "bn2", s, index, "bn2", c);
            Conv("conv3", planes * 4, 1, 1, 0, 1, false); AddBn(rv, "bn3", s, index, "bn3", c);
            shortcutName = "downsample";
        }
        else
        {
            var block = _blocks[stage.BlockType!];
            residual = block.Residual;
            shortcutName = "shortcut";
            foreach (var l in block.Layers)
            {
                if (l.Kind == LayerKind.Conv2d)
                {
                    var o = l.Depthwise ? c : l.Expansion * planes;
                    var g = l.Depthwise ? c : l.Groups;
                    if (!l.Depthwise && !GroupsOk(l, c, o)) return null;
                    Conv(l.Name!, o, l.Kernel, l.StageStride ? stride : l.Stride, l.Padding, g, l.Bias);
                    if (l.Depthwise) blk.Convs[blk.Convs.Count - 1] = (l.Name!, o, o, 1, blk.Convs[blk.Convs.Count - 1].Stride);
                    if (bh <= 0 || bw <= 0)
                    {
                        Report(DiagnosticDescriptors.SpatialCollapse, l.Location, rv.Name, $"{s}.{index}.{l.Name}", $"[{inC}, {h}, {w}]", $"[{o}, {bh}, {bw}]");
                        return null;
                    }
                }
                else if (l.Kind == LayerKind.BatchNorm2d) AddBn(rv, l.Name!, s, index, l.Name!, c);
            }
        }
        if (bh <= 0 || bw <= 0)
        {
            Report(DiagnosticDescriptors.SpatialCollapse, stage.Location, rv.Name, $"{s}.{index}", $"[{inC}, {h}, {w}]", $"[{c}, {bh}, {bw}]");
            return null;
        }
        blk.Out = c; blk.OutH = bh; blk.OutW = bw;
        if (residual && (stride != 1 || inC != c || bh != h || bw != w))
        {
            // The shortcut subsamples by the block's stride; its output must match the body's.
            var sh = (h - 1) / stride + 1; var sw = (w - 1) / stride + 1;
            if (sh != bh || sw != bw)
            {
                Report(DiagnosticDescriptors.Unsupported, stage.Location, $"{s}.{index}", $"the block body outputs [{c}, {bh}, {bw}] but a stride-{stride} shortcut outputs [{c}, {sh}, {sw}]");
                return null;
            }
            if (shortcutKind == ShortcutKind.A && c < inC)
            {
                Report(DiagnosticDescriptors.Unsupported, stage.At("Shortcut"), $"{s}.{index}", $"option A can only add channels but the block goes from {inC} to {c} channels; use Shortcut.B");
                return null;
            }
            blk.Shortcut = shortcutKind;
            if (shortcutKind == ShortcutKind.B)
            {
                AddConv(rv, shortcutName + ".0", s, index, shortcutName + ".0", inC, c, 1, 1, false);
                Mac(rv, c * bh * bw * inC, $"{Lit(c * inC)} * h * w");
                blk.Convs.Add((shortcutName + ".0", inC, c, 1, stride));
                AddBn(rv, shortcutName + ".1", s, index, shortcutName + ".1", c);
            }
        }
        return blk;
    }

    /// <summary>Index of the motivated block that base block <paramref name="i"/> of <paramref name="l"/> maps to.</summary>
    public static int MapBlock(int i, int l, int lm, int rule) => rule == 2 ? i : (i < l - 1 ? i : lm - 1);

    private static (long, long)[] Whole(long[] shape) => shape.Select(d => (0L, d)).ToArray();

    private List<MapEntryDesc>? BuildMap(ResolvedVariant b, ResolvedVariant m, LocationInfo? pairLocation)
    {
        var before = _diagnostics.Count;
        var map = new List<MapEntryDesc>();
        var motByName = m.Tensors.ToDictionary(t => t.Name);
        var widthLoc = m.Spec.HasWidth ? m.Spec.At("Width") : m.Spec.At("WidthMultiplier");
        var depthLoc = m.Spec.HasDepth ? m.Spec.At("Depth") : m.Spec.At("DepthMultiplier");
        var blockMap = new Dictionary<(string, int), int>();
        var stageSpecs = new Dictionary<string, (LayerSpec Spec, RLayer Base, RLayer Mot)>();
        var reportedBlockMismatch = false; // kernel, expansion, SE ratio: one report per pair (a variant-level value applies to every stage)

        for (var li = 0; li < b.Layers.Count; li++)
        {
            var bl = b.Layers[li]; var ml = m.Layers[li];
            if (bl.Kind == LayerKind.Conv2d && !bl.Depthwise && bl.Groups > 1 && (bl.In != ml.In || bl.Out != ml.Out))
                Report(DiagnosticDescriptors.Groups, bl.Spec.At("Groups"), bl.Spec.Display, bl.Groups,
                    $"base has {bl.In} -> {bl.Out} channels but motivated has {ml.In} -> {ml.Out}; a channel prefix does not keep channels in the same group");
            if (bl.Kind == LayerKind.PatchEmbedding && bl.Kernel != ml.Kernel)
                Report(DiagnosticDescriptors.PatchMismatch, m.Spec.Has("PatchSize") ? m.Spec.At("PatchSize") : b.Spec.At("PatchSize"), bl.Spec.Display, b.Name, bl.Kernel, m.Name, ml.Kernel);
            if (bl.Kind != LayerKind.Stage) continue;
            var stage = bl.Spec.Name!;
            stageSpecs[stage] = (bl.Spec, bl, ml);
            var rule = DepthRule(bl.Spec);
            int l = bl.Blocks.Count, lm = ml.Blocks.Count;
            if (l > lm)
            {
                Report(DiagnosticDescriptors.BaseLarger, depthLoc, stage, b.Name, $"[{l} blocks]", stage, m.Name, $"[{lm} blocks]");
                continue;
            }
            var isMb = !bl.Spec.HasBlockType && bl.Spec.Block == 2;
            var isEnc = !bl.Spec.HasBlockType && bl.Spec.Block == 3;
            for (var i = 0; i < l; i++)
            {
                var j = MapBlock(i, l, lm, rule);
                blockMap[(stage, i)] = j;
                var bb = bl.Blocks[i]; var mb = ml.Blocks[j];
                var bn = $"{stage}.{bl.Spec.BlockPrefix}{i}"; var mn = $"{stage}.{bl.Spec.BlockPrefix}{j}";
                if (reportedBlockMismatch) break;
                if (isMb && (bb.Kernel != mb.Kernel || bb.Expansion != mb.Expansion))
                {
                    reportedBlockMismatch = true;
                    var what = bb.Kernel != mb.Kernel ? "kernel" : "expansion";
                    var arg = what == "kernel" ? "Kernels" : "Expansions";
                    Report(DiagnosticDescriptors.KernelOrExpansionMismatch, m.Spec.Has(arg) ? m.Spec.At(arg) : b.Spec.At(arg), stage, what,
                        b.Name, what == "kernel" ? bb.Kernel : bb.Expansion, m.Name, what == "kernel" ? mb.Kernel : mb.Expansion);
                    break;
                }
                if (isMb && bb.SERatio != mb.SERatio)
                {
                    reportedBlockMismatch = true;
                    Report(DiagnosticDescriptors.SERatioMismatch, m.Spec.Has("SERatio") ? m.Spec.At("SERatio") : b.Spec.At("SERatio"), stage, b.Name, Num(bb.SERatio), m.Name, Num(mb.SERatio));
                    break;
                }
                if (isEnc && (bb.Heads > mb.Heads || bb.In / bb.Heads > mb.In / mb.Heads))
                {
                    Report(DiagnosticDescriptors.BaseLarger, m.Spec.Has("Heads") ? m.Spec.At("Heads") : widthLoc, bn + ".self_attention", b.Name, $"[{bb.Heads} heads x {bb.In / bb.Heads}]", mn + ".self_attention", m.Name, $"[{mb.Heads} heads x {mb.In / mb.Heads}]");
                    break;
                }
                if (bb.Stride != mb.Stride)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "strides", bb.Stride, mb.Stride);
                else if (bb.Shortcut != mb.Shortcut)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "shortcuts", bb.Shortcut, mb.Shortcut);
                else if (bb.Residual != mb.Residual)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "residual connections", bb.Residual, mb.Residual);
                else if (bb.Shortcut == ShortcutKind.A && (bb.In != mb.In || bb.Out != mb.Out))
                    Report(DiagnosticDescriptors.OptionAWidth, bl.Spec.At("Shortcut"), stage, bb.Out - bb.In, b.Name, mb.Out - mb.In, m.Name);
                else
                    for (var k = 0; k < bb.Convs.Count && k < mb.Convs.Count; k++)
                        if (bb.Convs[k].Groups > 1 && (bb.Convs[k].In != mb.Convs[k].In || bb.Convs[k].Out != mb.Convs[k].Out))
                        {
                            var spec = _blocks.Values.SelectMany(x => x.Layers).FirstOrDefault(x => x.Name == bb.Convs[k].Name);
                            Report(DiagnosticDescriptors.Groups, spec?.At("Groups") ?? bl.Spec.Location, $"{bn}.{bb.Convs[k].Name}", bb.Convs[k].Groups,
                                $"base has {bb.Convs[k].In} -> {bb.Convs[k].Out} channels but motivated has {mb.Convs[k].In} -> {mb.Convs[k].Out}; a channel prefix does not keep channels in the same group");
                            break;
                        }
            }
        }
        if (_diagnostics.Count > before) return null;

        var reportedLarger = false;
        foreach (var t in b.Tensors)
        {
            string name;
            RBlock? bb = null, mb = null;
            if (t.Stage is null) name = t.Name;
            else
            {
                var (spec, bl, ml) = stageSpecs[t.Stage];
                var j = blockMap[(t.Stage, t.Block)];
                name = $"{t.Stage}.{spec.BlockPrefix}{j}.{t.Local}";
                bb = bl.Blocks[t.Block]; mb = ml.Blocks[j];
            }
            var mshape = motByName.TryGetValue(name, out var mt) ? mt.Shape : Array.Empty<long>();
            if (mt is not null && !reportedLarger && (mt.Shape.Length != t.Shape.Length || t.Shape.Where((d, k) => d > mt.Shape[k]).Any()))
            {
                Report(DiagnosticDescriptors.BaseLarger, widthLoc, t.Name, b.Name, MapChecker.Shape(t.Shape), name, m.Name, MapChecker.Shape(mt.Shape));
                reportedLarger = true;
            }
            var entry = new MapEntryDesc(t.Name, name, t.IsBuffer, t.Shape, mshape, Whole(t.Shape));
            if (bb is not null && mb is not null && bb.Heads > 0 && (bb.In != mb.In || bb.Heads != mb.Heads))
                entry.Pieces = HeadPieces(t.Local, bb.In, bb.Heads, mb.In, mb.Heads);
            map.Add(entry);
        }
        if (_diagnostics.Count > before) return null;

        // The proof: check the built map independently against both variants' tensor lists.
        foreach (var p in MapChecker.Check(b.Name, m.Name, b.Tensors, m.Tensors, map))
            Report(p.Descriptor, pairLocation, p.Args);
        return _diagnostics.Count > before ? null : map;
    }

    /// <summary>
    /// Head-aware pieces of an attention tensor: head h of the base (rows/columns [h dh_b, (h+1) dh_b) of the q, k or v
    /// block) goes to [h dh_m, h dh_m + dh_b) of the same block of the motivated tensor; input features by prefix.
    /// Null for tensors that are plain prefixes (layer norms, out_proj.bias, MLP).
    /// </summary>
    public static List<((long, long)[], (long, long)[])>? HeadPieces(string local, long db, long hb, long dm, long hm)
    {
        long dhb = db / hb, dhm = dm / hm;
        var pieces = new List<((long, long)[], (long, long)[])>();
        switch (local)
        {
            case "self_attention.in_proj_weight":
            case "self_attention.in_proj_bias":
                var weight = local.EndsWith("weight", StringComparison.Ordinal);
                for (var j = 0; j < 3; j++)
                    for (var h = 0; h < hb; h++)
                    {
                        var br = (j * db + h * dhb, dhb); var mr = (j * dm + h * dhm, dhb);
                        pieces.Add(weight ? (new[] { br, (0L, db) }, new[] { mr, (0L, db) }) : (new[] { br }, new[] { mr }));
                    }
                return pieces;
            case "self_attention.out_proj.weight":
                for (var h = 0; h < hb; h++)
                    pieces.Add((new[] { (0L, db), (h * dhb, dhb) }, new[] { (0L, db), (h * dhm, dhb) }));
                return pieces;
            default:
                return null;
        }
    }
}
