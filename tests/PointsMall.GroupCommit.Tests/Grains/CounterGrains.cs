using Orleans.Concurrency;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;

namespace PointsMall.GroupCommit.Tests.Grains;

/// <summary>A counter whose every change is one awaited write (the usual Orleans shape), with an event and an index entry.</summary>
[Alias("counter")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync(long amount);

    [Alias("get")]
    Task<long> GetAsync();
}

/// <summary>A hot counter that pipelines its writes (reentrant, changes synchronously, then awaits the barrier).</summary>
[Alias("hot-counter")]
public interface IHotCounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync(long amount);

    [Alias("get")]
    Task<long> GetAsync();
}

public sealed record CounterState
{
    public long Value { get; init; }
}

public sealed record CounterAdded(string Counter, long Amount, long Value);

[GrainType("counter")]
public sealed class CounterGrain([PersistentState("state", GrainsUnderTest.Storage)] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public const string Stream = "counters";
    public const string Index = "counters";

    public async Task<long> AddAsync(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var key = this.GetPrimaryKeyString();
        var value = state.State.Value + amount;
        state.State = state.State with { Value = value };
        var staged = GrainContext.StagedWrites();
        staged.Publish(Stream, "added", new CounterAdded(key, amount, value));
        staged.PutIndexEntry(Index, key, new IndexEntry(Partition: null, Tag: null, SortKey: value, Text: null, Payload: []));

        await state.WriteStateAsync();
        return value;
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}

[Reentrant]
[GrainType("hot-counter")]
public sealed class HotCounterGrain([PipelinedState("state", GrainsUnderTest.Storage)] IPipelinedState<CounterState> state, Probe probe) : Grain, IHotCounterGrain
{
    private int _inside;

    public async Task<long> AddAsync(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);

        // The synchronous part is the whole change; overlap would show as a second caller inside it.
        probe.Inside(Interlocked.Increment(ref _inside));
        var value = state.State.Value + amount;
        state.State = state.State with { Value = value };
        var commit = state.CommitAsync();
        Interlocked.Decrement(ref _inside);
        probe.Changed(this.GetPrimaryKeyString(), value);
        await commit;
        return value;
    }

    public async Task<long> GetAsync()
    {
        var value = state.State.Value;
        var durable = state.WhenDurableAsync();
        probe.Read(this.GetPrimaryKeyString(), value);
        await durable;
        return value;
    }
}

public static class GrainsUnderTest
{
    public const string Storage = "store";
}
