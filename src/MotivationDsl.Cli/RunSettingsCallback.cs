using System.Text.Json.Nodes;
using MotivationDsl.Training;

namespace MotivationDsl.Cli;

/// <summary>
/// Puts the run's <see cref="TrainSettings"/> into every checkpoint (header key <c>callbacks.run-settings</c>), so a
/// resume can restore them when settings.json is gone and refuse a settings.json that belongs to another run.
/// </summary>
internal sealed class RunSettingsCallback(TrainSettings settings) : TrainerCallback, ICheckpointableCallback
{
    public const string Key = "run-settings";

    public string StateKey => Key;

    public JsonObject SaveState() => JsonNode.Parse(settings.ToJson())!.AsObject();

    public void LoadState(JsonObject state) { }   // read before the trainer exists: see FromCheckpointHeader

    /// <summary>The settings stored in a checkpoint header, or null for a checkpoint written without them.</summary>
    public static TrainSettings? FromCheckpointHeader(JsonObject header, string checkpoint) =>
        header["callbacks"]?[Key] is JsonObject s ? TrainSettings.FromJson(s.ToJsonString(), $"{checkpoint} (run settings)") : null;
}
