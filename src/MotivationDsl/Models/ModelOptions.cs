namespace MotivationDsl;

/// <summary>
/// Sizes chosen when a model is created; unset values take the declaration's (<c>[ScalableModel(Classes, InputShape)]</c>).
/// Metadata (<see cref="ScalableModelDefinition.Describe"/>), modules and the weights map all follow them.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>Number of classes of the classifier.</summary>
    public int? Classes { get; init; }

    /// <summary>Input height and width (square input).</summary>
    public int? InputSize { get; init; }

    /// <summary>Input height (overrides <see cref="InputSize"/>).</summary>
    public int? InputHeight { get; init; }

    /// <summary>Input width (overrides <see cref="InputSize"/>).</summary>
    public int? InputWidth { get; init; }

    /// <summary>Resolves the options against a declaration's defaults: (classes, channels, height, width).</summary>
    public (int Classes, int Channels, int Height, int Width) Resolve(int classes, IReadOnlyList<int> inputShape)
    {
        var c = Classes ?? classes;
        var h = InputHeight ?? InputSize ?? inputShape[1];
        var w = InputWidth ?? InputSize ?? inputShape[2];
        if (c <= 0) throw new ArgumentOutOfRangeException(nameof(Classes), c, "Classes must be positive.");
        if (h <= 0 || w <= 0) throw new ArgumentOutOfRangeException(nameof(InputSize), $"{h}x{w}", "The input size must be positive.");
        return (c, inputShape[0], h, w);
    }
}
