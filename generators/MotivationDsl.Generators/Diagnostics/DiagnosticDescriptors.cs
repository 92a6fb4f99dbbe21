using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace MotivationDsl.Generators;

/// <summary>Every diagnostic the generator reports. IDs are stable; docs/diagnostics.md documents each one.</summary>
public static class DiagnosticDescriptors
{
    private const string Category = "MotivationDsl";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(id));

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinks.For(id));

    public static readonly DiagnosticDescriptor NotPartial = Error("MOT001",
        "Scalable model must be a partial class",
        "'{0}' must be declared as a 'partial class' to be a [ScalableModel]");

    public static readonly DiagnosticDescriptor NestedOrGeneric = Error("MOT002",
        "Scalable model must be a top-level, non-generic class",
        "'{0}' is {1}; a [ScalableModel] must be a non-generic class declared directly in a namespace");

    public static readonly DiagnosticDescriptor LayersInSeveralDeclarations = Error("MOT003",
        "Layers declared on several partial declarations",
        "Layer '{0}' of '{1}' is declared on another partial declaration than the first layers; declare all layers of a model or block on one declaration so their order is defined");

    public static readonly DiagnosticDescriptor MissingModelArgument = Error("MOT004",
        "Missing ScalableModel argument",
        "[ScalableModel] on '{0}' must set {1}");

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("MOT005",
        "Invalid input shape",
        "InputShape of '{0}' is {1}; it must be three positive numbers (channels, height, width)");

    public static readonly DiagnosticDescriptor UnknownVariant = Error("MOT006",
        "Unknown variant",
        "{0} variant '{1}' is not declared on '{2}'; declared variants: {3}");

    public static readonly DiagnosticDescriptor DuplicateVariant = Error("MOT007",
        "Duplicate variant name",
        "Variant '{0}' is declared more than once on '{1}'");

    public static readonly DiagnosticDescriptor SameVariant = Error("MOT008",
        "Base and motivated are the same variant",
        "Base and Motivated of '{0}' are both '{1}'; the motivated model must be a larger variant");

    public static readonly DiagnosticDescriptor InvalidName = Error("MOT009",
        "Invalid name",
        "{0} name '{1}' is not usable: {2}");

    public static readonly DiagnosticDescriptor DuplicateLayer = Error("MOT010",
        "Duplicate layer name",
        "Layer name '{0}' is used more than once in '{1}'");

    public static readonly DiagnosticDescriptor StageCountMismatch = Error("MOT011",
        "Stage missing in a variant",
        "{0} of variant '{1}' has {2} entries but '{3}' has {4} stages ({5})");

    public static readonly DiagnosticDescriptor NotWhole = Error("MOT012",
        "Scaled size is not a positive whole number",
        "Variant '{0}': {1} of '{2}' is {3} x {4} = {5}; it must be a positive whole number");

    public static readonly DiagnosticDescriptor BaseLarger = Error("MOT013",
        "Base larger than motivated",
        "'{0}' of base '{1}' has shape {2} but '{3}' of motivated '{4}' has shape {5}; the base must fit inside the motivated model in every dimension");

    public static readonly DiagnosticDescriptor Unsupported = Error("MOT014",
        "Unsupported layer or argument",
        "Layer '{0}': {1}");

    public static readonly DiagnosticDescriptor SpatialCollapse = Error("MOT015",
        "Spatial size collapses",
        "Variant '{0}': layer '{1}' turns input shape {2} into {3}; the spatial size must stay positive");

    public static readonly DiagnosticDescriptor LinearNeedsFlatten = Error("MOT016",
        "Linear layer after a 4-D tensor",
        "Linear layer '{0}' receives shape {1}; add [Flatten] (after [GlobalAvgPool]) before it");

    public static readonly DiagnosticDescriptor NotABlock = Error("MOT017",
        "Block type is not a scalable block",
        "Stage '{0}' uses '{1}', which is not a partial class marked [ScalableBlock] with layer attributes");

    public static readonly DiagnosticDescriptor LayerMismatch = Error("MOT018",
        "Mapped layers differ between variants",
        "'{0}' of base '{1}' maps to '{2}' of motivated '{3}' but their {4} differ ({5} vs {6})");

    public static readonly DiagnosticDescriptor OptionAWidth = Error("MOT019",
        "Option A shortcut with width scaling",
        "Stage '{0}': the parameter-free option A shortcut pads {1} channels in '{2}' but {3} channels in '{4}', which moves base channels away from the prefix the weights map uses; use Shortcut = Shortcut.B or the same stage widths");

    public static readonly DiagnosticDescriptor Groups = Error("MOT020",
        "Grouped convolution cannot be mapped",
        "Convolution '{0}' with {1} groups: {2}");

    public static readonly DiagnosticDescriptor MapNotCovered = Error("MOT021",
        "Base tensor not covered by the weights map",
        "Weights map {0} -> {1}: base {2} '{3}' with shape {4} is not covered");

    public static readonly DiagnosticDescriptor MapCoveredTwice = Error("MOT022",
        "Base tensor covered twice by the weights map",
        "Weights map {0} -> {1}: base tensor '{2}' with shape {3} is covered {4} times");

    public static readonly DiagnosticDescriptor MapRegionOutside = Error("MOT023",
        "Region outside the motivated tensor",
        "Weights map {0} -> {1}: base '{2}' with shape {3} maps to region {4} which does not fit inside '{5}' with shape {6}");

    public static readonly DiagnosticDescriptor MapTarget = Error("MOT024",
        "Weights map target missing or of another kind",
        "Weights map {0} -> {1}: base '{2}' with shape {3} maps to '{4}' with shape {5}, {6}");

    public static readonly DiagnosticDescriptor MapOverlap = Error("MOT025",
        "Two base tensors share a motivated region",
        "Weights map {0} -> {1}: base '{2}' with shape {3} and base '{4}' with shape {5} overlap inside '{6}' with shape {7}");

    public static readonly DiagnosticDescriptor OutputShape = Error("MOT026",
        "Model output is not [classes]",
        "Variant '{0}' of '{1}' outputs shape {2}; the last layer must output [{3}] (end with a Linear classifier)");

    public static readonly DiagnosticDescriptor InvalidValue = Error("MOT027",
        "Invalid argument value",
        "Layer '{0}': {1} is {2}; {3}");

    public static readonly DiagnosticDescriptor ReservedName = Error("MOT028",
        "Name conflicts with generated code",
        "{0} name '{1}' conflicts with a member the generator emits on '{2}'; choose another name");

    public static readonly DiagnosticDescriptor HeadsNotDividing = Error("MOT029",
        "Attention heads do not divide the width",
        "Variant '{0}': stage '{1}' has {2} attention heads, which do not divide its width {3}");

    public static readonly DiagnosticDescriptor KernelOrExpansionMismatch = Error("MOT030",
        "Kernel or expansion differs between base and motivated",
        "Stage '{0}': the {1} differs between base '{2}' ({3}) and motivated '{4}' ({5}); mapped blocks need the same kernel and expansion ratio");

    public static readonly DiagnosticDescriptor SERatioMismatch = Error("MOT031",
        "Squeeze-and-excitation ratio differs between base and motivated",
        "Stage '{0}': the squeeze-and-excitation ratio differs between base '{1}' ({2}) and motivated '{3}' ({4}); mapped blocks need the same ratio");

    public static readonly DiagnosticDescriptor PatchMismatch = Error("MOT032",
        "Patch size differs between base and motivated",
        "Layer '{0}': the patch size differs between base '{1}' ({2}) and motivated '{3}' ({4}); the patch embedding and the token sequence must match for the weights map");

    public static readonly DiagnosticDescriptor ExtraBlockNotIdentity = Error("MOT033",
        "Extra block cannot start as an identity",
        "Function-preserving growth {0} -> {1}: extra block '{2}' cannot start as an identity: {3}");

    public static readonly DiagnosticDescriptor GrowthNotPreserving = Error("MOT034",
        "Function-preserving growth cannot hold",
        "Function-preserving growth {0} -> {1}: '{2}' cannot start as the base's function: {3}");

    public static readonly DiagnosticDescriptor SameStructure = Warning("MOT035",
        "Two variants have the same structure",
        "Variants '{0}' and '{1}' of '{2}' have the same tensors and sizes; one of them is probably not the size you meant");

    public static readonly DiagnosticDescriptor TiedHeadTarget = Error("MOT040",
        "Tied language-model head has no matching embedding",
        "Language-model head '{0}' is tied to '{1}', but {2}");

    public static readonly DiagnosticDescriptor TokenSizesDiffer = Error("MOT041",
        "Paired language models differ in vocabulary or context length",
        "Variants '{0}' and '{1}' have different {2} ({3} and {4}); a weights map needs the same {2} in both, since the token rows and position rows of one are not those of the other");

    public static readonly DiagnosticDescriptor TieNotKept = Error("MOT042",
        "Weights map does not keep a tied weight tied",
        "Weights map {0} -> {1}: '{2}' is tied to '{3}' in {4}, but {5}");

    public static readonly DiagnosticDescriptor BlockRoleChanged = Error("MOT099",
        "The weights map moves a block into another role",
        "'{0}' of base '{1}' maps to '{2}' of motivated '{3}', a block with another role: the base block is its stage's first (its input is the stage's input, {4} channels) but the motivated block follows another block (its input is {5} channels of that block's output); give the base at least 2 blocks or map first blocks to first blocks (DepthMap = DepthMap.FirstL)");

    public static readonly DiagnosticDescriptor FlattenNeedsFixedSize = Error("MOT060",
        "Flatten inside a block needs a fixed spatial size",
        "Flatten in block '{0}' receives {1}, whose spatial size follows the model's input size; a block's module is built from channel counts only, so put an AdaptiveAvgPool2d, AdaptiveMaxPool2d or GlobalAvgPool before it in the block, or flatten at model level");

    public static readonly DiagnosticDescriptor ResidualShapeChange = Error("MOT061",
        "Residual block changes the shape of features",
        "Block '{0}' is residual but turns {1} into {2}; a shortcut that changes the shape exists for images [C, H, W] only, so set Residual = false on the [ScalableBlock] or keep the shape");

    public static readonly DiagnosticDescriptor JoinShapes = Error("MOT062",
        "Branches cannot be joined",
        "[Join] in block '{0}': {1}");

    public static readonly DiagnosticDescriptor ConcatNotPrefix = Error("MOT063",
        "Concatenated channels are not a prefix of the motivated block's",
        "Block '{0}' of base '{1}' outputs concatenated channels {2} but block '{3}' of motivated '{4}' outputs {5}: a later branch's base channels do not start where they start in the motivated block, so what reads the block's output cannot map as a prefix; end the block with a Conv2d or Linear after the [Join] (its weights map branch by branch), or widen only the last branch");

    public static readonly DiagnosticDescriptor LayerWidthTarget = Error("MOT064",
        "LayerWidth names a layer without its own width",
        "[LayerWidth] for layer '{0}' in variant '{1}': the layer {2}; LayerWidth sets the output channels of a model-level Conv2d (not depthwise), hidden Linear or PatchEmbedding");

    public static readonly DiagnosticDescriptor KernelNeedsSamePadding = Error("MOT065",
        "A kernel per variant needs 'same' padding",
        "Kernels of variant '{0}' on stage '{1}': convolution '{2}' has kernel {3} and padding {4}; a kernel per variant needs odd kernels with padding kernel / 2 on every kxk convolution of the block, so that the output size does not depend on the kernel and a smaller kernel sits in the centre of a larger one");

    public static readonly DiagnosticDescriptor KernelLargerInBase = Error("MOT066",
        "Base kernel larger than motivated kernel",
        "Block '{0}' of base '{1}' has {2}x{2} kernels but block '{3}' of motivated '{4}' has {5}x{5}: a base kernel is mapped into the centre of the motivated one, so it cannot be larger");

    public static readonly DiagnosticDescriptor KernelNothingToApply = Error("MOT067",
        "Kernels cannot apply to the stage's blocks",
        "Kernels of variant '{0}' on stage '{1}': {2}; a kernel per variant replaces the one kernel size of the kxk (k > 1) convolutions of a block without branches");

    public static readonly DiagnosticDescriptor InternalError = Error("MOT999",
        "MotivationDsl generator internal error",
        "The MotivationDsl generator failed on '{0}': {1}. Please report this as a bug.");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
    {
        NotPartial, NestedOrGeneric, LayersInSeveralDeclarations, MissingModelArgument, InvalidInputShape, UnknownVariant,
        DuplicateVariant, SameVariant, InvalidName, DuplicateLayer, StageCountMismatch, NotWhole, BaseLarger, Unsupported,
        SpatialCollapse, LinearNeedsFlatten, NotABlock, LayerMismatch, OptionAWidth, Groups, MapNotCovered, MapCoveredTwice,
        MapRegionOutside, MapTarget, MapOverlap, OutputShape, InvalidValue, ReservedName, HeadsNotDividing,
        KernelOrExpansionMismatch, SERatioMismatch, PatchMismatch, ExtraBlockNotIdentity, GrowthNotPreserving, SameStructure,
        TiedHeadTarget, TokenSizesDiffer, TieNotKept, BlockRoleChanged,
        FlattenNeedsFixedSize, ResidualShapeChange, JoinShapes, ConcatNotPrefix, LayerWidthTarget,
        KernelNeedsSamePadding, KernelLargerInBase, KernelNothingToApply,
        InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor? ById(string id) => s_byId.TryGetValue(id, out var d) ? d : null;
}
