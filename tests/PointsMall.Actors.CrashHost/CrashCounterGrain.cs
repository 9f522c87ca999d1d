namespace PointsMall.Actors.CrashHost;

public interface ICrashCounterGrain : IGrain
{
    Task<long> IncrementAsync();
}

public sealed record CrashCounterState
{
    public long Value { get; init; }
}

public sealed class CrashCounterGrain(IPersistentState<CrashCounterState> state) : Grain, ICrashCounterGrain
{
    public Task<long> IncrementAsync()
    {
        state.State = state.State with { Value = state.State.Value + 1 };
        return Task.FromResult(state.State.Value);
    }
}
