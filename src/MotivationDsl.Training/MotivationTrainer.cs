using System.Diagnostics;
using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>How a <see cref="MotivationTrainer"/> trains.</summary>
public sealed class TrainerOptions
{
    /// <summary>Hyperparameters of both optimizers (one per model, same settings).</summary>
    public required OptimizerOptions Optimizer { get; init; }

    /// <summary>LR schedule on the shared global-step clock; null keeps the optimizer's learning rate.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>When the motivated model trains. Default: the paper's <see cref="ConsecutiveDecrease"/> with k = 2.</summary>
    public IMotivationCondition Condition { get; init; } = new ConsecutiveDecrease(2);

    /// <summary>Loss of (logits, target) for classification; must reduce to a scalar mean over the batch. Default: cross entropy.</summary>
    public Func<Tensor, Tensor, Tensor>? Loss { get; init; }

    /// <summary>Loss and metrics (<see cref="ClassificationTask"/>, <see cref="LanguageModelTask"/>). Null: from the model's <see cref="ScalableModelDefinition.ModelTask"/> (<see cref="TrainingTasks.For"/>).</summary>
    public ITrainingTask? TrainingTask { get; init; }

    /// <summary>Clip the active model's gradient to this global L2 norm before every step (torch.nn.utils.clip_grad_norm_); null: no clipping.</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>Callbacks, run in this order.</summary>
    public IReadOnlyList<TrainerCallback> Callbacks { get; init; } = [];

    /// <summary>If set, <c>torch.manual_seed(Seed)</c> when a fresh run starts (not on resume: the checkpoint's RNG state wins).</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// LibTorch's CPU thread count (<c>torch.set_num_threads</c>), set for the whole process when the trainer is created;
    /// null leaves LibTorch's choice. Bitwise-exact resume needs the same count as the interrupted run.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Count correct training predictions per model (argmax of [B, classes] logits vs [B] targets) on the device and
    /// read them once per epoch: no extra sync per batch. Ignored for outputs of another shape.
    /// </summary>
    public bool TrackTrainAccuracy { get; init; } = true;

    /// <summary>
    /// Zero-copy pairs for <see cref="MotivationTrainer.Create"/>: the base's mapped parameters, buffers and optimizer
    /// state are views of their regions in the motivated model and optimizer (see <see cref="WeightsMap.BindShared"/>),
    /// so a switch copies nothing but step counts. Same training, bitwise, as the default copy mode (tested); the one
    /// visible difference is that the motivated model's mapped regions always hold the latest shared weights, also
    /// while the base trains (in copy mode they are refreshed at the next switch). A pair passed to the constructor
    /// decides for itself (<c>definition.CreatePair(device, seed, zeroCopy: true)</c>).
    /// </summary>
    public bool ZeroCopy { get; init; }

    /// <summary>What a NaN or infinite training loss does: stop the fit (default) or skip the batch. See <see cref="NonFiniteLossPolicy"/>.</summary>
    public NonFiniteLossPolicy NonFiniteLoss { get; init; } = NonFiniteLossPolicy.Stop;

    /// <summary>
    /// The ranks of a data-parallel run (<see cref="Communicators.FromEnvironment"/>); null or a world of one trains in
    /// this process alone. With more ranks every rank runs the same trainer on its shard of each batch: see docs/distributed.md.
    /// </summary>
    public ICommunicator? Communicator { get; init; }

    /// <summary>
    /// Memory layout of 4-D weights and inputs: <see cref="MotivationTrainer.Create"/> lays out both models in it, and every
    /// 4-D training and evaluation input is converted to it. Default contiguous (NCHW), chosen by measurement
    /// (docs/performance.md, "Memory format"). A pair passed to the constructor keeps its weights' layout
    /// (<c>definition.CreatePair(device, seed, options, zeroCopy, MemoryFormat.ChannelsLast)</c>).
    /// </summary>
    public MemoryFormat MemoryFormat { get; init; } = MemoryFormat.Contiguous;

    /// <summary>
    /// On a CPU device, whether the trainer makes the process's C heap keep freed tensor memory for the next step
    /// (<see cref="NativeHeapPolicy.Retain"/>, <see cref="MotivationDsl.Training.NativeHeap.Retain"/>; process-wide, like
    /// <see cref="Threads"/>). Default <see cref="NativeHeapPolicy.System"/>, chosen by measurement (docs/performance.md,
    /// "Native heap"); no value changes either way.
    /// </summary>
    public NativeHeapPolicy NativeHeap { get; init; } = NativeHeapPolicy.System;
}

/// <summary>
/// The paper's Algorithm 1 over a <see cref="MotivationPair"/>: per batch the active model trains with its own
/// optimizer; the condition, fed with the raw batch loss, decides whether the motivated model trains the next
/// batch; switches copy weights, buffers and optimizer state through the weights map; every epoch ends
/// un-motivated; both models are evaluated after every epoch. See docs/trainer.md.
/// </summary>
public sealed class MotivationTrainer : IDisposable
{
    private readonly bool _ownsPair;
    private readonly List<EpochMetrics> _history = [];
    private readonly ITrainingTask _task;
    private bool _stop;
    private readonly DataParallel? _parallel;

    /// <param name="pair">Base and motivated models with the bound map (their mapped regions should agree, as <see cref="ScalableModelDefinition.CreatePair"/> leaves them).</param>
    /// <param name="ownsPair">Dispose the pair with the trainer.</param>
    public MotivationTrainer(MotivationPair pair, TrainerOptions options, bool ownsPair = false)
    {
        Pair = pair ?? throw new ArgumentNullException(nameof(pair));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Threads is { } threads)
        {
            if (threads < 1) throw new ArgumentOutOfRangeException(nameof(options), threads, "TrainerOptions.Threads must be at least 1.");
            set_num_threads(threads);
        }
        _ownsPair = ownsPair;
        _task = options.TrainingTask ?? TrainingTasks.For(pair.Definition, options.Loss);
        if (options.TrainingTask is not null && options.Loss is not null) throw new ArgumentException("Give either TrainerOptions.Loss (classification) or TrainerOptions.TrainingTask, not both.", nameof(options));
        if (options.MaxGradientNorm is <= 0 or double.NaN) throw new ArgumentOutOfRangeException(nameof(options), $"MaxGradientNorm must be positive, got {options.MaxGradientNorm}.");
        BaseOptimizer = options.Optimizer.Create(pair.Base.named_parameters().Select(p => (p.name, p.parameter)));
        MotivatedOptimizer = options.Optimizer.Create(pair.Motivated.named_parameters().Select(p => (p.name, p.parameter)));
        if (pair.Map.SharedCount > 0) ShareOptimizerState();
        Device = pair.Base.parameters().FirstOrDefault()?.device ?? CPU;
        if (options.NativeHeap == NativeHeapPolicy.Retain && Device.type == DeviceType.CPU) NativeHeap.Retain();
        _parallel = options.Communicator is { Size: > 1 } world ? new DataParallel(world) : null;
        Accounting = new Accounting { BaseFlops = pair.BaseInfo.Flops, MotivatedFlops = pair.MotivatedInfo.Flops, TokensPerSample = _task.TokensPerSample(pair.BaseInfo) };
        var keys = options.Callbacks.OfType<ICheckpointableCallback>().GroupBy(c => c.StateKey).FirstOrDefault(g => g.Count() > 1);
        if (keys is not null) throw new ArgumentException($"Two callbacks share the checkpoint key '{keys.Key}'.", nameof(options));
    }

    /// <summary>Creates the pair of <paramref name="definition"/> on <paramref name="device"/> (seeded by <see cref="TrainerOptions.Seed"/>) and a trainer that owns it.</summary>
    public static MotivationTrainer Create(ScalableModelDefinition definition, TrainerOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new MotivationTrainer(definition.CreatePair(device, options.Seed, null, options.ZeroCopy, options.MemoryFormat), options, ownsPair: true);
    }

    public MotivationPair Pair { get; }
    public ScalableModelDefinition Definition => Pair.Definition;
    public TrainerOptions Options { get; }
    public IMotivationCondition Condition => Options.Condition;
    public ITrainingTask TrainingTask => _task;
    public MotivationOptimizer BaseOptimizer { get; }
    public MotivationOptimizer MotivatedOptimizer { get; }
    public Device Device { get; }

    /// <summary>Ranks of the data-parallel run (1: this process alone).</summary>
    public int WorldSize => Options.Communicator?.Size ?? 1;

    /// <summary>This process's rank; rank 0 writes checkpoints, reports and exports.</summary>
    public int Rank => Options.Communicator?.Rank ?? 0;

    public bool IsPrimaryRank => Rank == 0;

    /// <summary>Data-parallel state (null in a single-process run); the benchmarks read its communication time.</summary>
    internal DataParallel? Parallel => _parallel;

    /// <summary>The model that trains on the next batch.</summary>
    public ModelRole Active { get; private set; } = ModelRole.Base;

    /// <summary>Finished epochs; the next <see cref="Fit"/> continues with this (0-based) epoch.</summary>
    public int CompletedEpochs => _history.Count;

    /// <summary>Batches trained so far (the LR schedule's clock).</summary>
    public long GlobalStep { get; private set; }

    public Accounting Accounting { get; private set; }

    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>Asks the fit to stop after the current epoch (used by <see cref="EarlyStopping"/>).</summary>
    public void RequestStop() => _stop = true;

    public bool StopRequested => _stop;

    /// <summary>
    /// Trains until <paramref name="epochs"/> epochs are complete in total (a resumed trainer continues from
    /// <see cref="CompletedEpochs"/>), or a callback requests a stop.
    /// </summary>
    /// <param name="test">Test data; both models are evaluated on it after every epoch. Null skips evaluation.</param>
    public FitReport Fit(IDataLoader train, IDataLoader? test, int epochs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.BatchCount <= 0) throw new ArgumentException("The training loader yields no batches.", nameof(train));
        if (GlobalStep == 0 && CompletedEpochs == 0 && Options.Seed is { } seed) manual_seed(seed);
        if (_parallel is not null)
        {
            _parallel.BroadcastState(Pair);
            train = _parallel.Shard(train);
        }
        _stop = false;
        foreach (var c in Options.Callbacks) c.OnFitStart(this);
        while (CompletedEpochs < epochs && !_stop)
            RunEpoch(train, test, CompletedEpochs, cancellationToken);
        var report = Report();
        foreach (var c in Options.Callbacks) c.OnFitEnd(this, report);
        return report;
    }

    /// <summary>The report of everything trained so far.</summary>
    public FitReport Report() => new()
    {
        Model = Definition.Name,
        BaseVariant = Definition.BaseVariant,
        MotivatedVariant = Definition.MotivatedVariant,
        Condition = Condition.Name,
        Optimizer = BaseOptimizer.Kind,
        Epochs = _history.ToArray(),
        Accounting = Accounting.Clone(),
        FinalBase = (_history.Count > 0 ? _history[^1].BaseTest : null) ?? EvalResult.NotEvaluated,
        FinalMotivated = (_history.Count > 0 ? _history[^1].MotivatedTest : null) ?? EvalResult.NotEvaluated,
        StoppedEarly = _stop,
    };

    private void RunEpoch(IDataLoader train, IDataLoader? test, int epoch, CancellationToken ct)
    {
        var epochStart = Stopwatch.GetTimestamp();
        foreach (var c in Options.Callbacks) c.OnEpochStart(this, epoch);
        Pair.Base.train();
        Pair.Motivated.train();
        var spe = train.BatchCount;
        var needNorm = Condition.NeedsGradientNorm;
        // An activation counts once the motivated model trains a batch: a trigger on an epoch's last batch switches, trains
        // nothing and is switched back (Accounting.SwitchesToMotivated counts it, EpochMetrics.Activations does not).
        int baseBatches = 0, motBatches = 0, activations = 0, skipped = 0;
        var activationPending = false;
        long baseSamples = 0, motSamples = 0, basePredictions = 0, motPredictions = 0;
        using var baseCorrect = zeros(1, ScalarType.Int64, Device);
        using var motCorrect = zeros(1, ScalarType.Int64, Device);
        var accuracyTracked = Options.TrackTrainAccuracy;
        if (Condition.StartsEpochMotivated && Active == ModelRole.Base) { Switch(MapDirection.BaseToMotivated, forced: false, epoch); activationPending = true; }
        double baseLossSum = 0, motLossSum = 0, lr = BaseOptimizer.LearningRate;
        using (var batches = train.Batches(epoch).GetEnumerator())
        {
            for (var b = 0; ; b++)
            {
                if (ct.IsCancellationRequested)
                {
                    // Leave the base holding the latest shared weights; the partial epoch is not recorded.
                    if (Active == ModelRole.Motivated) Switch(MapDirection.MotivatedToBase, forced: true, epoch);
                    ct.ThrowIfCancellationRequested();
                }
                var t0 = Stopwatch.GetTimestamp();
                double loss, gradNorm = double.NaN;
                long samples, predictions;
                var role = Active;
                using (var scope = NewDisposeScope())
                {
                    if (!batches.MoveNext()) break;
                    var (input, target) = batches.Current;
                    input = OnDevice(input);
                    target = OnDevice(target);
                    samples = input.shape[0];
                    predictions = _task.Predictions(input, target);

                    if (Options.Schedule is { } schedule) lr = schedule.At(GlobalStep, spe);
                    // One clock for both: the inactive optimizer gets the same LR, so a switch never changes the LR.
                    BaseOptimizer.LearningRate = lr;
                    MotivatedOptimizer.LearningRate = lr;
                    foreach (var c in Options.Callbacks) c.OnBatchStart(this, epoch, b, GlobalStep, role);

                    var (model, opt) = role == ModelRole.Base ? (Pair.Base, BaseOptimizer) : (Pair.Motivated, MotivatedOptimizer);
                    opt.ZeroGrad();
                    var output = model.call(input);
                    var lossT = _task.Loss(output, target);
                    lossT.backward();
                    var reduced = _parallel?.AfterBackward(role, model, lossT, samples);
                    if (reduced is { } global)
                    {
                        // The all-reduce already read the loss: only the global one is used (and the norm, if needed).
                        // Predictions per sample are the same on every rank (1, or the context length of a language model).
                        predictions = predictions * global.Samples / samples;
                        (loss, samples) = global;
                        if (needNorm) gradNorm = GradientNorm(model).to(ScalarType.Float64).item<double>();
                    }
                    else if (needNorm)
                    {
                        // Still one host read: loss and norm come back together.
                        var both = stack([lossT.detach().to(ScalarType.Float64), GradientNorm(model)]).cpu();
                        var v = both.data<double>();
                        loss = v[0];
                        gradNorm = v[1];
                    }
                    else loss = lossT.dtype == ScalarType.Float32 ? lossT.item<float>() : lossT.to(ScalarType.Float64).item<double>();
                    // Checked before the step: a non-finite loss never reaches the weights.
                    if (NonFiniteLossGuard.SkipBatch(Options.NonFiniteLoss, epoch, b, GlobalStep, role, loss))
                    {
                        skipped++;
                        Accounting.SkippedBatches++;
                        continue;
                    }
                    if (accuracyTracked)
                    {
                        using (no_grad())
                        {
                            if (_task.Correct(output, target) is { } correct) (role == ModelRole.Base ? baseCorrect : motCorrect).add_(correct);
                            else accuracyTracked = false;
                        }
                    }
                    ClipGradients(model);
                    opt.Step();
                }
                var t1 = Stopwatch.GetTimestamp();
                var seconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                if (role == ModelRole.Base)
                {
                    baseBatches++; baseLossSum += loss; baseSamples += samples; basePredictions += predictions;
                    Accounting.BaseBatches++; Accounting.BaseSamples += samples; Accounting.TrainBaseSeconds += seconds;
                }
                else
                {
                    motBatches++; motLossSum += loss; motSamples += samples; motPredictions += predictions;
                    if (activationPending) { activations++; activationPending = false; }
                    Accounting.MotivatedBatches++; Accounting.MotivatedSamples += samples; Accounting.TrainMotivatedSeconds += seconds;
                }

                var next = Condition.Update(new BatchSignal(epoch, b, GlobalStep, loss, role == ModelRole.Motivated, gradNorm));
                var result = new BatchResult(epoch, b, GlobalStep, loss, role, lr, gradNorm, next);
                GlobalStep++;
                foreach (var c in Options.Callbacks) c.OnBatchEnd(this, result);
                if (next && Active == ModelRole.Base) { Switch(MapDirection.BaseToMotivated, forced: false, epoch); activationPending = true; }
                else if (!next && Active == ModelRole.Motivated) Switch(MapDirection.MotivatedToBase, forced: false, epoch);
            }
        }
        NonFiniteLossGuard.CheckEpoch(epoch, baseBatches + motBatches, skipped, GlobalStep, Active);
        if (Active == ModelRole.Motivated) Switch(MapDirection.MotivatedToBase, forced: true, epoch);
        _parallel?.AverageBuffers(Pair.Base);
        Condition.OnEpochEnd(epoch);

        double baseTrainAcc = double.NaN, motTrainAcc = double.NaN;
        if (accuracyTracked)
        {
            using var scope = NewDisposeScope();
            var v = cat([baseCorrect, motCorrect]).to(ScalarType.Float64).cpu().data<double>().ToArray();
            _parallel?.Sum(v);
            if (basePredictions > 0) baseTrainAcc = v[0] / basePredictions;
            if (motPredictions > 0) motTrainAcc = v[1] / motPredictions;
        }

        EvalResult? baseTest = null, motTest = null;
        if (test is not null)
        {
            var e0 = Stopwatch.GetTimestamp();
            baseTest = Evaluate(ModelRole.Base, test);
            motTest = Evaluate(ModelRole.Motivated, test);
            Accounting.EvalSeconds += Stopwatch.GetElapsedTime(e0).TotalSeconds;
        }
        var metrics = new EpochMetrics
        {
            Epoch = epoch,
            GlobalStep = GlobalStep,
            BaseBatches = baseBatches,
            MotivatedBatches = motBatches,
            BaseTrainLoss = baseBatches > 0 ? baseLossSum / baseBatches : double.NaN,
            MotivatedTrainLoss = motBatches > 0 ? motLossSum / motBatches : double.NaN,
            TrainLoss = baseBatches + motBatches > 0 ? (baseLossSum + motLossSum) / (baseBatches + motBatches) : double.NaN,
            BaseTrainAccuracy = baseTrainAcc,
            MotivatedTrainAccuracy = motTrainAcc,
            BaseSamples = baseSamples,
            MotivatedSamples = motSamples,
            MeanForwardFlops = baseSamples + motSamples == 0 ? 0
                : ((double)baseSamples * Accounting.BaseFlops + (double)motSamples * Accounting.MotivatedFlops) / (baseSamples + motSamples),
            Activations = activations,
            LearningRate = lr,
            BaseTest = baseTest,
            MotivatedTest = motTest,
            Seconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds,
            SkippedBatches = skipped,
        };
        _history.Add(metrics);
        foreach (var c in Options.Callbacks) c.OnEpochEnd(this, metrics);
    }

    private Tensor OnDevice(Tensor t) =>
        (t.device_type == Device.type && (Device.type == DeviceType.CPU || t.device_index == Device.index) ? t : t.to(Device)).In(Options.MemoryFormat);

    private void ClipGradients(nn.Module model)
    {
        if (Options.MaxGradientNorm is { } max) GradientClipping.ClipByNorm(model.parameters(), max);
    }

    private static Tensor GradientNorm(nn.Module model)
    {
        Tensor? total = null;
        foreach (var p in model.parameters())
        {
            var g = p.grad;
            if (g is null) continue;
            var sq = g.to(ScalarType.Float64).square().sum();
            total = total is null ? sq : total.add_(sq);
        }
        return total is null ? zeros(1, ScalarType.Float64).squeeze() : total.sqrt();
    }

    /// <summary>
    /// Makes the motivated model active: copies the base's mapped weights and buffers into it, and the base
    /// optimizer's per-parameter state (every state tensor and the step count) into the motivated optimizer
    /// through the same map. Parameters only the motivated model has keep their values and state. At the first
    /// activation of a function-preserving map (<see cref="WeightsMap.PreservesFunction"/>), the growth steps follow
    /// the copy, so the motivated model starts from the base's function.
    /// </summary>
    public void SwitchToMotivated()
    {
        if (Active == ModelRole.Motivated) throw new InvalidOperationException("The motivated model is already active.");
        Switch(MapDirection.BaseToMotivated, forced: false, CompletedEpochs);
    }

    /// <summary>Makes the base active again: the reverse copy of <see cref="SwitchToMotivated"/>.</summary>
    public void SwitchToBase()
    {
        if (Active == ModelRole.Base) throw new InvalidOperationException("The base model is already active.");
        Switch(MapDirection.MotivatedToBase, forced: false, CompletedEpochs);
    }

    private void Switch(MapDirection direction, bool forced, int epoch)
    {
        var t0 = Stopwatch.GetTimestamp();
        _parallel?.AverageBuffers(direction == MapDirection.BaseToMotivated ? Pair.Base : Pair.Motivated);
        using (NewDisposeScope()) CopyState(direction);
        // Function-preserving growth starts from the base's function: once, at the first activation, after the base's
        // weights are in place (the counter is checkpointed, so a resumed run does not apply it again).
        if (direction == MapDirection.BaseToMotivated && Accounting.SwitchesToMotivated == 0) Pair.Map.ApplyGrowth();
        Active = direction == MapDirection.BaseToMotivated ? ModelRole.Motivated : ModelRole.Base;
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        Accounting.SwitchSeconds += seconds;
        if (direction == MapDirection.BaseToMotivated) Accounting.SwitchesToMotivated++;
        else
        {
            Accounting.SwitchesToBase++;
            if (forced) Accounting.ForcedSwitchesToBase++;
        }
        var e = new SwitchEvent(direction, forced, epoch, GlobalStep, seconds);
        foreach (var c in Options.Callbacks) c.OnSwitch(this, e);
    }

    // Zero-copy: the base optimizer's state for a shared parameter becomes a view of the motivated optimizer's state
    // region, so the base's steps update the motivated optimizer's state in place (as they update its weights).
    private bool[]? _stateShared;

    private void ShareOptimizerState()
    {
        var b = BaseOptimizer;
        var m = MotivatedOptimizer;
        var entries = Pair.Map.Entries;
        _stateShared = new bool[entries.Count];
        using var _ = no_grad();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.Shared || e.Entry.Kind != TensorKind.Parameter || !b.HasParameter(e.Entry.BaseName) || !m.HasParameter(e.Entry.MotivatedName)) continue;
            foreach (var s in b.StateNames)
            {
                var region = WeightsMap.RegionView(m.GetState(e.Entry.MotivatedName, s), e.Entry.Region);
                b.ShareState(e.Entry.BaseName, s, region);
            }
            _stateShared[i] = true;
        }
    }

    // What a switch copies, resolved once (the optimizer state tensors never change identity after construction):
    // (base state, view of its region in the motivated state) for every unshared mapped parameter and state name,
    // and (base slot, motivated slot) for the step counts. Before: one RegionView (two native calls and a dispose)
    // and two dictionary look-ups per entry, state name and switch.
    private TensorCopyPlan? _statePlan;
    private readonly List<Tensor> _stateRegions = [];
    private (int Base, int Motivated)[]? _stepPlan;

    private void BuildSwitchPlan()
    {
        var b = BaseOptimizer;
        var m = MotivatedOptimizer;
        var state = new TensorCopyPlan();
        var steps = new List<(int, int)>();
        var entries = Pair.Map.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Entry;
            if (entry.Kind != TensorKind.Parameter || !b.HasParameter(entry.BaseName) || !m.HasParameter(entry.MotivatedName)) continue;
            steps.Add((b.SlotIndex(entry.BaseName), m.SlotIndex(entry.MotivatedName)));
            if (_stateShared is { } shared && shared[i]) continue;
            foreach (var s in b.StateNames)
            {
                var bs = b.GetState(entry.BaseName, s);
                var ms = m.GetState(entry.MotivatedName, s);
                if (!bs.shape.AsSpan().SequenceEqual(entry.BaseShape) || !ms.shape.AsSpan().SequenceEqual(entry.MotivatedShape))
                    throw new WeightsMapMismatchException($"Optimizer state '{s}' of '{entry.BaseName}' -> '{entry.MotivatedName}' does not have the mapped shapes.");
                if (entry.Pieces is null)
                {
                    var region = WeightsMap.RegionView(ms, entry.Region).DetachFromDisposeScope();
                    _stateRegions.Add(region);
                    state.Add(bs, region);
                    continue;
                }
                // Head-aware (piecewise) entries: one (base part, motivated part) pair per piece.
                foreach (var piece in entry.Pieces)
                {
                    var basePart = WeightsMap.RegionView(bs, piece.Base).DetachFromDisposeScope();
                    var region = WeightsMap.RegionView(ms, piece.Motivated).DetachFromDisposeScope();
                    _stateRegions.Add(basePart);
                    _stateRegions.Add(region);
                    state.Add(basePart, region);
                }
            }
        }
        _statePlan = state;
        _stepPlan = steps.ToArray();
    }

    private void CopyState(MapDirection direction)
    {
        Pair.Map.Copy(direction);
        if (_statePlan is null) BuildSwitchPlan();
        if (direction == MapDirection.BaseToMotivated) _statePlan!.CopyAToB();
        else _statePlan!.CopyBToA();
        var b = BaseOptimizer;
        var m = MotivatedOptimizer;
        foreach (var (bi, mi) in _stepPlan!)
        {
            if (direction == MapDirection.BaseToMotivated) m.SetStepAt(mi, b.GetStepAt(bi));
            else b.SetStepAt(bi, m.GetStepAt(mi));
        }
    }

    /// <summary>Loss and accuracy (means per prediction: per sample, or per token for a language model) of one model on <paramref name="data"/> (its epoch-0 batches), in eval mode without gradients.</summary>
    public EvalResult Evaluate(ModelRole role, IDataLoader data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_parallel is not null) data = _parallel.Shard(data);
        var model = role == ModelRole.Base ? Pair.Base : Pair.Motivated;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var lossSum = zeros(1, ScalarType.Float64, Device);
            using var correct = zeros(1, ScalarType.Int64, Device);
            long n = 0, predictions = 0;
            var accuracyMeasured = true;
            using (var batches = data.Batches(0).GetEnumerator())
            {
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (!batches.MoveNext()) break;
                    var (input, target) = batches.Current;
                    input = OnDevice(input);
                    target = OnDevice(target);
                    var count = _task.Predictions(input, target);
                    var output = model.call(input);
                    lossSum.add_(_task.Loss(output, target).to(ScalarType.Float64).mul(count));
                    if (_task.Correct(output, target) is { } c) correct.add_(c);
                    else accuracyMeasured = false;
                    n += input.shape[0];
                    predictions += count;
                }
            }
            using var tail = NewDisposeScope();
            double[] v = [.. cat([lossSum, correct.to(ScalarType.Float64)]).cpu().data<double>(), n, predictions];
            _parallel?.Sum(v);
            n = (long)v[2];
            predictions = (long)v[3];
            if (n == 0) return new EvalResult(double.NaN, double.NaN, 0);
            return _task.Evaluation(v[0] / predictions, accuracyMeasured ? v[1] / predictions : double.NaN, n, predictions);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>Writes a checkpoint of the whole training state to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path) => TrainerCheckpoint.Save(this, path);

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same model and variants; the next
    /// <see cref="Fit"/> continues exactly where the checkpointed run was. Throws <see cref="CheckpointMismatchException"/>
    /// for another architecture.
    /// </summary>
    public void LoadCheckpoint(string path) => TrainerCheckpoint.Load(this, path);

    internal void RestoreProgress(IEnumerable<EpochMetrics> history, long globalStep, Accounting accounting)
    {
        _history.Clear();
        _history.AddRange(history);
        GlobalStep = globalStep;
        Accounting = accounting;
        Active = ModelRole.Base;
    }

    public void Dispose()
    {
        _parallel?.Dispose();
        _statePlan?.Dispose();
        foreach (var region in _stateRegions) region.Dispose();
        BaseOptimizer.Dispose();
        MotivatedOptimizer.Dispose();
        if (_ownsPair) Pair.Dispose();
    }
}
