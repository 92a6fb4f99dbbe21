using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Cli.Tests;

/// <summary>
/// <see cref="TinyFashion"/> whose logits become NaN on the given training forward passes (0-based, counted over both
/// models of the run; passes without gradients, i.e. evaluation, do not count). The CLI trains it as it trains any model
/// of its catalog, so a test reaches the divergence path the way a diverging model does, at a step that is the same on
/// every machine (a huge --lr diverges at a step that depends on the CPU's kernels).
/// </summary>
internal sealed class NaNAtBatchesModel(params int[] batches) : ScalableModelDefinition
{
    public const string ModelName = "MotivationDsl.Cli.Tests.NaNAtBatches";

    private static readonly ScalableModelDefinition Model = TinyFashion.Definition;
    private int _trainingPasses;

    /// <summary>A catalog of the CLI tests' models with this one added.</summary>
    public ModelCatalog Catalog() => new(Cli.Catalog.Models.Append(this));

    public override string Name => ModelName;
    public override Type ModelType => Model.ModelType;
    public override IReadOnlyList<VariantInfo> Variants => Model.Variants;
    public override string BaseVariant => Model.BaseVariant;
    public override string MotivatedVariant => Model.MotivatedVariant;
    public override WeightsMap Map => Model.Map;
    public override string ManifestJson => Model.ManifestJson;
    public override VariantInfo Describe(string variant, ModelOptions? options = null) => Model.Describe(variant, options);

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant) => CreateModule(variant, null);

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant, ModelOptions? options)
    {
        var module = Model.Create(variant, null, options);
        module.register_forward_hook((_, _, output) =>
            is_grad_enabled() && batches.Contains(_trainingPasses++) ? output * double.NaN : output);
        return module;
    }
}
