using System.Text.Json;
using PointsMall.GroupCommit.Tests.Grains;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>Calls to a grain with pipelined state are turns: committed on return, left without a trace when they throw.</summary>
[Collection(MemoryCluster.Name)]
public sealed class TurnTests(MemoryClusterFixture cluster) : IDisposable
{
    private readonly string _key = $"turn-{Guid.NewGuid():n}";

    public void Dispose() => cluster.Store.Reset();

    private ITurnGrain Grain => cluster.Client.GetGrain<ITurnGrain>(_key);

    private StateKey Row => new("turn", _key);

    [Fact]
    public async Task A_call_that_returns_has_its_state_event_and_index_entry_durable_before_the_reply()
    {
        await Grain.AddAsync(5);

        Assert.Equal(5, await StoredValueAsync());
        var events = await cluster.Store.ReadEventsAsync(0, 10_000, CancellationToken.None);
        Assert.Single(events, e => e.Stream == $"{TurnGrain.Stream}/{_key}");
        var index = await cluster.Store.QueryIndexAsync(new IndexQuery(TurnGrain.Index, Limit: 10_000), CancellationToken.None);
        Assert.Equal(5, Assert.Single(index.Rows, r => r.Key == _key).SortKey);
    }

    [Fact]
    public async Task A_call_that_throws_leaves_no_state_event_index_entry_or_reminder_behind()
    {
        await Grain.AddAsync(5);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Grain.AddThenFailAsync(7));
        await Grain.AddAsync(1);

        Assert.Equal(6, await Grain.GetAsync());
        Assert.Equal(6, await StoredValueAsync());
        var events = await cluster.Store.ReadEventsAsync(0, 10_000, CancellationToken.None);
        Assert.Equal(
            [5L, 6L],
            events.Where(e => e.Stream == $"{TurnGrain.Stream}/{_key}").Select(e => JsonSerializer.Deserialize<CounterAdded>(e.Payload, GroupCommitJson.Options)!.Value));
        Assert.Empty(await cluster.Store.ReadRemindersAsync(Row, CancellationToken.None));
    }

    [Fact]
    public async Task A_reminder_is_in_the_table_when_the_call_that_set_it_returns_and_gone_when_the_removing_call_returns()
    {
        var due = DateTimeOffset.UtcNow.AddHours(1);

        await Grain.SetReminderAsync("deadline", due);
        var set = Assert.Single(await cluster.Store.ReadRemindersAsync(Row, CancellationToken.None));
        Assert.Equal(("deadline", due, (TimeSpan?)null), (set.Name, set.DueAt, set.Period));

        await Grain.RemoveReminderAsync("deadline");
        Assert.Empty(await cluster.Store.ReadRemindersAsync(Row, CancellationToken.None));
    }

    [Fact]
    public async Task A_reminder_tick_is_a_turn_whose_change_commits_before_the_reminder_is_removed()
    {
        await Grain.AddAsync(1);
        await Grain.SetReminderAsync("due", DateTimeOffset.UtcNow.AddHours(1));

        // Delivered as Orleans' reminder service delivers it: a call to IRemindable on the grain.
        var now = DateTime.UtcNow;
        await Grain.AsReference<IRemindable>().ReceiveReminder("due", new TickStatus(now, TimeSpan.FromMinutes(1), now));
        await cluster.Probe.WhenRemindedAsync(_key);

        // The reminder turn's change and its removal of the reminder both land (the removal after the write).
        Assert.Equal(1001, await Grain.GetAsync());
        Assert.Equal(1001, await StoredValueAsync());
        Assert.Empty(await cluster.Store.ReadRemindersAsync(Row, CancellationToken.None));
    }

    [Fact]
    public async Task A_reminder_set_for_a_time_already_past_is_delivered_by_Orleans_within_one_retry_period()
    {
        await Grain.AddAsync(1);

        // The row is written with the call's state; Orleans' reminder service finds it at its next refresh and, as
        // Orleans 10 does for a start already passed, ticks one period later (a one-shot's period is the retry period).
        await Grain.SetReminderAsync("overdue", DateTimeOffset.UtcNow.AddMinutes(-5));
        await cluster.Probe.WhenRemindedAsync(_key);

        Assert.Equal(1001, await Grain.GetAsync());
        Assert.Empty(await cluster.Store.ReadRemindersAsync(Row, CancellationToken.None));
    }

    [Fact]
    public async Task Committed_events_reach_the_outbox_subscription_in_order_per_stream()
    {
        for (var i = 1; i <= 20; i++)
        {
            await Grain.AddAsync(i);
        }

        await cluster.Probe.WhenDeliveredAsync(_key, 20);

        var delivered = cluster.Probe.DeliveriesOf(_key);
        Assert.Equal(delivered.Order(), delivered);
        Assert.Equal(20, delivered.Distinct().Count());
    }

    private async Task<long> StoredValueAsync()
    {
        var stored = await cluster.Store.ReadStateAsync(Row, CancellationToken.None);
        Assert.NotNull(stored);
        return JsonSerializer.Deserialize<CounterState>(stored.Payload, GroupCommitJson.Options)!.Value;
    }
}
