using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MotivationDsl.Training.Optimizers;

/// <summary>Hyperparameters of an optimizer; the trainer creates one optimizer per model from the same options.</summary>
public abstract record OptimizerOptions(double LearningRate)
{
    public abstract MotivationOptimizer Create(IEnumerable<(string Name, Parameter Parameter)> parameters);

    /// <summary>The paper's ResNet recipe: SGD, momentum 0.9, weight decay 5e-4.</summary>
    public static SgdOptions PaperSgd(double lr = 0.1) => new(lr, Momentum: 0.9, WeightDecay: 5e-4);

    /// <summary>The paper's EfficientNet recipe: RMSprop, momentum 0.9, LR 0.01.</summary>
    public static RmsPropOptions PaperRmsProp(double lr = 0.01) => new(lr, Momentum: 0.9);

    /// <summary>The paper's ViT recipe: AdamW, LR 2.5e-4, weight decay 0.05.</summary>
    public static AdamOptions PaperAdamW(double lr = 2.5e-4) => new(lr, WeightDecay: 0.05, Decoupled: true);
}

public sealed record SgdOptions(double LearningRate, double Momentum = 0, double Dampening = 0, double WeightDecay = 0, bool Nesterov = false)
    : OptimizerOptions(LearningRate)
{
    public override MotivationOptimizer Create(IEnumerable<(string Name, Parameter Parameter)> parameters) =>
        new SgdOptimizer(parameters, LearningRate, Momentum, Dampening, WeightDecay, Nesterov);
}

/// <summary>Adam, or AdamW with <paramref name="Decoupled"/>.</summary>
public sealed record AdamOptions(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8,
    double WeightDecay = 0, bool Decoupled = false, bool AmsGrad = false) : OptimizerOptions(LearningRate)
{
    public override MotivationOptimizer Create(IEnumerable<(string Name, Parameter Parameter)> parameters) =>
        new AdamOptimizer(parameters, LearningRate, Beta1, Beta2, Eps, WeightDecay, Decoupled, AmsGrad);
}

public sealed record RmsPropOptions(double LearningRate = 1e-2, double Alpha = 0.99, double Eps = 1e-8, double WeightDecay = 0,
    double Momentum = 0, bool Centered = false) : OptimizerOptions(LearningRate)
{
    public override MotivationOptimizer Create(IEnumerable<(string Name, Parameter Parameter)> parameters) =>
        new RmsPropOptimizer(parameters, LearningRate, Alpha, Eps, WeightDecay, Momentum, Centered);
}
