using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>A base model, the motivated model that extends it, and the weights map bound between them.</summary>
public sealed class MotivationPair : IDisposable
{
    public MotivationPair(ScalableModelDefinition definition, nn.Module<Tensor, Tensor> baseModel,
        nn.Module<Tensor, Tensor> motivated, BoundWeightsMap map)
    {
        Definition = definition;
        Base = baseModel;
        Motivated = motivated;
        Map = map;
    }

    public ScalableModelDefinition Definition { get; }
    public nn.Module<Tensor, Tensor> Base { get; }
    public nn.Module<Tensor, Tensor> Motivated { get; }
    public BoundWeightsMap Map { get; }
    public VariantInfo BaseInfo => Definition.GetVariant(Definition.BaseVariant);
    public VariantInfo MotivatedInfo => Definition.GetVariant(Definition.MotivatedVariant);

    public void Dispose()
    {
        Map.Dispose();
        Base.Dispose();
        Motivated.Dispose();
    }
}
