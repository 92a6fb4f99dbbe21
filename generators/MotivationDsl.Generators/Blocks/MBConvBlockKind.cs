using System;
using System.Collections.Generic;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// EfficientNet's MBConv (<c>Block.MBConv</c>) as torchvision: expand 1x1 (absent when the expanded width equals the
/// input), depthwise kxk, squeeze-and-excitation, project 1x1; residual with stochastic depth when shapes allow.
/// Kernels, expansions and the SE ratio can differ per variant but must be equal in a mapped pair.
/// </summary>
internal sealed class MBConvBlockKind : IBlockKind
{
    public BlockKindId Id => BlockKindId.MBConv;

    public bool UsesKernel => true;

    public bool TakesVariantKernels => true;

    public bool TakesStochasticDepth => true;

    public bool TakesTokens => false;

    public string? WhyNotInput(int rank, string inShape) =>
        rank == 3 ? null : $"a Stage needs a [C, H, W] input but receives {inShape}";

    /// <summary>The runtime's <c>MotivationDsl.Blocks.MBConv</c> (src/MotivationDsl/Blocks/).</summary>
    public string ModuleType(BuiltModel model, LayerSpec stage) => "__Dsl.Blocks.MBConv";

    public BlockDraft? Resolve(ModelBuilder builder, BlockRequest r)
    {
        var (rv, v, stage, key) = (r.Variant, r.Spec, r.Stage, r.Key);
        var s = stage.Name!;
        long inC = r.InChannels, outC = r.Planes, stride = r.Stride, h = r.Height, w = r.Width;
        var kernel = v.HasKernels ? v.Kernels[r.StageIndex] : stage.Kernel;
        var expansion = v.HasExpansions ? v.Expansions[r.StageIndex] : stage.Expansion;
        var ratio = double.IsNaN(v.SERatio) ? stage.SERatio : v.SERatio;
        if (kernel <= 0 || kernel % 2 == 0 || kernel > 31)
        { builder.Report(DiagnosticDescriptors.InvalidValue, v.HasKernels ? v.At("Kernels") : stage.At("Kernel"), s, "Kernel", kernel, "an MBConv kernel must be odd and positive"); return null; }
        if (expansion <= 0 || expansion > 64)
        { builder.Report(DiagnosticDescriptors.InvalidValue, v.HasExpansions ? v.At("Expansions") : stage.At("Expansion"), s, "Expansion", expansion, "it must be a positive number"); return null; }
        if (!(ratio >= 0 && ratio <= 1))
        { builder.Report(DiagnosticDescriptors.InvalidValue, !double.IsNaN(v.SERatio) ? v.At("SERatio") : stage.At("SERatio"), s, "SERatio", ratio, "it must be between 0 and 1"); return null; }
        var blk = new BlockDraft { In = inC, Planes = outC, Stride = stride, InH = h, InW = w, Kernel = kernel, Expansion = expansion, SERatio = ratio, SdProb = r.StochasticDepth };
        var expanded = ModelBuilder.MakeDivisible(inC * (double)expansion);
        blk.Expanded = expanded;
        blk.Squeeze = ratio > 0 ? Math.Max(1, (long)Math.Floor(inC * ratio)) : 0;
        var pad = (kernel - 1) / 2;
        var i = 0;
        if (expanded != inC)
        {
            builder.AddConv(rv, key, s, r.Index, $"block.{i}.0", inC, expanded, 1, 1, false); builder.AddBn(rv, key, s, r.Index, $"block.{i}.1", expanded);
            builder.Mac(rv, expanded * h * w * inC);
            blk.Convs.Add(($"block.{i}.0", inC, expanded, 1, 1));
            i++;
        }
        var nh = ModelBuilder.Spatial(h, kernel, stride, pad); var nw = ModelBuilder.Spatial(w, kernel, stride, pad);
        if (nh <= 0 || nw <= 0) { builder.Report(DiagnosticDescriptors.SpatialCollapse, stage.Location, rv.Name, key, $"[{inC}, {h}, {w}]", $"[{expanded}, {nh}, {nw}]"); return null; }
        builder.AddConv(rv, key, s, r.Index, $"block.{i}.0", expanded, expanded, kernel, expanded, false); builder.AddBn(rv, key, s, r.Index, $"block.{i}.1", expanded);
        builder.Mac(rv, expanded * nh * nw * kernel * kernel);
        blk.Convs.Add(($"block.{i}.0", expanded, expanded, 1, stride)); // depthwise: per channel, a prefix keeps channels aligned
        i++;
        if (blk.Squeeze > 0)
        {
            builder.AddConv(rv, key, s, r.Index, $"block.{i}.fc1", expanded, blk.Squeeze, 1, 1, true);
            builder.AddConv(rv, key, s, r.Index, $"block.{i}.fc2", blk.Squeeze, expanded, 1, 1, true);
            builder.Mac(rv, 2 * expanded * blk.Squeeze);
            i++;
        }
        builder.AddConv(rv, key, s, r.Index, $"block.{i}.0", expanded, outC, 1, 1, false); builder.AddBn(rv, key, s, r.Index, $"block.{i}.1", outC);
        builder.Mac(rv, outC * nh * nw * expanded);
        blk.Convs.Add(($"block.{i}.0", expanded, outC, 1, 1));
        blk.Out = outC; blk.OutH = nh; blk.OutW = nw;
        blk.Residual = stride == 1 && inC == outC;
        return blk;
    }

    public bool CheckPair(ModelBuilder builder, PairBlocks p)
    {
        var (bb, mb, b, m) = (p.BaseBlock, p.MotivatedBlock, p.Base, p.Motivated);
        var stage = p.Stage.Name!;
        if (bb.Kernel != mb.Kernel || bb.Expansion != mb.Expansion)
        {
            var what = bb.Kernel != mb.Kernel ? "kernel" : "expansion";
            var arg = what == "kernel" ? "Kernels" : "Expansions";
            builder.Report(DiagnosticDescriptors.KernelOrExpansionMismatch, m.Spec.Has(arg) ? m.Spec.At(arg) : b.Spec.At(arg), stage, what,
                b.Name, what == "kernel" ? bb.Kernel : bb.Expansion, m.Name, what == "kernel" ? mb.Kernel : mb.Expansion);
            return false;
        }
        if (bb.SERatio != mb.SERatio)
        {
            builder.Report(DiagnosticDescriptors.SERatioMismatch, m.Spec.Has("SERatio") ? m.Spec.At("SERatio") : b.Spec.At("SERatio"), stage,
                b.Name, ModelBuilder.Num(bb.SERatio), m.Name, ModelBuilder.Num(mb.SERatio));
            return false;
        }
        return true;
    }

    public List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces(string local, RBlock b, RBlock m) => null;

    public bool ReLUAfterAdd(ModelBuilder builder, LayerSpec stage) => false;

    public string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block) => null;

    /// <summary>The projection's batch norm (the last layer of the residual branch).</summary>
    public IEnumerable<TensorDesc> IdentityZeroes(IReadOnlyList<TensorDesc> blockParameters)
    {
        var last = blockParameters[blockParameters.Count - 1].Local;
        var layer = last.Substring(0, last.LastIndexOf('.'));
        foreach (var t in blockParameters)
            if (t.Local.StartsWith(layer + ".", StringComparison.Ordinal)) yield return t;
    }

    public bool IsStreamTensor(string local) => false;

    public IReadOnlyList<string> Arguments(RBlock b) => Args(("inChannels", L(b.In)), ("outChannels", L(b.Out)), ("stride", L(b.Stride)),
        ("expanded", L(b.Expanded)), ("kernel", L(b.Kernel)), ("squeeze", L(b.Squeeze)), ("stochasticDepth", D(b.SdProb)));
}
