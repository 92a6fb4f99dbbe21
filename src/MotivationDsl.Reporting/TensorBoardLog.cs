namespace MotivationDsl.Reporting;

/// <summary>
/// TensorBoard event log of a run (events.out.tfevents.* in <see cref="Directory"/>, one file per invocation). Tags:
/// <list type="bullet">
/// <item>train/loss: every step's batch loss; train/loss_base and train/loss_motivated: the same loss, split by the
/// active model (so the motivated steps show as their own series); train/active: 1 on motivated steps, else 0.</item>
/// <item>epoch/accuracy_base, epoch/accuracy_motivated, epoch/loss_base, epoch/loss_motivated,
/// epoch/motivated_share, epoch/mean_forward_flops, epoch/learning_rate (x = the global step of the epoch's last batch
/// when given, else the epoch number).</item>
/// </list>
/// Unlike the other outputs the event file is appended as the run goes (TensorBoard reads it live), so it is not
/// written atomically; each record carries its own CRC, so a torn last record is simply ignored by readers.
/// A resumed run opens its file with <see cref="TensorBoardLog(string, long?, string?)"/>'s restart step: a SessionLog
/// START event at that step makes TensorBoard drop the events the interrupted invocation wrote after its checkpoint.
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    private readonly TensorBoardEventFile _file;

    public string Directory { get; }

    /// <param name="restartStep">For a resumed run: the global step it continues from (the steps before it are kept).</param>
    /// <param name="checkpointPath">The checkpoint the resumed run continues (recorded in the SessionLog event).</param>
    public TensorBoardLog(string directory, long? restartStep = null, string? checkpointPath = null)
    {
        Directory = directory;
        _file = new TensorBoardEventFile(directory);
        if (restartStep is { } step) _file.AddSessionStart(step, checkpointPath);
    }

    /// <summary>The file this log writes.</summary>
    public string FilePath => _file.Path;

    public void AddStep(StepRecord s)
    {
        float loss = (float)s.Loss;
        _file.AddScalar("train/loss", loss, s.Step);
        _file.AddScalar(s.Motivated ? "train/loss_motivated" : "train/loss_base", loss, s.Step);
        _file.AddScalar("train/active", s.Motivated ? 1f : 0f, s.Step);
    }

    public void AddSteps(IEnumerable<StepRecord> steps)
    {
        foreach (var s in steps) AddStep(s);
    }

    /// <param name="lastStep">The global step of the epoch's last batch: the x of the epoch scalars, so a resume's restart
    /// marker (which hides every event at a step &gt;= its own) treats them like the step scalars. Null: x = epoch number.</param>
    public void AddEpoch(EpochReport e, long? lastStep = null)
    {
        var x = lastStep ?? e.Epoch;
        void Add(string tag, double? v)
        {
            if (v is { } value) _file.AddScalar(tag, (float)value, x);
        }
        Add("epoch/accuracy_base", e.Base.Accuracy);
        Add("epoch/accuracy_motivated", e.Motivated.Accuracy);
        Add("epoch/loss_base", e.Base.Loss);
        Add("epoch/loss_motivated", e.Motivated.Loss);
        Add("epoch/perplexity_base", e.Base.Perplexity);
        Add("epoch/perplexity_motivated", e.Motivated.Perplexity);
        Add("epoch/bits_per_byte_base", e.Base.BitsPerByte);
        Add("epoch/bits_per_byte_motivated", e.Motivated.BitsPerByte);
        Add("epoch/mean_forward_flops_per_token", e.MeanForwardFlopsPerToken);
        Add("epoch/motivated_share", e.MotivatedShare);
        Add("epoch/mean_forward_flops", e.MeanForwardFlops);
        Add("epoch/learning_rate", e.LearningRate);
        _file.Flush();
    }

    /// <summary>Writes buffered events to the file (done after every epoch and on dispose).</summary>
    public void Flush() => _file.Flush();

    /// <summary>The event files written so far.</summary>
    public IReadOnlyList<string> EventFiles() => System.IO.Directory.GetFiles(Directory, "events.out.tfevents.*");

    public void Dispose() => _file.Dispose();
}
