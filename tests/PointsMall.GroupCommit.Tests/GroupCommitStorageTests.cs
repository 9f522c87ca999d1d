using System.Text.Json;
using Orleans.Storage;
using PointsMall.GroupCommit.Tests.Grains;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

[Collection(MemoryCluster.Name)]
public sealed class GroupCommitStorageTests(MemoryClusterFixture cluster) : IDisposable
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    public void Dispose() => cluster.Store.Reset();

    [Fact]
    public async Task Writes_of_many_grains_queued_behind_a_commit_share_the_next_transaction()
    {
        var hold = cluster.Store.HoldNextCommit();
        var first = Counter("first").AddAsync(1);
        Assert.Equal(1, await hold.Entered);

        var keys = Enumerable.Range(0, 50).Select(i => Key($"c{i}")).ToList();
        var adds = keys.Select(k => cluster.Client.GetGrain<ICounterGrain>(k).AddAsync(2)).ToList();
        foreach (var key in keys)
        {
            await cluster.Probe.WhenQueuedAsync(key, writes: 1);
        }

        Assert.All(adds, a => Assert.False(a.IsCompleted, "A write was acknowledged while its commit could not have happened."));
        hold.Release();

        Assert.Equal(1, await Waits.For(first, "the held write"));
        Assert.All(await Waits.For(Task.WhenAll(adds), "the queued writes"), v => Assert.Equal(2, v));
        Assert.Equal([1, 50], cluster.Store.CommittedBatchSizes);
    }

    [Fact]
    public async Task State_events_and_index_entries_are_committed_together_under_the_grain_type_and_key()
    {
        await Counter("a").AddAsync(3);
        await Counter("a").AddAsync(4);

        var stored = await cluster.Store.ReadStateAsync(new StateKey("counter", Key("a")), CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Version);
        Assert.Equal(7, JsonSerializer.Deserialize<CounterState>(stored.Payload, GroupCommitJson.Options)!.Value);

        var events = (await cluster.Store.ReadEventsAsync(0, int.MaxValue, CancellationToken.None))
            .Where(e => e.Stream == CounterGrain.Stream)
            .Select(e => JsonSerializer.Deserialize<CounterAdded>(e.Payload, GroupCommitJson.Options)!)
            .Where(e => e.Counter == Key("a"))
            .ToList();
        Assert.Equal([new CounterAdded(Key("a"), 3, 3), new CounterAdded(Key("a"), 4, 7)], events);

        var entry = Assert.Single((await cluster.Store.QueryIndexAsync(new IndexQuery(CounterGrain.Index, Limit: 1000), CancellationToken.None)).Rows, r => r.Key == Key("a"));
        Assert.Equal(7, entry.SortKey);
    }

    [Fact]
    public async Task A_failed_batch_fails_every_writer_in_it_and_nothing_of_it_becomes_visible()
    {
        await Counter("x").AddAsync(1);
        await Counter("y").AddAsync(1);
        var eventsBefore = (await cluster.Store.ReadEventsAsync(0, int.MaxValue, CancellationToken.None)).Count;

        // Both writes wait behind a held commit, then share the batch that fails.
        var hold = cluster.Store.HoldNextCommit();
        var blocker = Counter("blocker").AddAsync(1);
        await hold.Entered;
        var x = Counter("x").AddAsync(10);
        var y = Counter("y").AddAsync(20);
        await cluster.Probe.WhenQueuedAsync(Key("x"), writes: 2);
        await cluster.Probe.WhenQueuedAsync(Key("y"), writes: 2);
        cluster.Store.FailNextCommit();
        hold.Release();
        await blocker;

        await Assert.ThrowsAsync<GrainStorageCommitException>(() => x);
        await Assert.ThrowsAsync<GrainStorageCommitException>(() => y);
        Assert.Equal(1, await Counter("x").GetAsync());
        Assert.Equal(1, await Counter("y").GetAsync());
        Assert.Equal(eventsBefore + 1, (await cluster.Store.ReadEventsAsync(0, int.MaxValue, CancellationToken.None)).Count);
        var entry = Assert.Single((await cluster.Store.QueryIndexAsync(new IndexQuery(CounterGrain.Index, Limit: 1000), CancellationToken.None)).Rows, r => r.Key == Key("x"));
        Assert.Equal(1, entry.SortKey);

        // The reloaded activations go on from what storage holds.
        Assert.Equal(6, await Counter("x").AddAsync(5));
    }

    [Fact]
    public async Task A_stale_activation_is_fenced_out_and_the_next_call_sees_the_newer_state()
    {
        Assert.Equal(1, await Counter("f").AddAsync(1));

        // Another owner (say, on a silo wrongly declared dead) wrote version 2 meanwhile.
        var newer = JsonSerializer.SerializeToUtf8Bytes(new CounterState { Value = 100 }, GroupCommitJson.Options);
        var result = await cluster.Store.Inner.CommitAsync(new CommitBatch([new StateWrite(new StateKey("counter", Key("f")), 1, 2, newer)], [], []), CancellationToken.None);
        Assert.True(result.IsCommitted);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Counter("f").AddAsync(1));
        Assert.Equal(100, await Counter("f").GetAsync());
        Assert.Equal(101, await Counter("f").AddAsync(1));
    }

    [Fact]
    public async Task A_refused_change_writes_nothing()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Counter("r").AddAsync(0));

        Assert.Null(await cluster.Store.ReadStateAsync(new StateKey("counter", Key("r")), CancellationToken.None));
    }

    private string Key(string name) => $"{_run}-{name}";

    private ICounterGrain Counter(string name) => cluster.Client.GetGrain<ICounterGrain>(Key(name));
}
