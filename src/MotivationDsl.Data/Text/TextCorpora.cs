namespace MotivationDsl.Data;

/// <summary>Loaders for the English text the language-model tools train on (byte level).</summary>
public static class TextCorpora
{
    /// <summary>The Debian package with the real corpus (the reStructuredText sources of the Python 3 documentation).</summary>
    public const string DebianPackage = "python3-doc";

    /// <summary>Where Debian's Python documentation lives; the corpus is every <c>*.txt</c> under its <c>html/_sources</c>.</summary>
    public const string DebianDocRoot = "/usr/share/doc";

    public const string PythonDocsName = "Python 3 documentation (reStructuredText sources)";

    public const string SampleName = "Jargon File 4.4.7 (excerpt)";

    public const string SampleDescription =
        "embedded sample (48 KB of the introduction of the Jargon File 4.4.7, public domain)";

    /// <summary>
    /// The English corpus: with <paramref name="path"/> null, the Python documentation sources of Debian's python3-doc
    /// when installed, else the embedded sample (<see cref="TextCorpus.Source"/> says which and why); with a path, that
    /// file or folder (<see cref="Load"/>), with no fallback.
    /// </summary>
    public static TextCorpus English(string? path = null, double heldOutFraction = TextCorpus.DefaultHeldOutFraction) =>
        English(path, DebianDocRoot, heldOutFraction);

    internal static TextCorpus English(string? path, string docRoot, double heldOutFraction)
    {
        if (path is not null) return Load(path, heldOutFraction);
        var sources = FindPythonDocs(docRoot);
        return sources is null
            ? Sample(heldOutFraction, $"no {docRoot}/python3.*/html/_sources (Debian package {DebianPackage}) found")
            : LoadFolder(sources, PythonDocsName, heldOutFraction);
    }

    /// <summary>The embedded sample (always available, no files needed).</summary>
    public static TextCorpus EnglishSample(double heldOutFraction = TextCorpus.DefaultHeldOutFraction) => Sample(heldOutFraction, null);

    private static TextCorpus Sample(double heldOutFraction, string? why)
    {
        const string file = "jargon-file-sample.txt.gz";
        var asm = typeof(TextCorpora).Assembly;
        using var stream = asm.GetManifestResourceStream($"MotivationDsl.Data.Samples.{file}")
                           ?? throw new DatasetFormatException($"embedded:{file}", $"embedded:{file}: resource missing from {asm.GetName().Name}.");
        var bytes = RawFile.ReadAll(stream, $"embedded:{file}");
        return TextCorpus.FromBytes(bytes, SampleName, why is null ? SampleDescription : $"{SampleDescription}; {why}", heldOutFraction, isEmbeddedSample: true);
    }

    /// <summary>The newest <c>python3.N/html/_sources</c> folder under <paramref name="docRoot"/>, or null.</summary>
    public static string? FindPythonDocs(string docRoot = DebianDocRoot)
    {
        if (!Directory.Exists(docRoot)) return null;
        // (The pattern "python3.*" also matches "python3": the prefix is checked again.)
        return Directory.GetDirectories(docRoot, "python3.*")
            .Where(d => Path.GetFileName(d).StartsWith("python3.", StringComparison.Ordinal))
            .Select(d => (Dir: Path.Combine(d, "html", "_sources"), Minor: int.TryParse(Path.GetFileName(d)["python3.".Length..], out var m) ? m : -1))
            .Where(d => d.Minor >= 0 && Directory.Exists(d.Dir))
            .OrderByDescending(d => d.Minor)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    /// <summary>
    /// A text file (gzip detected from its first bytes) or a folder: every <c>*.txt</c> file under it, in ordinal order of
    /// the relative path, concatenated. The last <paramref name="heldOutFraction"/> of the bytes is held out.
    /// </summary>
    public static TextCorpus Load(string path, double heldOutFraction = TextCorpus.DefaultHeldOutFraction)
    {
        if (File.Exists(path)) return TextCorpus.FromBytes(RawFile.ReadAll(path), Path.GetFileName(path), path, heldOutFraction);
        if (Directory.Exists(path)) return LoadFolder(path, Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), heldOutFraction);
        throw new DatasetFormatException(path, $"{path}: no such file or folder; expected a text file or a folder of *.txt files.");
    }

    private static TextCorpus LoadFolder(string dir, string name, double heldOutFraction)
    {
        var files = Directory.GetFiles(dir, "*.txt", SearchOption.AllDirectories)
            .OrderBy(f => Path.GetRelativePath(dir, f), StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0) throw new DatasetFormatException(dir, $"{dir}: no *.txt files in the folder or below it.");
        using var all = new MemoryStream();
        foreach (var f in files)
        {
            var bytes = RawFile.ReadAll(f);
            all.Write(bytes);
        }
        return TextCorpus.FromBytes(all.ToArray(), name, $"{dir} ({files.Length} files)", heldOutFraction);
    }
}
