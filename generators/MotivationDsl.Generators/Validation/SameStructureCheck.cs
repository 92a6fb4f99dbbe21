using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>After resolution: a warning (MOT035) for two variants that resolved to the same structure.</summary>
internal static class SameStructureCheck
{
    /// <summary>A warning for two variants whose tensors and dropout rates are all equal (a copy-paste slip, usually).</summary>
    public static IEnumerable<DiagnosticInfo> Of(BuiltModel model)
    {
        for (var i = 0; i < model.Variants.Count; i++)
            for (var j = 0; j < i; j++)
            {
                ResolvedVariant a = model.Variants[j], b = model.Variants[i];
                var same = a.Tensors.Count == b.Tensors.Count
                    && a.Tensors.Zip(b.Tensors, (x, y) => x.Name == y.Name && x.IsBuffer == y.IsBuffer && x.Shape.SequenceEqual(y.Shape)).All(x => x)
                    && a.Layers.Zip(b.Layers, (x, y) => x.P == y.P && x.Kernel == y.Kernel && SameBlocks(x, y)).All(x => x);
                if (!same) continue;
                yield return DiagnosticInfo.Create(DiagnosticDescriptors.SameStructure, b.Spec.At("name") ?? model.Spec.Location ?? model.Spec.ClassLocation,
                    a.Name, b.Name, model.Spec.ClassName);
                break;
            }
    }

    private static bool SameBlocks(RLayer x, RLayer y) =>
        x.Blocks.Count == y.Blocks.Count && (x.Kind != LayerKind.Stage
            || x.Blocks.Zip(y.Blocks, (p, q) => BlockKinds.Of(x.Spec).Arguments(p).SequenceEqual(BlockKinds.Of(x.Spec).Arguments(q))).All(z => z));
}
