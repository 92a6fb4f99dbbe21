using System.Reflection;

namespace MotivationDsl;

/// <summary>What a model is made of, as far as its memory format is concerned (one family per row group of <see cref="MemoryFormatDefaults"/>).</summary>
public enum ModelFamily
{
    /// <summary>Stages of <see cref="Block.Basic"/> or <see cref="Block.Bottleneck"/> blocks.</summary>
    ResNet,

    /// <summary>Stages of <see cref="Block.MBConv"/> blocks.</summary>
    EfficientNet,

    /// <summary>Stages of <see cref="Block.Encoder"/> blocks (a vision transformer: its only 4-D weight is the patch embedding).</summary>
    VisionTransformer,

    /// <summary>Stages of user blocks (<c>[ScalableBlock]</c> classes), or a hand-written <see cref="ScalableModelDefinition"/> (no <c>[ScalableModel]</c> declaration).</summary>
    UserBlocks,

    /// <summary>No 4-D parameter in either model of the pair (language models, MLPs): channels-last changes nothing.</summary>
    NoConvolutions,

    /// <summary>Convolutional, but none of the above: stages of several families, or convolutions declared without stages.</summary>
    Other,
}

/// <summary>Which <see cref="ModelFamily"/> a model belongs to, decided by its structure, never by its name.</summary>
public static class ModelFamilies
{
    /// <summary>
    /// The family of <paramref name="definition"/>'s pair: <see cref="ModelFamily.NoConvolutions"/> when neither variant has a
    /// 4-D parameter (from the generated <see cref="VariantInfo"/>); else the blocks of the <c>[Stage]</c>s declared on its
    /// <see cref="ScalableModelDefinition.ModelType"/> (the DSL declaration, kept as attributes at run time): one family's
    /// blocks give that family, several give <see cref="ModelFamily.Other"/>; no stages give
    /// <see cref="ModelFamily.UserBlocks"/> for a hand-written definition (no <c>[ScalableModel]</c>) and
    /// <see cref="ModelFamily.Other"/> for a declared model.
    /// </summary>
    public static ModelFamily Of(ScalableModelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var convolutional = new[] { definition.BaseVariant, definition.MotivatedVariant }
            .Any(v => definition.GetVariant(v).Parameters.Any(t => t.Shape.Length == 4));
        if (!convolutional) return ModelFamily.NoConvolutions;
        var type = definition.ModelType;
        var families = type.GetCustomAttributes<StageAttribute>(inherit: false).Select(FamilyOf).Distinct().ToArray();
        return families.Length switch
        {
            1 => families[0],
            0 => type.GetCustomAttribute<ScalableModelAttribute>(inherit: false) is null ? ModelFamily.UserBlocks : ModelFamily.Other,
            _ => ModelFamily.Other,
        };
    }

    private static ModelFamily FamilyOf(StageAttribute stage) => stage.BlockType is not null ? ModelFamily.UserBlocks : stage.Block switch
    {
        Block.Basic or Block.Bottleneck => ModelFamily.ResNet,
        Block.MBConv => ModelFamily.EfficientNet,
        Block.Encoder => ModelFamily.VisionTransformer,
        _ => ModelFamily.Other,   // Block.CausalDecoder with convolutions elsewhere: not a measured family
    };
}
