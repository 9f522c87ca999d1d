using System.Text.Json;
using PointsMall.GroupCommit.Tests.Grains;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

[Collection(MemoryCluster.Name)]
public sealed class PipelinedStateTests(MemoryClusterFixture cluster) : IDisposable
{
    private readonly string _key = $"hot-{Guid.NewGuid():n}";

    public void Dispose() => cluster.Store.Reset();

    private IHotCounterGrain Hot => cluster.Client.GetGrain<IHotCounterGrain>(_key);

    [Fact]
    public async Task A_hundred_thousand_concurrent_changes_to_one_hot_grain_are_all_durable_exactly_once()
    {
        const int calls = 100_000;
        var adds = new Task<long>[calls];
        for (var i = 0; i < calls; i++)
        {
            adds[i] = Hot.AddAsync(1);
        }

        var answers = await Waits.For(Task.WhenAll(adds), TimeSpan.FromMinutes(3), "100,000 changes to one hot grain");

        // Every caller saw a distinct value: no change was lost or applied twice, and no two overlapped.
        Assert.Equal(Enumerable.Range(1, calls).Select(i => (long)i), answers.Order());
        Assert.Equal(1, cluster.Probe.MaxInside);
        var stored = await cluster.Store.ReadStateAsync(new StateKey("hot-counter", _key), CancellationToken.None);
        Assert.Equal(calls, JsonSerializer.Deserialize<CounterState>(stored!.Payload, GroupCommitJson.Options)!.Value);

        // Writes never overlap for one grain, and the ones made meanwhile collapse: far fewer versions than calls.
        Assert.True(stored.Version < calls, $"{stored.Version} writes for {calls} changes: the hot grain did not pipeline.");
    }

    [Fact]
    public async Task A_reply_waits_for_the_write_that_holds_its_change_and_a_read_for_the_write_that_holds_what_it_saw()
    {
        var first = cluster.Store.HoldNextCommit();
        var add5 = Hot.AddAsync(5);
        await first.Entered;

        // While the first write is held, another change joins the next write and a read sees both.
        var second = cluster.Store.HoldNextCommit();
        var add7 = Hot.AddAsync(7);
        await cluster.Probe.WhenChangedAsync(_key, 12);
        var read = Hot.GetAsync();
        await cluster.Probe.WhenReadAsync(_key);
        Assert.False(add5.IsCompleted || add7.IsCompleted || read.IsCompleted, "A reply left before its change was durable.");

        first.Release();
        Assert.Equal(5, await Waits.For(add5, "the first change"));
        Assert.Equal(1, await second.Entered);
        Assert.False(add7.IsCompleted || read.IsCompleted, "A reply revealed a change whose write is still held.");

        second.Release();
        Assert.Equal(12, await Waits.For(add7, "the second change"));
        Assert.Equal(12, await Waits.For(read, "the read"));
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_and_those_of_the_next_and_the_grain_reloads_what_is_durable()
    {
        Assert.Equal(1, await Hot.AddAsync(1));

        // The write holding +10 fails; +100 joined the write after it, which must never happen.
        var hold = cluster.Store.HoldNextCommit();
        cluster.Store.FailNextCommit();
        var failing = Hot.AddAsync(10);
        await hold.Entered;
        var joined = Hot.AddAsync(100);
        await cluster.Probe.WhenChangedAsync(_key, 111);
        hold.Release();

        await Assert.ThrowsAsync<GrainStorageCommitException>(() => failing);
        await Assert.ThrowsAsync<GrainStorageCommitException>(() => joined);
        Assert.Equal(1, await Hot.GetAsync());
        Assert.Equal(2, await Hot.AddAsync(1));
    }
}
