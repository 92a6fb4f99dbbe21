using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// The initialisations of <see cref="WeightInit"/>, applied by every generated module's constructor after its layers are
/// built (one call, so the rules live here rather than in generated code). Parameters are visited in registration order, so a
/// seed gives the same weights as when the generated code did this itself.
/// </summary>
public static class WeightInitialization
{
    public static void Apply(nn.Module module, WeightInit init)
    {
        using var _ = no_grad();
        switch (init)
        {
            case WeightInit.PyTorchDefault:
                return;
            case WeightInit.KaimingNormal:
                // Every parameter with 2+ dimensions: the convolution and linear weights of a CNN (as documented), but also
                // a transformer's fused attention projections and embeddings.
                foreach (var p in module.parameters())
                    if (p.dim() >= 2) nn.init.kaiming_normal_(p);
                return;
            case WeightInit.EfficientNet:
                foreach (var m in module.modules())
                    switch (m)
                    {
                        case Conv2d:
                            nn.init.kaiming_normal_(Weight(m), mode: nn.init.FanInOut.FanOut);
                            ZeroBias(m);
                            break;
                        case BatchNorm2d:
                            nn.init.ones_(Weight(m));
                            ZeroBias(m);
                            break;
                        case Linear:
                            var range = 1.0 / Math.Sqrt(Weight(m).shape[0]);
                            nn.init.uniform_(Weight(m), -range, range);
                            ZeroBias(m);
                            break;
                    }
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(init), init, "not a WeightInit member");
        }
    }

    private static Tensor Weight(nn.Module m) => m.get_parameter("weight") ?? throw new InvalidOperationException($"{m.GetName()} has no weight");

    private static void ZeroBias(nn.Module m)
    {
        if (m.get_parameter("bias") is { } bias) nn.init.zeros_(bias);
    }
}
