namespace MotivationDsl.Generators;

/// <summary>ReLU, SiLU, GELU and Dropout in a block: no parameters, no MACs, the shape unchanged.</summary>
internal sealed class ElementwiseLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l) => true;
}
