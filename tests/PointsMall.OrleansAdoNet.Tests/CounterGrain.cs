namespace PointsMall.OrleansAdoNet.Tests;

[Alias("adonet-counter")]
public interface IAdoNetCounterGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync(long amount);

    [Alias("get")]
    Task<long> GetAsync();
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public long Value { get; set; }
}

/// <summary>The usual Orleans grain: every change awaits its own write through the stock ADO.NET storage.</summary>
[GrainType("adonet-counter")]
public sealed class AdoNetCounterGrain([PersistentState("state", AdoNetSilo.StorageName)] IPersistentState<CounterState> state) : Grain, IAdoNetCounterGrain
{
    public async Task<long> AddAsync(long amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);
}
