using System.Runtime.CompilerServices;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// Declarations of the user-block vocabulary, read from the files MotivationDsl.Tests compiles and checks against PyTorch,
/// so that the snapshot, the diagnostics and the reference check see one declaration.
/// </summary>
public static class VocabularySources
{
    /// <summary>Linear, LayerNorm, Flatten, window and adaptive pooling inside user blocks, and a stage on features.</summary>
    public static string BlockLayers => Read("BlockVocabularyModels.cs");

    /// <summary>Parallel branches joined by concatenation and by addition inside user blocks.</summary>
    public static string Branches => Read("BranchModels.cs");

    /// <summary>A stage only the motivated variant has (Depth 0 in the base).</summary>
    public static string ExtraStage => Read("ExtraStageModels.cs");

    public static string Kernels => Read("KernelModels.cs");

    private static string Read(string file, [CallerFilePath] string caller = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(caller)!, "..", "MotivationDsl.Tests", file)).Replace("\r\n", "\n");
}
