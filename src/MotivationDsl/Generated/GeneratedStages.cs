using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// Builds a stage (a Sequential of blocks keyed <c>{blockPrefix}{index}</c>) from runs of identical blocks; the generated
/// layer lists' stages use it (<see cref="LayerList.Stage"/>): <c>new StageBuilder("").Add(1, create).Add(8, create2).Build()</c>.
/// </summary>
public sealed class StageBuilder(string blockPrefix)
{
    private readonly List<(string, nn.Module<Tensor, Tensor>)> _items = [];

    /// <summary>Appends <paramref name="count"/> blocks, each created by <paramref name="create"/> (in order).</summary>
    public StageBuilder Add(int count, Func<nn.Module<Tensor, Tensor>> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        for (var i = 0; i < count; i++)
            _items.Add((blockPrefix + _items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), create()));
        return this;
    }

    public TorchSharp.Modules.Sequential Build() => nn.Sequential(_items);
}
