using Orleans.Concurrency;

namespace PointsMall.GroupCommit.CrashHost;

[Alias("crash-counter")]
public interface ICrashCounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync();
}

[Alias("crash-hot-counter")]
public interface ICrashHotCounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync();
}

public sealed record CrashCounterState
{
    public long Value { get; init; }
}

/// <summary>An ordinary grain: each call is a turn, committed before its reply.</summary>
[GrainType("crash-counter")]
public sealed class CrashCounterGrain([PipelinedState("state", Program.Storage)] IPipelinedState<CrashCounterState> state) : Grain, ICrashCounterGrain
{
    public Task<long> AddAsync()
    {
        state.State = state.State with { Value = state.State.Value + 1 };
        return Task.FromResult(state.State.Value);
    }
}

/// <summary>A hot grain: reentrant, pipelined (calls made while a write is in flight share the next one).</summary>
[Reentrant]
[GrainType("crash-hot-counter")]
public sealed class CrashHotCounterGrain([PipelinedState("state", Program.Storage)] IPipelinedState<CrashCounterState> state) : Grain, ICrashHotCounterGrain
{
    public Task<long> AddAsync()
    {
        state.State = state.State with { Value = state.State.Value + 1 };
        return Task.FromResult(state.State.Value);
    }
}
