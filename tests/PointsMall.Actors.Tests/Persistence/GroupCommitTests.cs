using Microsoft.Data.Sqlite;
using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.Actors.Tests.Persistence;

/// <summary>Durability, group commit and fencing, on the embedded default store (SQLite).</summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => _directory.File("grains.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Exact_final_state_after_100k_concurrent_calls_over_hot_and_cold_keys()
    {
        const int calls = 100_000;
        const int coldKeys = 1_000;
        await using (var silo = await TestSilo.StartAsync(OpenStore()))
        {
            // Half the calls hit one hot key; the rest spread over many cold keys; all in flight together.
            var tasks = new Task<long>[calls];
            for (var i = 0; i < calls; i++)
            {
                var key = i % 2 == 0 ? "hot" : $"cold-{i % coldKeys}";
                tasks[i] = silo.Grain<ICounterGrain>(key).AddAsync(1);
            }

            var results = await Task.WhenAll(tasks);

            // Every hot reply is a distinct value 1..50,000: no increment lost or applied twice.
            var hotReplies = results.Where((_, i) => i % 2 == 0).Order().ToArray();
            Assert.Equal(Enumerable.Range(1, calls / 2).Select(v => (long)v), hotReplies);
            Assert.True(silo.Silo.Statistics.BatchesCommitted < calls / 10, $"expected group commit, got {silo.Silo.Statistics.BatchesCommitted} batches");
        }

        // And storage holds exactly that, read by a fresh silo as after a restart.
        await using var restarted = await TestSilo.StartAsync(OpenStore());
        Assert.Equal(calls / 2, await restarted.Grain<ICounterGrain>("hot").GetAsync());
        var perColdKey = calls / 2 / (coldKeys / 2); // odd call indices reach the odd-numbered cold keys only
        for (var k = 1; k < coldKeys; k += 2)
        {
            Assert.Equal(perColdKey, await restarted.Grain<ICounterGrain>($"cold-{k}").GetAsync());
        }
    }

    [Fact]
    public async Task State_survives_deactivation_and_a_restart()
    {
        await using (var silo = await TestSilo.StartAsync(OpenStore()))
        {
            var counter = silo.Grain<ICounterGrain>("kept");
            await counter.AddAsync(41);
            silo.Silo.CollectIdleActivations();
            await counter.AddAsync(1);
        }

        await using var restarted = await TestSilo.StartAsync(OpenStore());
        Assert.Equal(42, await restarted.Grain<ICounterGrain>("kept").GetAsync());
    }

    [Fact]
    public async Task No_reply_reveals_state_that_is_not_yet_durable()
    {
        var store = new GatedStore(OpenStore());
        await using var silo = await TestSilo.StartAsync(store);
        var counter = silo.Grain<ICounterGrain>("gated");
        await counter.AddAsync(1);

        var gate = store.HoldNextCommit();
        var write = counter.AddAsync(10);
        await gate.Arrived;
        var read = counter.ProbeAsync("read-ran");
        await silo.Probe.WaitAsync("read-ran");

        // The read's turn has run and saw 11, but 11 is not durable yet: neither reply may be out.
        Assert.False(write.IsCompleted);
        Assert.False(read.IsCompleted);

        gate.Open();
        Assert.Equal(11, await write);
        Assert.Equal(11, await read);
    }

    [Fact]
    public async Task A_hot_grain_keeps_serving_while_its_write_is_in_flight_and_its_queued_writes_collapse()
    {
        var store = new GatedStore(OpenStore());
        await using var silo = await TestSilo.StartAsync(store);
        var counter = silo.Grain<ICounterGrain>("hot");
        var gate = store.HoldNextCommit();

        var first = counter.AddAsync(1);
        var firstBatch = await gate.Arrived;
        var more = Enumerable.Range(0, 100).Select(_ => counter.AddAsync(1)).ToList();
        var read = counter.ProbeAsync("after-100");
        await silo.Probe.WaitAsync("after-100");

        // All 100 turns ran while the first write was still held at the gate.
        Assert.Single(firstBatch.States);
        Assert.All(more, m => Assert.False(m.IsCompleted));

        var rowsBefore = silo.Silo.Statistics.RowsCommitted;
        gate.Open();
        var values = await Task.WhenAll(more);
        Assert.Equal(1, await first);
        Assert.Equal(Enumerable.Range(2, 100).Select(v => (long)v), values);
        Assert.Equal(101, await read);

        // The 100 writes queued behind the gate went to storage as one row.
        Assert.Equal(rowsBefore + 2, silo.Silo.Statistics.RowsCommitted);
    }

    [Fact]
    public async Task A_failed_batch_fails_its_callers_and_none_of_its_changes_is_visible()
    {
        var store = new GatedStore(OpenStore());
        await using (var silo = await TestSilo.StartAsync(store))
        {
            await silo.Grain<ICounterGrain>("bystander").AddAsync(1);
            await silo.Grain<ICounterGrain>("poison").AddAsync(1);
            PoisonKey("poison");

            // Hold one commit so the next three writes are forced into the same (second) batch.
            var gate = store.HoldNextCommit();
            var held = silo.Grain<ICounterGrain>("other").AddAsync(1);
            await gate.Arrived;
            var bystander = silo.Grain<ICounterGrain>("bystander").AddAsync(100);
            var poison = silo.Grain<ICounterGrain>("poison").AddAsync(100);
            var bystanderRead = silo.Grain<ICounterGrain>("bystander").ProbeAsync("bystander-queued");
            var poisonRead = silo.Grain<ICounterGrain>("poison").ProbeAsync("poison-queued");
            await silo.Probe.WaitAsync("bystander-queued");
            await silo.Probe.WaitAsync("poison-queued");
            gate.Open();

            Assert.Equal(1, await held);
            await Assert.ThrowsAsync<StorageCommitException>(() => bystander);
            await Assert.ThrowsAsync<StorageCommitException>(() => poison);

            // The reads ran on the lost state (they saw 101), so they fail too rather than reveal it.
            await Assert.ThrowsAsync<StorageCommitException>(() => bystanderRead);
            await Assert.ThrowsAsync<StorageCommitException>(() => poisonRead);

            // The activations dropped the lost change and reloaded what is durable.
            Assert.Equal(1, await silo.Grain<ICounterGrain>("bystander").GetAsync());
            Assert.Equal(1, await silo.Grain<ICounterGrain>("poison").GetAsync());
            Assert.Equal(2, silo.Probe.Count("activate:bystander"));
            Assert.Equal(1, silo.Silo.Statistics.BatchesFailed);
        }

        await using var restarted = await TestSilo.StartAsync(OpenStore());
        Assert.Equal(1, await restarted.Grain<ICounterGrain>("bystander").GetAsync());
        Assert.Equal(1, await restarted.Grain<ICounterGrain>("other").GetAsync());
    }

    [Fact]
    public async Task A_write_against_a_stale_version_is_refused_and_the_activation_reloads()
    {
        await using var silo = await TestSilo.StartAsync(OpenStore());
        var counter = silo.Grain<ICounterGrain>("fenced");
        await counter.AddAsync(1);

        // Someone else (another silo that wrongly owns the grain) writes version 2 behind this activation's back.
        await using (var other = OpenStore())
        {
            var stored = await other.ReadStateAsync(new GrainId("counter", "fenced"), CancellationToken.None);
            var result = await other.CommitAsync(
                new CommitBatch([new StateWrite(new GrainId("counter", "fenced"), stored!.Version, stored.Version + 1, """{"value":500}"""u8.ToArray())], [], []),
                CancellationToken.None);
            Assert.True(result.IsCommitted);
        }

        var refused = await Assert.ThrowsAsync<VersionConflictException>(() => counter.AddAsync(1));
        Assert.Equal(new GrainId("counter", "fenced"), refused.Grain);

        // The stale activation is gone; the next call sees what storage holds.
        Assert.Equal(501, await counter.AddAsync(1));
        Assert.Equal(2, silo.Probe.Count("activate:fenced"));
    }

    private SqliteGrainStore OpenStore() => new(new SqliteGrainStoreOptions { DatabasePath = DatabasePath });

    /// <summary>A real storage failure: SQLite aborts any transaction that writes this grain.</summary>
    private void PoisonKey(string key)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER poison_update BEFORE UPDATE ON grain_state WHEN NEW.grain_key = '{key}'
            BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
            """;
        command.ExecuteNonQuery();
    }
}
