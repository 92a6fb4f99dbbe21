namespace MotivationDsl.Experiments;

internal static class TransferCommand
{
    public static int Run(ExperimentCli.Options o, ScalableModelDefinition[] defs) => throw new ArgumentException("transfer: not yet implemented");
}
