using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

// Function-preserving growth of [ScalableBlock] layers that model-level rules do not cover.
internal sealed partial class ModelBuilder
{
    /// <summary>
    /// A LayerNorm inside a user block whose features grow under function-preserving growth: its mean and variance span
    /// every feature, so zero extra features change the base's normalisation; the features cannot be repeated inside a
    /// block as they are at model level. False after reporting MOT034.
    /// </summary>
    private bool BlockNormsKeepWidth(ResolvedVariant b, ResolvedVariant m, List<MapEntryDesc> map, PairRules rules)
    {
        var norms = new Dictionary<string, HashSet<string>>();
        foreach (var stage in _spec.Layers.Where(l => l.Kind == LayerKind.Stage && l.HasBlockType && StageGrowth(l, rules) == GrowthPreserving))
            norms[stage.Name!] = new HashSet<string>(_blocks[stage.BlockType!].Layers.Where(l => l.Kind == LayerKind.LayerNorm).Select(l => l.Name + ".weight"));
        var motByName = m.Tensors.ToDictionary(t => t.Name);
        foreach (var e in map)
        {
            var mt = motByName[e.MotivatedName];
            if (mt.Stage is null || !norms.TryGetValue(mt.Stage, out var locals) || !locals.Contains(mt.Local) || e.BaseShape[0] == mt.Shape[0]) continue;
            var widthLoc = m.Spec.HasWidth ? m.Spec.At("Width") : m.Spec.At("WidthMultiplier");
            Report(DiagnosticDescriptors.GrowthNotPreserving, widthLoc, b.Name, m.Name, mt.Name.Substring(0, mt.Name.Length - ".weight".Length),
                $"this LayerNorm inside a [ScalableBlock] widens from {e.BaseShape[0]} to {mt.Shape[0]} features, and its mean and variance span all of them; keep the stage's width or use Growth.Paper");
            return false;
        }
        return true;
    }
}
