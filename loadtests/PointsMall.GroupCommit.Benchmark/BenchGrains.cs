using Orleans.Concurrency;

namespace PointsMall.GroupCommit.Benchmark;

[Alias("bench-counter")]
public interface IBenchCounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync(long amount);

    [Alias("get")]
    Task<long> GetAsync();
}

public sealed record BenchState
{
    public long Value { get; init; }
}

/// <summary>The usual Orleans shape: a non-reentrant grain that awaits its write in every call.</summary>
[GrainType("bench-awaiting")]
public sealed class AwaitingCounterGrain([PersistentState("state", Stores.Name)] IPersistentState<BenchState> state) : Grain, IBenchCounterGrain
{
    public async Task<long> AddAsync(long amount)
    {
        state.State = state.State with { Value = state.State.Value + amount };
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}

/// <summary>The pipelined shape: reentrant, changes synchronously, then awaits the write that holds the change.</summary>
[Reentrant]
[GrainType("bench-pipelined")]
public sealed class PipelinedCounterGrain([PipelinedState("state", Stores.Name)] IPipelinedState<BenchState> state) : Grain, IBenchCounterGrain
{
    public async Task<long> AddAsync(long amount)
    {
        var value = state.State.Value + amount;
        state.State = state.State with { Value = value };
        await state.CommitAsync();
        return value;
    }

    // The turn filter holds the reply until what it read is durable (at once here: nothing is in flight).
    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}

public static class Stores
{
    public const string Name = "bench";
}
