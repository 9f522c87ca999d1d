using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;

namespace PointsMall.GroupCommit.Tests.Grains;

/// <summary>An ordinary (non-reentrant) grain whose calls are turns: it changes its state and returns, nothing more.</summary>
[Alias("turn")]
public interface ITurnGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task<long> AddAsync(long amount);

    [Alias("add-then-fail")]
    Task AddThenFailAsync(long amount);

    [Alias("get")]
    Task<long> GetAsync();

    [Alias("set-reminder")]
    Task SetReminderAsync(string name, DateTimeOffset dueAt);

    [Alias("remove-reminder")]
    Task RemoveReminderAsync(string name);
}

[GrainType("turn")]
public sealed class TurnGrain([PipelinedState("state", GrainsUnderTest.Storage)] IPipelinedState<CounterState> state, Probe probe) : Grain, ITurnGrain, IRemindable
{
    public const string Stream = "turns";
    public const string Index = "turns";

    public Task<long> AddAsync(long amount)
    {
        var key = this.GetPrimaryKeyString();
        var value = state.State.Value + amount;
        state.State = state.State with { Value = value };
        state.Staged.Publish($"{Stream}/{key}", "added", new CounterAdded(key, amount, value));
        state.Staged.PutIndexEntry(Index, key, new IndexEntry(null, null, value, null, []));
        return Task.FromResult(value);
    }

    public async Task AddThenFailAsync(long amount)
    {
        await AddAsync(amount);
        state.Staged.SetReminder("never", DateTimeOffset.UtcNow.AddDays(1));
        throw new InvalidOperationException("refused after changing the state");
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);

    public Task SetReminderAsync(string name, DateTimeOffset dueAt)
    {
        state.Staged.SetReminder(name, dueAt);
        return Task.CompletedTask;
    }

    public Task RemoveReminderAsync(string name)
    {
        state.Staged.RemoveReminder(name);
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // A one-shot: the grain removes it in the same turn as it handles it, and the removal follows the write.
        state.State = state.State with { Value = state.State.Value + 1000 };
        state.Staged.RemoveReminder(reminderName);
        probe.Reminded(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}
