using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace MotivationDsl.Generators;

/// <summary>
/// Validation: the declaration's arguments, names and layers, before any variant is resolved. Reads the spec records
/// (the model and the compilation's [ScalableBlock]s) and produces diagnostics; resolution starts only when there are none.
/// </summary>
internal sealed class ModelValidator : IDiagnosticReporter
{
    private readonly ModelSpec _spec;
    private readonly IReadOnlyDictionary<string, BlockSpec> _blocks;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    private ModelValidator(ModelSpec spec, IReadOnlyDictionary<string, BlockSpec> blocks) { _spec = spec; _blocks = blocks; }

    /// <summary>The diagnostics of <paramref name="spec"/>; adds the [ScalableBlock]s its stages use to <paramref name="userBlocks"/>.</summary>
    public static List<DiagnosticInfo> Validate(ModelSpec spec, IReadOnlyDictionary<string, BlockSpec> blocks, List<BlockSpec> userBlocks)
    {
        var validator = new ModelValidator(spec, blocks);
        validator.Run(userBlocks);
        return validator._diagnostics;
    }

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo? location, params object?[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(d, location ?? _spec.Location ?? _spec.ClassLocation, args));

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

    /// <summary>The declared variant names as messages list them.</summary>
    public static string DeclaredVariants(ModelSpec spec)
    {
        var declared = string.Join(", ", spec.Variants.Select(v => v.Name ?? "null"));
        return declared.Length == 0 ? "(none)" : declared;
    }

    private void Run(List<BlockSpec> userBlocks)
    {
        var name = _spec.ClassName;
        // [ScalableModel] arguments.
        var missing = new List<string>();
        if (!_spec.HasInputShape) missing.Add("InputShape");
        if (!_spec.HasClasses) missing.Add("Classes");
        if (_spec.Base is null) missing.Add("Base");
        if (_spec.Motivated is null) missing.Add("Motivated");
        if (_spec.Layers.Skip(1).FirstOrDefault(l => l.Kind == LayerKind.TokenEmbedding) is { } misplaced)
            Report(DiagnosticDescriptors.Unsupported, misplaced.Location, misplaced.Display, "TokenEmbedding reads the token ids, so it must be the model's first layer");
        else if (TokenEmbeddingLayer.IsLanguageModel(_spec) && (_spec.Has("InputShape") || _spec.Has("Classes")))
            Report(DiagnosticDescriptors.Unsupported, _spec.At(_spec.Has("InputShape") ? "InputShape" : "Classes"), name,
                "a language model's input and output sizes are its TokenEmbedding's ContextLength and Vocabulary; remove InputShape and Classes");
        else if (missing.Count > 0) Report(DiagnosticDescriptors.MissingModelArgument, _spec.Location ?? _spec.ClassLocation, name, string.Join(", ", missing));
        if (_spec.HasInputShape && !TokenEmbeddingLayer.IsLanguageModel(_spec) && (_spec.InputShape.Count != 3 || _spec.InputShape.Any(v => v <= 0 || v > 1_000_000)))
            Report(DiagnosticDescriptors.InvalidInputShape, _spec.At("InputShape"), name, MapChecker.Shape(_spec.InputShape.ToArray()));
        if (_spec.HasClasses && !TokenEmbeddingLayer.IsLanguageModel(_spec) && (_spec.Classes <= 0 || _spec.Classes > 100_000_000))
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("Classes"), name, "Classes", _spec.Classes, "it must be a positive number");
        if (_spec.InitName is null)
            Report(DiagnosticDescriptors.InvalidValue, _spec.At("Init"), name, "Init", _spec.Init,
                "use " + string.Join(" or ", _spec.InitMembers.Select(n => "WeightInit." + n)));
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
        var declared = DeclaredVariants(_spec);
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
                if (!userBlocks.Contains(block))
                {
                    userBlocks.Add(block);
                    _diagnostics.AddRange(block.Diagnostics);
                    ValidateLayers(block.Layers, block.ClassName, inBlock: true);
                    ValidateBlock(block);
                }
            }
            else Report(DiagnosticDescriptors.NotABlock, stage.At("block"), stage.Display, stage.BlockTypeDisplay ?? "null");
        }
        IgnoredArguments();
        ValidateLayerWidths(declared);
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
        string? branch = null; // names inside a [Branch] are keyed under it (b1.conv)
        foreach (var l in layers)
        {
            if (l.Kind == LayerKind.Join) branch = null;
            var named = l.Kind is LayerKind.Stage or LayerKind.SqueezeExcitation or LayerKind.Branch || ModelLayerKinds.Find(l.Kind)?.Named == true;
            if (l.Kind == LayerKind.Branch) branch = null;
            if (named)
            {
                if (string.IsNullOrEmpty(l.Name) || !IsPath(l.Name!, inBlock))
                    Report(DiagnosticDescriptors.InvalidName, l.At("name"), l.AttributeName, l.Name ?? "null", inBlock ? "a layer name inside a block must be a C# identifier (it is the state_dict key and the field name)" : "a layer name must be a C# identifier or a dotted state_dict path that starts with one (features.0.0)");
                else if (ReservedLayerNames.Contains(l.Name!.Split('.')[0]) || l.Name!.Split('.')[0] == owner)
                    Report(DiagnosticDescriptors.ReservedName, l.At("name"), "Layer", l.Name, owner);
                else if (!names.Add(branch is null ? l.Name! : branch + "." + l.Name))
                    Report(DiagnosticDescriptors.DuplicateLayer, l.At("name"), l.Name, owner);
            }
            if (l.Kind == LayerKind.Branch) branch = l.Name;
            if (named && !inBlock && l.Name is { } path && layers.Any(o => o.Name is { } on && on.StartsWith(path + ".", StringComparison.Ordinal)))
                Report(DiagnosticDescriptors.InvalidName, l.At("name"), l.AttributeName, path,
                    "another layer's name continues it (" + layers.First(o => o.Name is { } on && on.StartsWith(path + ".", StringComparison.Ordinal)).Name + "), so it would be both a layer and a container");
            switch (l.Kind)
            {
                case LayerKind.Unknown:
                    Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, "this layer attribute is not supported by the generator");
                    break;
                default:
                    if (ModelLayerKinds.Find(l.Kind) is not { } layerKind) break;
                    if (inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "this layer is not supported inside a [ScalableBlock]");
                    else layerKind.Validate(this, l);
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
                    else if (l.HasOut && l.Out > MaxSize) Invalid(l, "outChannels", l.Out, TooLarge);
                    if (l.Kernel <= 0 || l.Kernel > 1024) Invalid(l, "Kernel", l.Kernel, "it must be a positive number");
                    if (l.Stride <= 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be a positive number");
                    if (l.Padding < 0 || l.Padding > 1024) Invalid(l, "Padding", l.Padding, "it must not be negative");
                    if (l.Groups <= 0 || l.Groups > 1_000_000) Invalid(l, "Groups", l.Groups, "it must be a positive number");
                    if (inBlock && (l.Expansion <= 0 || l.Expansion > 1024)) Invalid(l, "Expansion", l.Expansion, "it must be a positive number");
                    break;
                case LayerKind.LayerNorm:
                    if (!(l.Eps > 0) || double.IsInfinity(l.Eps)) Invalid(l, "Eps", l.Eps, "it must be positive");
                    break;
                case LayerKind.ReLU:
                case LayerKind.SiLU:
                case LayerKind.GELU:
                    break;
                case LayerKind.Linear:
                    if (inBlock && l.HasOut)
                        Report(DiagnosticDescriptors.Unsupported, l.At("outFeatures"), l.Display, "inside a [ScalableBlock] a Linear takes its output features from the stage: use Linear(name) with Expansion");
                    if (!inBlock && l.Has("Expansion"))
                        Report(DiagnosticDescriptors.Unsupported, l.At("Expansion"), l.Display, "Expansion only applies inside a [ScalableBlock]");
                    if (inBlock && (l.Expansion <= 0 || l.Expansion > 1024)) Invalid(l, "Expansion", l.Expansion, "it must be a positive number");
                    if (l.HasOut && l.Out <= 0) Invalid(l, "outFeatures", l.Out, "it must be positive");
                    else if (l.HasOut && l.Out > MaxSize) Invalid(l, "outFeatures", l.Out, TooLarge);
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
                    if (l.Kernel <= 0 || l.Kernel > 1024) Invalid(l, "kernel", l.Kernel, "it must be a positive number");
                    if (l.Stride < 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be positive (or 0 for the kernel size)");
                    if (l.Padding < 0 || l.Padding * 2 > l.Kernel) Invalid(l, "Padding", l.Padding, "it must be between 0 and half the kernel");
                    break;
                case LayerKind.AdaptiveAvgPool2d:
                case LayerKind.AdaptiveMaxPool2d:
                    if (l.OutputSize <= 0 || l.OutputSize > 1024) Invalid(l, "outputSize", l.OutputSize, "it must be a positive number");
                    break;
                case LayerKind.GlobalAvgPool:
                case LayerKind.Flatten:
                    break;
                case LayerKind.Branch:
                case LayerKind.Join:
                    if (!inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"{l.AttributeName} only applies inside a [ScalableBlock]");
                    if (l.Kind == LayerKind.Join && l.Join is not (JoinKind.Add or JoinKind.Concat)) Invalid(l, "mode", (int)l.Join, "use JoinMode.Add or JoinMode.Concat");
                    break;
                case LayerKind.SqueezeExcitation:
                    if (!inBlock) Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "SqueezeExcitation only applies inside a [ScalableBlock]");
                    if (!(l.SERatio > 0 && l.SERatio <= 1)) Invalid(l, "Ratio", l.SERatio, "it must be in (0, 1]");
                    if (l.SEActivation is not (ActivationKind.ReLU or ActivationKind.SiLU or ActivationKind.GELU))
                        Invalid(l, "Activation", (int)l.SEActivation, "use SqueezeActivation.ReLU, SqueezeActivation.SiLU or SqueezeActivation.GELU");
                    break;
                case LayerKind.Stage:
                    if (inBlock) { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "a Stage cannot be nested inside a [ScalableBlock]"); break; }
                    if (l.Channels <= 0) Invalid(l, "channels", l.Channels, "it must be positive");
                    else if (l.Channels > MaxSize) Invalid(l, "channels", l.Channels, TooLarge);
                    if (l.Blocks <= 0) Invalid(l, "Blocks", l.Blocks, "it must be positive");
                    if (l.Stride <= 0 || l.Stride > 1024) Invalid(l, "Stride", l.Stride, "it must be a positive number");
                    if (l.Shortcut is < 0 or > 1) Invalid(l, "Shortcut", l.Shortcut, "use Shortcut.A or Shortcut.B");
                    if (l.DepthMap is < 0 or > 2) Invalid(l, "DepthMap", l.DepthMap, "use DepthMap.LastToLast or DepthMap.FirstL");
                    if (l.Growth is < 0 or > 2) Invalid(l, "Growth", l.Growth, "use Growth.Paper or Growth.FunctionPreserving");
                    if (!l.HasBlockType && !BlockKinds.IsBuiltIn(l.Block)) Invalid(l, "block", l.Block, "use Block.Basic, Block.Bottleneck, Block.MBConv, Block.Encoder, Block.CausalDecoder or typeof(YourBlock)");
                    if (l.BlockPrefix.Length > 0 && !IsIdentifier(l.BlockPrefix + "0")) Invalid(l, "BlockPrefix", l.BlockPrefix, "the block keys {prefix}{i} must be identifiers");
                    break;
            }
        }
    }

    /// <summary>Arguments that would be silently ignored: each is reported where it is written.</summary>
    private void IgnoredArguments()
    {
        var stages = _spec.Layers.Where(l => l.Kind == LayerKind.Stage).ToList();
        var kernelLayoutsChecked = false;
        foreach (var v in _spec.Variants)
        {
            if (v.HasDepth && v.Has("DepthMultiplier"))
                Report(DiagnosticDescriptors.Unsupported, v.At("DepthMultiplier"), v.Name,
                    "DepthMultiplier is ignored next to Depth, which sets every stage's block count; remove one of them");
            if (v.HasWidth && v.Has("WidthMultiplier"))
                Report(DiagnosticDescriptors.Unsupported, v.At("WidthMultiplier"), v.Name,
                    "WidthMultiplier would scale the model-level layers but not the stages, whose channels Width sets; remove one of them");
            foreach (var arg in new[] { "Vocabulary", "ContextLength" })
                if (v.Has(arg) && !TokenEmbeddingLayer.IsLanguageModel(_spec))
                    Report(DiagnosticDescriptors.Unsupported, v.At(arg), v.Name,
                        $"{arg} applies to language models (a model whose first layer is a TokenEmbedding)");
            if (v.HasKernels && stages.FirstOrDefault(s => !BlockKinds.Of(s).TakesVariantKernels) is { } other)
                Report(DiagnosticDescriptors.Unsupported, v.At("Kernels"), v.Name,
                    $"Kernels applies to convolution stages (MBConv, Basic, Bottleneck, [ScalableBlock]), and stage '{other.Display}' is made of {BlockKinds.Of(other).Id} blocks");
            else if (v.HasKernels)
            {
                for (var i = 0; i < stages.Count && i < v.Kernels.Count; i++)
                    if (BlockKinds.Of(stages[i]) is ConvBlockKind conv && (stages[i].BlockKind != BlockKindId.User || _blocks.ContainsKey(stages[i].BlockType ?? ""))
                        && !conv.CheckVariantKernels(this, _blocks, stages[i], v, v.Kernels[i], checkLayout: !kernelLayoutsChecked))
                        break;
                kernelLayoutsChecked = true;
            }
        }
        foreach (var s in stages.Where(s => s.Has("MlpDim") && s.BlockKind == BlockKindId.CausalDecoder))
            Report(DiagnosticDescriptors.Unsupported, s.At("MlpDim"), s.Display, "a CausalDecoder block's MLP is four times its width (GPT-2's); remove MlpDim");
        foreach (var s in stages.Where(s => s.Has("Stride") && s.Stride != 1))
        {
            // A stride no layer takes would be dropped without a word (the stage's output keeps its size).
            if (BlockKinds.Of(s).TakesTokens)
                Report(DiagnosticDescriptors.Unsupported, s.At("Stride"), s.Display,
                    $"Stride applies to image stages; {BlockKinds.Of(s).Id} blocks run on a token sequence, which they do not subsample");
            else if (s.BlockKind == BlockKindId.User && s.BlockType is { } bt && _blocks.TryGetValue(bt, out var block)
                     && !block.Residual && !block.Layers.Any(l => l.StageStride))
                Report(DiagnosticDescriptors.Unsupported, s.At("Stride"), s.Display,
                    $"Stride would be ignored: no layer of [ScalableBlock] {block.ClassName} takes the stage's stride (StageStride = true on a Conv2d) and the block has no residual shortcut that would subsample");
        }
        foreach (var s in stages)
            if (s.Has("Kernel") && !BlockKinds.Of(s).UsesKernel)
                Report(DiagnosticDescriptors.Unsupported, s.At("Kernel"), s.Display,
                    $"Kernel applies to MBConv stages only; {BlockKinds.Of(s).Id} blocks set their kernels themselves");
    }

    private void ValidateBlock(BlockSpec block)
    {
        if (!block.Layers.Any(l => l.Kind is LayerKind.Conv2d or LayerKind.Linear))
            Report(DiagnosticDescriptors.Unsupported, block.Layers[0].Location, block.ClassName, "a [ScalableBlock] needs at least one Conv2d or Linear (the layers that take the stage's width)");
        if (BlockStep.WhyNotGrouped(block.Layers) is { } problem)
            Report(DiagnosticDescriptors.Unsupported, problem.Layer.Location, problem.Layer.Display, problem.Reason);
    }

    /// <summary>The largest channel or feature count accepted (larger sizes would overflow tensor element counts).</summary>
    internal const long MaxSize = 1_000_000;

    internal const string TooLarge = "it is too large: at most 1000000";

    private void Invalid(LayerSpec l, string arg, object value, string rule) =>
        Report(DiagnosticDescriptors.InvalidValue, l.At(arg), l.Display, arg, value, rule);

    /// <summary>Each [LayerWidth] names a declared variant and a model-level layer with a width, once, with a valid width.</summary>
    private void ValidateLayerWidths(string declaredVariants)
    {
        var seen = new HashSet<(string?, string?)>();
        foreach (var lw in _spec.LayerWidths)
        {
            var layer = _spec.Layers.FirstOrDefault(l => l.Name == lw.Layer);
            if (!_spec.Variants.Any(v => v.Name == lw.Variant))
                Report(DiagnosticDescriptors.UnknownVariant, lw.Location, "LayerWidth", lw.Variant ?? "null", _spec.ClassName, declaredVariants);
            else if (layer is null)
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer ?? "null", lw.Variant, "is not a model-level layer of '" + _spec.ClassName + "'");
            else if (!HasWidth(layer))
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer, lw.Variant,
                    layer.Kind == LayerKind.Stage ? "is a stage, whose channels the variant's Width sets"
                    : layer.Kind == LayerKind.Linear ? "is the classifier, which outputs the class count"
                    : layer.Depthwise ? "is a depthwise convolution, which keeps its input's channels"
                    : "has no width of its own");
            else if (!seen.Add((lw.Variant, lw.Layer)))
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer, lw.Variant, "has its width set twice for this variant");
            else if (lw.Width <= 0 || lw.Width > MaxSize)
                Report(DiagnosticDescriptors.InvalidValue, lw.Location, "LayerWidth", "width", lw.Width, lw.Width <= 0 ? "it must be positive" : TooLarge);
        }
    }

    private static bool HasWidth(LayerSpec l) =>
        l.Kind is LayerKind.Conv2d && !l.Depthwise || l.Kind is LayerKind.PatchEmbedding || l.Kind is LayerKind.Linear && l.HasOut;
}
