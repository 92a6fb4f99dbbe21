using TorchSharp;

namespace MotivationDsl.Reporting;

/// <summary>
/// TensorBoard event log of a run, written through TorchSharp's SummaryWriter (events.out.tfevents.* in
/// <see cref="Directory"/>). Tags:
/// <list type="bullet">
/// <item>train/loss: every step's batch loss; train/loss_base and train/loss_motivated: the same loss, split by the
/// active model (so the motivated steps show as their own series); train/active: 1 on motivated steps, else 0.</item>
/// <item>epoch/accuracy_base, epoch/accuracy_motivated, epoch/loss_base, epoch/loss_motivated,
/// epoch/motivated_share, epoch/mean_forward_flops, epoch/learning_rate (x = epoch).</item>
/// </list>
/// Unlike the other outputs the event file is appended as the run goes (TensorBoard reads it live), so it is not
/// written atomically; each record carries its own CRC, so a torn last record is simply ignored by readers.
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;

    public string Directory { get; }

    public TensorBoardLog(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        _writer = torch.utils.tensorboard.SummaryWriter(directory);
    }

    public void AddStep(StepRecord s)
    {
        int step = checked((int)s.Step);
        float loss = (float)s.Loss;
        _writer.add_scalar("train/loss", loss, step);
        _writer.add_scalar(s.Motivated ? "train/loss_motivated" : "train/loss_base", loss, step);
        _writer.add_scalar("train/active", s.Motivated ? 1f : 0f, step);
    }

    public void AddSteps(IEnumerable<StepRecord> steps)
    {
        foreach (var s in steps) AddStep(s);
    }

    public void AddEpoch(EpochReport e)
    {
        void Add(string tag, double? v)
        {
            if (v is { } x) _writer.add_scalar(tag, (float)x, e.Epoch);
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
    }

    /// <summary>The event files written so far.</summary>
    public IReadOnlyList<string> EventFiles() => System.IO.Directory.GetFiles(Directory, "events.out.tfevents.*");

    public void Dispose() { }
}
