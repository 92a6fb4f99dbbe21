using MotivationDsl.Examples.ResNetCifar;

namespace MotivationDsl.Cli.Tests;

/// <summary>Runs the CLI in-process on this assembly's models and ResNetCifar, plain output captured.</summary>
internal static class Cli
{
    public static readonly ModelCatalog Catalog = ModelCatalog.FromAssemblies([typeof(TinyFashion).Assembly, typeof(ResNetCifar).Assembly]);

    public static (int Exit, string Output) Run(params string[] args) => Run(Catalog, args);

    /// <summary>The CLI on the models of <paramref name="catalog"/>.</summary>
    public static (int Exit, string Output) Run(ModelCatalog catalog, params string[] args)
    {
        var writer = new StringWriter();
        var exit = MotivationCli.Run(args, catalog, new CliOutput(writer, rich: false));
        return (exit, writer.ToString());
    }

    /// <summary>A small, fast, deterministic training run on the embedded sample.</summary>
    public static string[] TinyTrain(string outDir, params string[] extra) =>
    [
        "train", "--model", "TinyFashion", "--data", "sample", "--train-limit", "256", "--test-limit", "128",
        "--batch-size", "32", "--epochs", "2", "--threads", "1", "--seed", "7", "--lr", "0.05", "--out", outDir, .. extra,
    ];

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mdsl-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
