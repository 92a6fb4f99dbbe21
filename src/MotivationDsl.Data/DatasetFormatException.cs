namespace MotivationDsl.Data;

/// <summary>
/// Thrown when a dataset file or folder is missing, malformed, or does not fit the model.
/// The message always names the file (or folder) and says what is wrong, with expected and found values.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>The file (or folder, for missing files) the problem was found in; null when not file-backed.</summary>
    public string? FilePath { get; }

    public DatasetFormatException(string? filePath, string message, Exception? inner = null)
        : base(message, inner) => FilePath = filePath;
}
