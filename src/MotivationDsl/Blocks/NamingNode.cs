using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// A container that only names its children (state_dict paths such as <c>features.0.0</c> of a layer named with dots);
/// the generated variant modules build these. It has no forward.
/// </summary>
public sealed class NamingNode : nn.Module<Tensor, Tensor>
{
    public NamingNode(string name) : base(name) { }

    /// <summary>Registers <paramref name="module"/> as the child <paramref name="name"/>.</summary>
    public void Add(string name, nn.Module module) => register_module(name, module);

    public override Tensor forward(Tensor input) => throw new NotSupportedException("A naming container has no forward.");
}
