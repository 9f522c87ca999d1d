using System.Collections.Immutable;
using PointsMall.Actors.Hosting;
using PointsMall.Actors.Streams;
using PointsMall.Actors.Tests.Support;

namespace PointsMall.Actors.Tests.Grains;

public interface ICounterGrain : IGrain
{
    Task<long> AddAsync(long amount);

    Task<long> GetAsync();

    /// <summary>Changes the state, then throws: the change must not survive.</summary>
    Task AddThenFailAsync(long amount);

    /// <summary>A read-only turn that reports to the probe that it ran.</summary>
    Task<long> ProbeAsync(string signal);

    /// <summary>Adds and publishes a <see cref="CounterChanged"/> on stream (counter, key).</summary>
    Task<long> AddAndPublishAsync(long amount);

    /// <summary>Publishes, then throws: the event must never be delivered.</summary>
    Task PublishThenFailAsync(long amount);
}

public sealed record CounterState
{
    public long Value { get; init; }
}

public sealed record CounterChanged(string Key, long Value);

public sealed class CounterGrain(IPersistentState<CounterState> state, Probe probe) : Grain, ICounterGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Hit($"activate:{GrainKey}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Hit($"deactivate:{GrainKey}");
        probe.Hit($"deactivate:{reason}");
        return Task.CompletedTask;
    }

    public Task<long> AddAsync(long amount)
    {
        state.State = state.State with { Value = state.State.Value + amount };
        return Task.FromResult(state.State.Value);
    }

    public Task<long> GetAsync() => Task.FromResult(state.State.Value);

    public Task AddThenFailAsync(long amount)
    {
        state.State = state.State with { Value = state.State.Value + amount };
        throw new InvalidOperationException("refused after changing state");
    }

    public Task<long> ProbeAsync(string signal)
    {
        probe.Hit(signal);
        return Task.FromResult(state.State.Value);
    }

    public Task<long> AddAndPublishAsync(long amount)
    {
        state.State = state.State with { Value = state.State.Value + amount };
        Publish(new StreamId("counter", GrainKey), new CounterChanged(GrainKey, state.State.Value));
        return Task.FromResult(state.State.Value);
    }

    public Task PublishThenFailAsync(long amount)
    {
        Publish(new StreamId("counter", GrainKey), new CounterChanged(GrainKey, -amount));
        throw new InvalidOperationException("refused after publishing");
    }
}

public interface ISerialGrain : IGrain
{
    /// <summary>Records the sequence number; returns how many calls so far ran out of arrival order.</summary>
    Task<int> EnterAsync(int sequence);
}

public sealed class SerialGrain(Probe probe) : Grain, ISerialGrain
{
    private int _last = -1;
    private int _outOfOrder;

    public async Task<int> EnterAsync(int sequence)
    {
        probe.Enter();
        try
        {
            // Give any would-be concurrent turn every chance to start while this one is suspended.
            await Task.Yield();
            if (sequence < _last)
            {
                _outOfOrder++;
            }

            _last = sequence;
            await Task.Yield();
            return _outOfOrder;
        }
        finally
        {
            probe.Exit();
        }
    }
}

public interface ISlowGrain : IGrain
{
    /// <summary>Holds its turn until the probe gate of that name opens.</summary>
    Task HoldAsync(string gate);

    Task<string> PingAsync();
}

public sealed class SlowGrain(Probe probe) : Grain, ISlowGrain
{
    public async Task HoldAsync(string gate)
    {
        probe.Hit($"holding:{gate}");
        await probe.Gate(gate).Task;
    }

    public Task<string> PingAsync() => Task.FromResult("pong");
}

public interface IForwarderGrain : IGrain
{
    /// <summary>A grain-to-grain call: adds to a counter grain and returns its new value.</summary>
    Task<long> AddToCounterAsync(string counterKey, long amount);
}

public sealed class ForwarderGrain : Grain, IForwarderGrain
{
    public Task<long> AddToCounterAsync(string counterKey, long amount) => GrainFactory.GetGrain<ICounterGrain>(counterKey).AddAsync(amount);
}

public interface IReminderGrain : IGrain
{
    Task SetAsync(string name, DateTimeOffset dueAt, TimeSpan? period);

    Task RemoveAsync(string name);

    Task<ImmutableList<string>> FiredAsync();
}

public sealed record ReminderState
{
    public ImmutableList<string> Fired { get; init; } = [];
}

public sealed class ReminderGrain(IPersistentState<ReminderState> state, Probe probe) : Grain, IReminderGrain, IRemindable
{
    public Task SetAsync(string name, DateTimeOffset dueAt, TimeSpan? period)
    {
        RegisterOrUpdateReminder(name, dueAt, period);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string name)
    {
        UnregisterReminder(name);
        return Task.CompletedTask;
    }

    public Task<ImmutableList<string>> FiredAsync() => Task.FromResult(state.State.Fired);

    public Task ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        state.State = state.State with { Fired = state.State.Fired.Add($"{reminderName}|{tick.DueAt:O}|{tick.FiredAt:O}") };
        probe.Hit($"reminder:{GrainKey}:{reminderName}");
        return Task.CompletedTask;
    }
}

public interface ITimerGrain : IGrain
{
    Task StartTimerAsync(TimeSpan period);

    Task<long> TicksAsync();
}

public sealed record TimerState
{
    public long Ticks { get; init; }
}

public sealed class TimerGrain(IPersistentState<TimerState> state, Probe probe) : Grain, ITimerGrain
{
    public Task StartTimerAsync(TimeSpan period)
    {
        RegisterTimer(
            _ =>
            {
                probe.Enter();
                state.State = state.State with { Ticks = state.State.Ticks + 1 };
                probe.Exit();
                probe.Hit($"tick:{GrainKey}");
                return Task.CompletedTask;
            },
            period,
            period);
        return Task.CompletedTask;
    }

    public Task<long> TicksAsync() => Task.FromResult(state.State.Ticks);
}

public interface ISubscriberGrain : IGrain
{
    Task<ImmutableList<long>> ReceivedAsync();
}

public sealed record SubscriberState
{
    public ImmutableList<long> Received { get; init; } = [];
}

/// <summary>Implicitly subscribed to namespace "counter": receives the events of the counter with its own key.</summary>
public sealed class SubscriberGrain(IPersistentState<SubscriberState> state, Probe probe) : Grain, ISubscriberGrain, IStreamSubscriber
{
    public Task<ImmutableList<long>> ReceivedAsync() => Task.FromResult(state.State.Received);

    public Task OnStreamEventAsync(StreamEvent streamEvent)
    {
        var changed = streamEvent.Deserialize<CounterChanged>();
        state.State = state.State with { Received = state.State.Received.Add(changed.Value) };
        probe.Hit($"received:{GrainKey}");
        return Task.CompletedTask;
    }
}

public interface IMutableStateGrain : IGrain
{
    Task AddAsync(int item);
}

#pragma warning disable CA1002, CA2227 // Deliberately wrong: the runtime must refuse this state type.
public sealed class MutableState
{
    public List<int> Items { get; set; } = [];
}
#pragma warning restore CA1002, CA2227

public sealed class MutableStateGrain(IPersistentState<MutableState> state) : Grain, IMutableStateGrain
{
    public Task AddAsync(int item)
    {
        state.State.Items.Add(item);
        return Task.CompletedTask;
    }
}

/// <summary>A grain that keeps one entry in the "labels" index: its label as the tag, a counter as the sort key.</summary>
public interface ILabelGrain : IGrain
{
    Task<long> LabelAsync(string label);

    Task LabelThenFailAsync(string label);

    Task UnlabelAsync();

    /// <summary>Keys of the grains labelled <paramref name="label"/>, newest first, read through <see cref="IGrainIndex"/>.</summary>
    Task<IReadOnlyList<string>> FindAsync(string label);
}

public sealed record LabelState
{
    public long Changes { get; init; }
}

public sealed record LabelEntry(string Key, string Label, long Changes);

public sealed class LabelGrain(IPersistentState<LabelState> state, IGrainIndex index) : Grain, ILabelGrain
{
    public const string Index = "labels";

    public Task<long> LabelAsync(string label)
    {
        state.State = state.State with { Changes = state.State.Changes + 1 };
        UpdateIndex(Index, new LabelEntry(GrainKey, label, state.State.Changes), state.State.Changes, tag: label, text: $"{GrainKey} {label}");
        return Task.FromResult(state.State.Changes);
    }

    public Task LabelThenFailAsync(string label)
    {
        UpdateIndex(Index, new LabelEntry(GrainKey, label, -1), 0, tag: label);
        throw new InvalidOperationException("refused after indexing");
    }

    public Task UnlabelAsync()
    {
        RemoveFromIndex(Index);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> FindAsync(string label)
        => [.. (await index.QueryAsync<LabelEntry>(new Storage.IndexQuery(Index, Tag: label, Limit: 100))).Items.Select(e => e.Key)];
}

public static class TestGrains
{
    public static SiloBuilder AddTestGrains(this SiloBuilder builder)
        => builder
            .AddGrain<ICounterGrain, CounterGrain>()
            .AddGrain<ISerialGrain, SerialGrain>()
            .AddGrain<ISlowGrain, SlowGrain>()
            .AddGrain<IForwarderGrain, ForwarderGrain>()
            .AddGrain<IReminderGrain, ReminderGrain>()
            .AddGrain<ITimerGrain, TimerGrain>()
            .AddGrain<ISubscriberGrain, SubscriberGrain>()
            .AddGrain<ILabelGrain, LabelGrain>();
}
