using Xunit;

// torch.manual_seed and the global generator are process state: tests that create two pairs from one seed and
// compare them must not interleave with another class drawing random numbers (that made ZeroCopyPairTests flaky).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
