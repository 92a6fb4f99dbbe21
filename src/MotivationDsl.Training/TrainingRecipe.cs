using System.Globalization;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;

namespace MotivationDsl.Training;

/// <summary>A setting of a <see cref="TrainingRecipe"/> (each front end names it its own way: <c>--lr</c>, <c>learningRate</c>).</summary>
public enum RecipeSetting
{
    Optimizer,
    LearningRate,
    Momentum,
    WeightDecay,
    Schedule,
    Epochs,
    WarmupEpochs,
}

/// <summary>A recipe value is out of range; <see cref="Exception.Message"/> names the setting as the front end calls it.</summary>
public sealed class RecipeException(RecipeSetting setting, string message) : ArgumentException(message)
{
    public RecipeSetting Setting { get; } = setting;
}

/// <summary>
/// The one factory of optimizers and LR schedules from named settings, shared by the CLI (<c>train</c>) and the
/// experiment runner, with one set of supported names and one validation:
/// optimizers <c>sgd</c> (momentum, L2 weight decay, as torch.optim.SGD), <c>adamw</c> (decoupled weight decay),
/// <c>rmsprop</c>; schedules <c>cosine</c> (to 0 over the epochs), <c>step</c> (x0.1 every third of the run),
/// <c>exponential</c> (x0.97 per epoch), <c>constant</c>; all with linear warm-up.
/// </summary>
public sealed record TrainingRecipe
{
    public static readonly IReadOnlyList<string> Optimizers = ["sgd", "adamw", "rmsprop"];
    public static readonly IReadOnlyList<string> Schedules = ["cosine", "step", "exponential", "constant"];

    public string Optimizer { get; init; } = "sgd";
    /// <summary>Null: the optimizer's default (sgd 0.1, adamw 0.001, rmsprop 0.01).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Momentum of sgd and rmsprop (adamw has its betas).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Null: the optimizer's default (sgd 5e-4, adamw 0.05, rmsprop 1e-5).</summary>
    public double? WeightDecay { get; init; }
    public string Schedule { get; init; } = "cosine";
    public int Epochs { get; init; } = 10;
    public int WarmupEpochs { get; init; }

    public double EffectiveLearningRate => LearningRate ?? Optimizer switch { "adamw" => 1e-3, "rmsprop" => 0.01, _ => 0.1 };
    public double EffectiveWeightDecay => WeightDecay ?? Optimizer switch { "adamw" => 0.05, "rmsprop" => 1e-5, _ => 5e-4 };

    /// <summary>
    /// Checks every value (names known; learning rate finite and &gt; 0; momentum in [0, 1); weight decay finite and
    /// &gt;= 0; epochs &gt;= 1; warm-up in [0, epochs)); throws a <see cref="RecipeException"/> whose message calls each
    /// setting <paramref name="name"/>(setting).
    /// </summary>
    public TrainingRecipe Validate(Func<RecipeSetting, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        RecipeException Bad(RecipeSetting s, string rule, object got) =>
            new(s, $"{name(s)} must be {rule} (got {Show(got)}).");
        if (!Optimizers.Contains(Optimizer))
            throw new RecipeException(RecipeSetting.Optimizer, $"Unknown optimizer '{Optimizer}'. Choose one of: {string.Join(", ", Optimizers)}.");
        if (!Schedules.Contains(Schedule))
            throw new RecipeException(RecipeSetting.Schedule, $"Unknown schedule '{Schedule}'. Choose one of: {string.Join(", ", Schedules)}.");
        if (LearningRate is { } lr && !(double.IsFinite(lr) && lr > 0)) throw Bad(RecipeSetting.LearningRate, "a finite number greater than 0", lr);
        if (!(Momentum >= 0 && Momentum < 1)) throw Bad(RecipeSetting.Momentum, "at least 0 and less than 1", Momentum);
        if (WeightDecay is { } wd && !(double.IsFinite(wd) && wd >= 0)) throw Bad(RecipeSetting.WeightDecay, "a finite number of at least 0", wd);
        if (Epochs < 1) throw Bad(RecipeSetting.Epochs, "at least 1", Epochs);
        if (WarmupEpochs < 0 || WarmupEpochs > 0 && WarmupEpochs >= Epochs)
            throw Bad(RecipeSetting.WarmupEpochs, $"between 0 and {name(RecipeSetting.Epochs)} - 1", WarmupEpochs);
        return this;
    }

    /// <summary>The optimizer options (call <see cref="Validate"/> first; unknown names throw).</summary>
    public OptimizerOptions CreateOptimizer() => Optimizer switch
    {
        "sgd" => new SgdOptions(EffectiveLearningRate, Momentum: Momentum, WeightDecay: EffectiveWeightDecay),
        "adamw" => new AdamOptions(EffectiveLearningRate, WeightDecay: EffectiveWeightDecay, Decoupled: true),
        "rmsprop" => new RmsPropOptions(EffectiveLearningRate, Momentum: Momentum, WeightDecay: EffectiveWeightDecay),
        _ => throw new RecipeException(RecipeSetting.Optimizer, $"Unknown optimizer '{Optimizer}'. Choose one of: {string.Join(", ", Optimizers)}."),
    };

    /// <summary>The schedule over <see cref="Epochs"/>.</summary>
    public ILearningRateSchedule CreateSchedule() => Schedule switch
    {
        "cosine" => new CosineLr(EffectiveLearningRate, Epochs, WarmupEpochs),
        "step" => new StepLr(EffectiveLearningRate, Math.Max(1, Epochs / 3), 0.1, WarmupEpochs),
        "exponential" => new ExponentialLr(EffectiveLearningRate, 0.97, 1, WarmupEpochs),
        "constant" => new ConstantLr(EffectiveLearningRate, WarmupEpochs),
        _ => throw new RecipeException(RecipeSetting.Schedule, $"Unknown schedule '{Schedule}'. Choose one of: {string.Join(", ", Schedules)}."),
    };

    private static string Show(object v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
}
