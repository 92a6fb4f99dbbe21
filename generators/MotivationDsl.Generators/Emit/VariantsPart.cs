using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// The variants file: one small sealed class per variant (<c>Net.ResNet20</c>), a <c>MotivationDsl.VariantModule</c>
/// built from the variant's layer list (<see cref="MetadataPart"/>), with the two constructors users call.
/// </summary>
internal static class VariantsPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        for (var i = 0; i < model.Variants.Count; i++)
        {
            var v = model.Variants[i];
            if (i > 0) w.Line();
            w.Line($"/// <summary>Variant <c>{v.Name}</c>: {v.Parameters:N0} parameters, {v.Macs:N0} MACs (declared sizes).</summary>");
            w.Open($"public sealed class {v.Name} : __Dsl.VariantModule");
            w.Line("/// <summary>A module at the declared input size and class count.</summary>");
            w.Line($"public {v.Name}() : this(null) {{ }}");
            w.Line("/// <summary>A module for <paramref name=\"options\"/> (class count, input size); null: as declared.</summary>");
            w.Line($"public {v.Name}(__Dsl.ModelOptions? options)");
            w.Line($"    : base({S(v.Name)}, ModelDefinition.{MetadataPart.Field(v)}, options) {{ }}");
            w.Close();
        }
    }
}
