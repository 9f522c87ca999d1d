using PointsMall.Actors;

namespace PointsMall.EngineBenchmark;

public interface IBenchCounterGrain : IGrain
{
    Task<long> AddAsync(long amount);

    Task<long> GetAsync();
}

public sealed record BenchCounterState
{
    public long Value { get; init; }
}

/// <summary>The smallest state-changing grain: what the runtime costs, with as little grain as possible.</summary>
public sealed class BenchCounterGrain(IPersistentState<BenchCounterState> state) : Grain, IBenchCounterGrain
{
    public Task<long> AddAsync(long amount)
    {
        state.State = state.State with { Value = state.State.Value + amount };
        return Task.FromResult(state.State.Value);
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}
