using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>What a block made of a list of convolutions and batch norms looks like.</summary>
internal sealed record ConvBlockLayout(
    IReadOnlyList<LayerSpec> Layers, bool Residual, bool ReLUAfterAdd, string ShortcutName, string Summary, bool UserDeclared);

/// <summary>
/// The shared part of blocks that are a list of Conv2d / BatchNorm2d / activation layers with an optional residual
/// shortcut (option A: subsample and zero-pad, option B: 1x1 convolution and batch norm): Basic, Bottleneck, user blocks.
/// </summary>
internal abstract class ConvBlockKind : IBlockKind
{
    public abstract BlockKindId Id { get; }

    public bool UsesKernel => false;

    public bool TakesVariantKernels => true;

    public bool TakesStochasticDepth => false;

    public bool TakesTokens => false;

    public abstract string ModuleType(BuiltModel model, LayerSpec stage);

    /// <summary>The class name of a module written per model (<see cref="EmitModule"/>; user blocks).</summary>
    protected virtual string GeneratedClass(BuiltModel model, LayerSpec stage) =>
        throw new System.NotSupportedException(Id + " blocks are a runtime class");

    protected abstract ConvBlockLayout Layout(IReadOnlyDictionary<string, BlockSpec> blocks, LayerSpec stage);

    /// <summary>Images only, except user blocks, which may also run on features (a stage after a Flatten).</summary>
    public virtual string? WhyNotInput(int rank, string inShape) =>
        rank == 3 ? null : $"a Stage needs a [C, H, W] input but receives {inShape}";

    public BlockDraft? Resolve(ModelBuilder builder, BlockRequest r)
    {
        var stage = r.Stage;
        var layout = Layout(builder.Blocks, stage);
        var key = r.Key;
        var rv = r.Variant;
        long inC = r.InChannels, planes = r.Planes, stride = r.Stride, h = r.Height, w = r.Width;
        var blk = new BlockDraft { In = inC, Planes = planes, Stride = stride, InH = h, InW = w, Residual = layout.Residual };
        var shortcutKind = stage.Shortcut == 0 ? ShortcutKind.A : ShortcutKind.B;
        var body = new BlockBody(builder, r, blk, layout.UserDeclared);
        var layers = layout.Layers;
        if (builder.VariantKernels)
        {
            // Validation (CheckVariantKernels) has accepted the layout: one odd kernel size with padding kernel / 2.
            var k = r.Spec.HasKernels ? r.Spec.Kernels[r.StageIndex] : layers.First(FollowsKernel).Kernel;
            layers = layers.Select(l => FollowsKernel(l) ? l with { Kernel = k, Padding = k / 2 } : l).ToList();
            blk.Kernel = k;
        }
        foreach (var step in BlockStep.Of(layers))
            if (!step.Resolve(body)) return null;
        long c = body.C, bh = body.H, bw = body.W;
        blk.OutRank = body.Rank;
        blk.OutSegments = body.Segments;
        if (r.InRank != 3 || body.Rank != 3)
        {
            blk.Out = c; blk.OutH = bh; blk.OutW = bw;
            if (layout.Residual && (r.InRank != body.Rank || inC != c || stride != 1))
            {
                builder.Report(DiagnosticDescriptors.ResidualShapeChange, stage.Location, key, body.InShape, body.Shape);
                return null;
            }
            return blk;
        }
        if (bh <= 0 || bw <= 0)
        {
            builder.Report(DiagnosticDescriptors.SpatialCollapse, stage.Location, rv.Name, key, $"[{inC}, {h}, {w}]", $"[{c}, {bh}, {bw}]");
            return null;
        }
        blk.Out = c; blk.OutH = bh; blk.OutW = bw;
        if (layout.Residual && (stride != 1 || inC != c || bh != h || bw != w))
        {
            // The shortcut subsamples by the block's stride; its output must match the body's.
            var sh = (h - 1) / stride + 1; var sw = (w - 1) / stride + 1;
            if (sh != bh || sw != bw)
            {
                builder.Report(DiagnosticDescriptors.Unsupported, stage.Location, key, $"the block body outputs [{c}, {bh}, {bw}] but a stride-{stride} shortcut outputs [{c}, {sh}, {sw}]");
                return null;
            }
            if (shortcutKind == ShortcutKind.A && c < inC)
            {
                builder.Report(DiagnosticDescriptors.Unsupported, stage.At("Shortcut"), key, $"option A can only add channels but the block goes from {inC} to {c} channels; use Shortcut.B");
                return null;
            }
            blk.Shortcut = shortcutKind;
            if (shortcutKind == ShortcutKind.B)
            {
                builder.AddConv(rv, key, stage.Name, r.Index, layout.ShortcutName + ".0", inC, c, 1, 1, false);
                builder.Mac(rv, c * bh * bw * inC);
                blk.Convs.Add((layout.ShortcutName + ".0", inC, c, 1, stride));
                builder.AddBn(rv, key, stage.Name, r.Index, layout.ShortcutName + ".1", c);
            }
        }
        return blk;
    }

    /// <summary>The convolutions a variant's <c>Kernels</c> sets: every Conv2d larger than 1x1 (padding kernel / 2).</summary>
    public static bool FollowsKernel(LayerSpec l) => l.Kind == LayerKind.Conv2d && l.Kernel > 1;

    /// <summary>The largest kernel a variant may set (the tensors' sizes stay far from overflowing).</summary>
    public const long MaxKernel = 999;

    /// <summary>
    /// Whether variant <paramref name="v"/>'s <c>Kernels</c> can set the kernel of <paramref name="stage"/>'s blocks: an odd
    /// kernel, blocks without branches whose kxk convolutions have one kernel size, each with padding kernel / 2 (then
    /// the output size does not depend on the kernel, and a smaller kernel is the centre of a larger one). False after
    /// reporting (MOT027, MOT065, MOT067). The layout is variant independent: <paramref name="checkLayout"/> for one variant.
    /// </summary>
    public bool CheckVariantKernels(IDiagnosticReporter builder, IReadOnlyDictionary<string, BlockSpec> blocks, LayerSpec stage, VariantSpec v, long kernel, bool checkLayout)
    {
        if (kernel <= 0 || kernel % 2 == 0 || kernel > MaxKernel)
        {
            builder.Report(DiagnosticDescriptors.InvalidValue, v.At("Kernels"), stage.Display, "Kernels", kernel,
                $"a kernel per variant must be odd, positive and at most {MaxKernel}: a smaller kernel is mapped into the centre of a larger one, (k_m - k_b) / 2 from each edge");
            return false;
        }
        if (!checkLayout) return true;
        var layout = Layout(blocks, stage);
        var what = layout.UserDeclared ? "[ScalableBlock] " + blocks[stage.BlockType!].ClassName : Id + " blocks";
        var convs = layout.Layers.Where(FollowsKernel).ToList();
        var sizes = convs.Select(c => c.Kernel).Distinct().ToList();
        var why = layout.Layers.Any(l => l.Kind == LayerKind.Branch) ? $"{what} has branches ([Branch])"
            : convs.Count == 0 ? $"{what} has no convolution larger than 1x1"
            : sizes.Count > 1 ? $"{what} has convolutions of kernels {string.Join(" and ", sizes)}"
            : null;
        if (why is not null)
        {
            builder.Report(DiagnosticDescriptors.KernelNothingToApply, v.At("Kernels"), v.Name, stage.Display, why);
            return false;
        }
        if (convs.FirstOrDefault(c => c.Kernel % 2 == 0 || c.Padding != c.Kernel / 2) is { } bad)
        {
            builder.Report(DiagnosticDescriptors.KernelNeedsSamePadding, bad.Location ?? v.At("Kernels"), v.Name, stage.Display,
                bad.Name, bad.Kernel, bad.Padding);
            return false;
        }
        return true;
    }

    /// <summary>
    /// A base block's kernel must fit in the centre of the motivated block's (MOT066); a block that outputs concatenated
    /// channels: every branch but the last must keep the base's width (MOT063).
    /// </summary>
    public bool CheckPair(ModelBuilder builder, PairBlocks pair)
    {
        if (pair.BaseBlock.Kernel > pair.MotivatedBlock.Kernel)
        {
            builder.Report(DiagnosticDescriptors.KernelLargerInBase, pair.Motivated.Spec.HasKernels ? pair.Motivated.Spec.At("Kernels") : pair.Base.Spec.At("Kernels"),
                pair.BaseKey, pair.Base.Name, pair.BaseBlock.Kernel, pair.MotivatedKey, pair.Motivated.Name, pair.MotivatedBlock.Kernel);
            return false;
        }
        EquatableArray<long>? bs = pair.BaseBlock.OutSegments, ms = pair.MotivatedBlock.OutSegments;
        if (bs is null && ms is null) return true;
        if (bs is { } b && ms is { } m && b.Count == m.Count && b.Take(b.Count - 1).SequenceEqual(m.Take(m.Count - 1))) return true;
        string Text(EquatableArray<long>? s) => s is { } segments ? "[" + string.Join(", ", segments) + "]" : "one block of channels";
        builder.Report(DiagnosticDescriptors.ConcatNotPrefix, pair.WidthLocation, pair.BaseKey, pair.Base.Name, Text(bs), pair.MotivatedKey, pair.Motivated.Name, Text(ms));
        return false;
    }

    /// <summary>A tensor over concatenated channels: one piece per branch, each at its branch's place in either variant.</summary>
    public List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces(string local, RBlock b, RBlock m)
    {
        if (!b.Segmented.TryGetValue(local, out var bs) || !m.Segmented.TryGetValue(local, out var ms) || bs.Dim != ms.Dim || bs.Segments.Count != ms.Segments.Count)
            return null;
        var pieces = new List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>();
        long bStart = 0, mStart = 0;
        for (var k = 0; k < bs.Segments.Count; k++)
        {
            pieces.Add((Region(bStart, bs.Segments[k]), Region(mStart, bs.Segments[k])));
            bStart += bs.Segments[k]; mStart += ms.Segments[k];
        }
        return pieces;

        (long Start, long Length)[] Region(long start, long length) =>
            bs.Shape.Select((n, d) => d == bs.Dim ? (start, length) : (0L, n)).ToArray();
    }

    public bool ReLUAfterAdd(ModelBuilder builder, LayerSpec stage) => Layout(builder.Blocks, stage).ReLUAfterAdd;

    public virtual string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block) => null;

    /// <summary>The last layer of the residual branch (its normalisation, or the last convolution).</summary>
    public IEnumerable<TensorDesc> IdentityZeroes(IReadOnlyList<TensorDesc> blockParameters)
    {
        var layer = Owner(blockParameters[blockParameters.Count - 1].Local);
        return blockParameters.Where(t => Owner(t.Local) == layer);
    }

    public bool IsStreamTensor(string local) => false;

    private static string Owner(string local) => local.Substring(0, System.Math.Max(0, local.LastIndexOf('.')));

    /// <summary>The module's arguments; <c>kernel</c> when the model's variants set kernels (<see cref="RBlock.Kernel"/> is then set).</summary>
    public IReadOnlyList<string> Arguments(RBlock b)
    {
        var args = Args(("inPlanes", L(b.In)), ("planes", L(b.Planes)), ("stride", L(b.Stride)), ("shortcut", Shortcut(b.Shortcut)));
        return b.Kernel > 0 ? args.Concat(Args(("kernel", L(b.Kernel)))).ToList() : args;
    }

    private static string Shortcut(ShortcutKind kind) => kind switch
    {
        ShortcutKind.A => "__Dsl.Shortcut.A",
        ShortcutKind.B => "__Dsl.Shortcut.B",
        _ => "null",
    };

    public void EmitModule(CodeWriter w, BuiltModel model, LayerSpec stage)
    {
        var cls = GeneratedClass(model, stage);
        var layout = Layout(model.BlockSpecs, stage);
        var kernel = model.Spec.Variants.Any(v => v.HasKernels);
        var kernelParameter = kernel ? ", long kernel" : "";
        var steps = BlockStep.Of(kernel ? layout.Layers.Select(l => FollowsKernel(l) ? l with { VariantKernel = true } : l).ToList() : layout.Layers);
        var sc = layout.ShortcutName;
        w.Line("/// <summary>");
        w.Line("/// " + layout.Summary);
        w.Line("/// </summary>");
        w.Open($"public sealed class {cls} : __Module");
        foreach (var field in steps.SelectMany(s => s.Fields())) w.Line($"private readonly {field};");
        if (layout.Residual)
        {
            w.Line($"private readonly __Modules.Sequential? {sc};");
            w.Line("private readonly __Dsl.Blocks.ResidualShortcut __shortcut;");
        }
        w.Line();
        w.Line("/// <param name=\"inPlanes\">Input channels.</param>");
        w.Line("/// <param name=\"planes\">The stage's channels (a convolution outputs Expansion x planes).</param>");
        w.Line("/// <param name=\"stride\">The block's stride (the stage's stride in its first block, else 1).</param>");
        w.Line("/// <param name=\"shortcut\">Null: identity; A: subsample, zero-pad; B: 1x1 conv, batch norm.</param>");
        if (kernel) w.Line("/// <param name=\"kernel\">The kxk convolutions' kernel (the variant's Kernels), padding kernel / 2.</param>");
        w.Open($"public {cls}(long inPlanes, long planes, long stride, __Dsl.Shortcut? shortcut{kernelParameter})\n    : base({S(cls)})");
        w.Line("var __c = inPlanes;");
        var construct = new BlockEmit();
        foreach (var step in steps) step.Construct(w, construct);
        if (layout.Residual)
        {
            w.Line($"this.{sc} = __Dsl.Blocks.ResidualShortcut.Projection(shortcut, inPlanes, __c, stride);");
            w.Line("this.__shortcut = new __Dsl.Blocks.ResidualShortcut(shortcut, inPlanes, __c, stride);");
        }
        w.Line("RegisterComponents();");
        w.Close();
        w.Line();
        w.Open("public override __Tensor forward(__Tensor input)");
        w.Line("using var __scope = global::TorchSharp.torch.NewDisposeScope();");
        w.Line("var __x = input;");
        foreach (var step in steps) w.Line(step.Forward());
        if (layout.Residual)
        {
            w.Line($"__x = __x + this.__shortcut.Apply(input, this.{sc});");
            if (layout.ReLUAfterAdd) w.Line("__x = __F.relu(__x);");
        }
        w.Line("return __scope.MoveToOuter(__x);");
        w.Close();
        w.Line();
        w.Line("/// <summary>This block's tensors and MACs (the same arguments as the constructor).</summary>");
        w.Open($"internal static void Describe(__Meta m, long inPlanes, long planes, long stride, __Dsl.Shortcut? shortcut{kernelParameter})".Replace(", long stride", ",\n    long stride"));
        var describe = new BlockEmit();
        foreach (var step in steps) step.Describe(w, describe);
        if (layout.Residual) w.Line($"__Dsl.Blocks.ResidualShortcut.Describe(m, {S(sc)}, shortcut, inPlanes);");
        w.Close();
        w.Line();
        var arguments = "inPlanes, planes, stride, shortcut" + (kernel ? ", kernel" : "");
        w.Line("/// <summary>This block as a layer list states it: its constructor and <c>Describe</c>.</summary>");
        w.Line($"internal static __Dsl.BlockDescription Of(long inPlanes, long planes, long stride, __Dsl.Shortcut? shortcut{kernelParameter}) =>"
            .Replace(", long stride", ",\n    long stride"));
        w.Line($"    new(() => new {cls}({arguments}),");
        w.Line($"        m => Describe(m, {arguments}));");
        foreach (var step in steps) step.EmitClasses(w, model);
        w.Close();
    }

    /// <summary>Named Conv2d arguments, defaults left out.</summary>
    internal static List<string> ConvArgs(string inC, string outC, LayerSpec l, string? stride = null, string? groups = null)
    {
        var args = new List<string> { "in_channels: " + inC, "out_channels: " + outC, "kernel_size: " + (l.VariantKernel ? "kernel" : L(l.Kernel)) };
        if (stride is not null) args.Add("stride: " + stride); else if (l.Stride != 1) args.Add("stride: " + L(l.Stride));
        if (l.VariantKernel) args.Add("padding: kernel / 2");
        else if (l.Padding != 0) args.Add("padding: " + L(l.Padding));
        if (groups is not null) args.Add("groups: " + groups); else if (l.Groups != 1) args.Add("groups: " + L(l.Groups));
        if (!l.Bias) args.Add("bias: false");
        return args;
    }

    internal static string BatchNormArgs(string channels, LayerSpec l)
    {
        var args = "num_features: " + channels;
        if (l.Eps != 1e-5) args += ", eps: " + D(l.Eps);
        if (l.Momentum != 0.1) args += ", momentum: " + D(l.Momentum);
        return args;
    }
}
