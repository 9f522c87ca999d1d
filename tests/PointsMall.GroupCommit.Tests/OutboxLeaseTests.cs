using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PointsMall.GroupCommit.Outbox;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>
/// Two silos' outbox dispatchers over one store, each with a store instance and a clock of its own: a silo whose clock
/// stands still is a silo that stopped renewing (paused or dead). Events are committed straight to the store, and a
/// silo is woken only when the test says its own silo committed them. Every step waits on what a dispatcher reported.
/// </summary>
public abstract class OutboxLeaseTests : IAsyncLifetime
{
    protected const string Subscription = "lease-test";

    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private protected static readonly OutboxOptions Options = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(15),
        RenewInterval = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromSeconds(1),
    };

    private readonly List<Silo> _silos = [];
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private IGrainStore? _store;

    /// <summary>The store the test commits through and reads back from.</summary>
    private IGrainStore Store => _store ?? throw new InvalidOperationException("The store is not open.");

    /// <summary>A store over this test's storage: a new connection (or the same instance, for memory).</summary>
    protected abstract Task<IGrainStore> OpenStoreAsync();

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await _services.DisposeAsync();
        await CleanUpAsync();
    }

    [Fact]
    public async Task Only_the_holder_delivers_and_when_it_stops_renewing_the_other_takes_over_from_the_checkpoint()
    {
        var (a, b) = await StartTwoAsync();

        var first = await CommitAsync(3);
        a.Dispatcher.Wake();
        b.Dispatcher.Wake();
        await a.Log.WhenAsync("checkpointed", first[^1]);
        Assert.Equal(first, a.Log.Delivered);
        Assert.Empty(b.Log.Delivered);

        // A re-reads after each checkpoint: once it is idle, the next commit is not read by A (it is not woken).
        await a.Log.WhenAfterAsync("checkpointed", first[^1], "idle");

        // Silo A stops renewing (its clock stands still); B's clock passes A's expiry.
        var second = await CommitAsync(2);
        b.Time.Advance(Options.LeaseDuration + TimeSpan.FromSeconds(1));
        await b.Log.WhenAsync("acquired", 2);
        await b.Log.WhenAsync("checkpointed", second[^1]);

        // From the checkpoint: nothing A had delivered again.
        Assert.Equal(second, b.Log.Delivered);
        Assert.Equal(first, a.Log.Delivered);
        Assert.Equal(second[^1], await Store.ReadCheckpointAsync(Subscription, CancellationToken.None));
    }

    [Fact]
    public async Task A_paused_ex_holder_cannot_move_the_checkpoint_and_stops_delivering()
    {
        var (a, b) = await StartTwoAsync();
        var first = await CommitAsync(1);
        b.Time.Advance(Options.LeaseDuration + TimeSpan.FromSeconds(1));
        await b.Log.WhenAsync("checkpointed", first[^1]);
        await b.Log.WhenAfterAsync("checkpointed", first[^1], "idle");

        // A wakes up still believing it holds token 1: it may deliver again (at least once), but not checkpoint.
        var second = await CommitAsync(1);
        a.Dispatcher.Wake();
        await a.Log.WhenAsync("fenced", second[^1]);
        Assert.Equal(first[^1], await Store.ReadCheckpointAsync(Subscription, CancellationToken.None));

        b.Dispatcher.Wake();
        await b.Log.WhenAsync("checkpointed", second[^1]);
        var deliveredByA = a.Log.Delivered.Count;

        var third = await CommitAsync(1);
        a.Dispatcher.Wake();
        b.Dispatcher.Wake();
        await b.Log.WhenAsync("checkpointed", third[^1]);
        Assert.Equal(deliveredByA, a.Log.Delivered.Count);
        Assert.Equal([.. first, .. second, .. third], b.Log.Delivered);
        Assert.Equal(third[^1], await Store.ReadCheckpointAsync(Subscription, CancellationToken.None));
    }

    [Fact]
    public async Task Events_committed_on_the_other_silo_reach_the_holder_at_its_next_poll()
    {
        var (a, b) = await StartTwoAsync();
        await a.Log.WhenAsync("idle");

        // Committed by B's silo: only B is woken, and B does not hold the lease.
        var events = await CommitAsync(2);
        b.Dispatcher.Wake();
        a.Time.Advance(Options.PollInterval);

        await a.Log.WhenAsync("checkpointed", events[^1]);
        Assert.Equal(events, a.Log.Delivered);
        Assert.Empty(b.Log.Delivered);
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_and_the_other_takes_it_at_its_next_attempt()
    {
        var (a, b) = await StartTwoAsync();

        await a.Dispatcher.StopAsync(CancellationToken.None);
        Assert.Contains(("released", 1L), a.Log.Entries);
        var events = await CommitAsync(1);
        b.Time.Advance(Options.RenewInterval);

        await b.Log.WhenAsync("acquired", 2);
        await b.Log.WhenAsync("checkpointed", events[^1]);
        Assert.Equal(events, b.Log.Delivered);
    }

    [Fact]
    public async Task A_holder_known_to_be_gone_is_superseded_at_start_without_waiting_for_its_lease()
    {
        var a = await StartAsync("silo-a", _ => false);
        await a.Log.WhenAsync("acquired", 1);

        // A restarted single silo: its earlier run is unknown to the cluster, so its lease is taken at once.
        var b = await StartAsync("silo-b", holder => holder == "silo-a");
        await b.Log.WhenAsync("acquired", 2);
        var events = await CommitAsync(1);
        b.Dispatcher.Wake();
        await b.Log.WhenAsync("checkpointed", events[^1]);

        a.Dispatcher.Wake();
        await a.Log.WhenAsync("fenced", events[^1]);
        Assert.Equal(events[^1], await Store.ReadCheckpointAsync(Subscription, CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_subscription_gets_a_pages_events_in_one_call_in_outbox_order()
    {
        var silo = await StartAsync("silo-a", _ => false, batched: true);
        await silo.Log.WhenAsync("acquired", 1);

        var events = await CommitAsync(5);
        silo.Dispatcher.Wake();
        await silo.Log.WhenAsync("checkpointed", events[^1]);

        // Two streams interleaved (k0, k1, k0, …), handed over together in the order they were committed.
        Assert.Equal(events, silo.Log.Entries.Where(e => e.What == "delivered").Select(e => e.Value));
        Assert.Equal([5L], silo.Log.Entries.Where(e => e.What == "batch").Select(e => e.Value));
    }

    /// <summary>A holds the lease (token 1) and is idle; B was refused and waits for its next attempt.</summary>
    private protected async Task<(Silo A, Silo B)> StartTwoAsync()
    {
        var a = await StartAsync("silo-a", _ => false);
        await a.Log.WhenAsync("acquired", 1);
        var b = await StartAsync("silo-b", _ => false);
        await b.Log.WhenAsync("refused");
        await b.Log.WhenAsync("renewal-wait");
        return (a, b);
    }

    private async Task<Silo> StartAsync(string holder, Func<string, bool> isGone, bool batched = false)
    {
        var store = await OpenStoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        var silo = new Silo(holder, store, isGone, _services, batched);
        _silos.Add(silo);
        silo.Dispatcher.Start();
        return silo;
    }

    /// <summary>Commits <paramref name="count"/> events of the subscription's namespace; returns their sequences.</summary>
    private async Task<long[]> CommitAsync(int count)
    {
        var before = await ReadAllAsync();
        var events = Enumerable.Range(0, count).Select(i => new EventAppend($"t/k{i % 2}", "e", Encoding.UTF8.GetBytes("{}"), T0)).ToArray();
        var result = await Store.CommitAsync(new CommitBatch([], events, []), CancellationToken.None);
        Assert.True(result.IsCommitted);
        return [.. (await ReadAllAsync()).Skip(before.Count).Select(e => e.Sequence)];
    }

    private Task<IReadOnlyList<StoredEvent>> ReadAllAsync() => Store.ReadEventsAsync(0, 10_000, CancellationToken.None);

    /// <summary>One silo's dispatcher, with its own store instance, clock and log.</summary>
    private protected sealed class Silo : IAsyncDisposable
    {
        private readonly IGrainStore _store;

        public Silo(string holder, IGrainStore store, Func<string, bool> isGone, IServiceProvider services, bool batched = false)
        {
            _store = store;
            Log = new DispatcherLog(holder);
            var subscription = new OutboxSubscription(Subscription, "t", (_, e, _) =>
            {
                Log.Add("delivered", e.Sequence);
                return Task.CompletedTask;
            });
            if (batched)
            {
                subscription = subscription with
                {
                    Handler = (_, _, _) => throw new InvalidOperationException("A batch subscription got a single event."),
                    BatchHandler = (_, events, _) =>
                    {
                        Log.Add("batch", events.Count);
                        foreach (var e in events)
                        {
                            Log.Add("delivered", e.Sequence);
                        }

                        return Task.CompletedTask;
                    },
                };
            }

            Dispatcher = new OutboxDispatcher(store, holder, isGone, [subscription], Options, services, Time, NullLogger.Instance)
            {
                Observer = (_, what, value) => Log.Add(what, value),
            };
        }

        public FakeTimeProvider Time { get; } = new(T0);

        public OutboxDispatcher Dispatcher { get; }

        public DispatcherLog Log { get; }

        public async ValueTask DisposeAsync()
        {
            await Dispatcher.DisposeAsync();
            await _store.DisposeAsync();
        }
    }

    /// <summary>What one dispatcher reported, in order, and waits on it.</summary>
    private protected sealed class DispatcherLog(string holder)
    {
        private readonly Lock _lock = new();
        private readonly List<(string What, long Value)> _entries = [];
        private readonly List<(Func<(string What, long Value), bool> Match, TaskCompletionSource Done)> _waiters = [];

        public IReadOnlyList<(string What, long Value)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        /// <summary>The sequences delivered, in sequence order (streams are delivered concurrently, each in order).</summary>
        public IReadOnlyList<long> Delivered => [.. Entries.Where(e => e.What == "delivered").Select(e => e.Value).Order()];

        public void Add(string what, long value)
        {
            List<TaskCompletionSource> done = [];
            lock (_lock)
            {
                _entries.Add((what, value));
                _waiters.RemoveAll(w =>
                {
                    if (!w.Match((what, value)))
                    {
                        return false;
                    }

                    done.Add(w.Done);
                    return true;
                });
            }

            done.ForEach(d => d.TrySetResult());
        }

        /// <summary>
        /// Completes once the dispatcher has reported <paramref name="what"/> after its report (<paramref name="earlier"/>,
        /// <paramref name="earlierValue"/>), which must have been made: e.g. the idle that follows a checkpoint, after which
        /// a commit the reader was not woken for is surely not read by it.
        /// </summary>
        public Task WhenAfterAsync(string earlier, long earlierValue, string what)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                var index = _entries.FindIndex(e => e.What == earlier && e.Value == earlierValue);
                if (index < 0)
                {
                    throw new InvalidOperationException($"{holder}'s dispatcher has not reported '{earlier}' {earlierValue} yet.");
                }

                if (_entries.Skip(index + 1).Any(e => e.What == what))
                {
                    return Task.CompletedTask;
                }

                // Every entry from now on comes after the earlier one.
                _waiters.Add((e => e.What == what, done));
            }

            return Waits.For(done.Task, $"{holder}'s dispatcher to report '{what}' after '{earlier}' {earlierValue}");
        }

        /// <summary>Completes once the dispatcher has reported <paramref name="what"/> <paramref name="times"/> times in all.</summary>
        public Task WhenCountAsync(string what, int times)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                var seen = _entries.Count(e => e.What == what);
                if (seen >= times)
                {
                    return Task.CompletedTask;
                }

                // Called under the lock for each later entry, so the count needs no synchronisation of its own.
                _waiters.Add((e => e.What == what && ++seen >= times, done));
            }

            return Waits.For(done.Task, $"{holder}'s dispatcher to report '{what}' {times} times");
        }

        /// <summary>Completes once the dispatcher has reported <paramref name="what"/> (with <paramref name="value"/>, when given).</summary>
        public Task WhenAsync(string what, long? value = null)
        {
            bool Match((string What, long Value) e) => e.What == what && (value is null || e.Value == value);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_entries.Any(Match))
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((Match, done));
            }

            return Waits.For(done.Task, $"{holder}'s dispatcher to report '{what}'{(value is null ? "" : $" {value}")}");
        }
    }
}

public sealed class InMemoryOutboxLeaseTests : OutboxLeaseTests
{
    // Every silo shares the one instance; disposing it is a no-op.
    private readonly Lazy<IGrainStore> _store = new(() => new InMemoryGrainStore());

    protected override Task<IGrainStore> OpenStoreAsync() => Task.FromResult(_store.Value);
}

public sealed class SqliteOutboxLeaseTests : OutboxLeaseTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pm-lease-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IGrainStore> OpenStoreAsync() =>
        Task.FromResult<IGrainStore>(new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = Path.Combine(_directory, "outbox.db") }));

    protected override Task CleanUpAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;

[Collection(PostgresServerFixture.CollectionName)]
public sealed class PostgreSqlOutboxLeaseTests(PostgresServerFixture postgres) : OutboxLeaseTests
{
    private readonly string _schema = "l_" + Guid.NewGuid().ToString("N");

    protected override async Task<IGrainStore> OpenStoreAsync()
    {
        var connectionString = await postgres.DatabaseForAsync(GetType());
        return new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = connectionString, Schema = _schema });
    }

    /// <summary>
    /// Another silo's commit takes the lower sequence and stays open while this silo commits a higher one and wakes its
    /// reader: the reader must not deliver and checkpoint past the open one. Once it commits (elsewhere: no wake-up
    /// here), the next poll delivers both, in order. The open commit is a transaction of the test's own that inserts
    /// its event the way the store's batch does.
    /// </summary>
    [Fact]
    public async Task An_event_held_back_behind_an_open_commit_is_delivered_at_the_next_poll_and_none_is_skipped()
    {
        var (a, _) = await StartTwoAsync();
        await a.Log.WhenCountAsync("idle", 1);

        await using var database = NpgsqlDataSource.Create(await postgres.DatabaseForAsync(GetType()));
        await using var other = await database.OpenConnectionAsync();
        await using var open = await other.BeginTransactionAsync();
        long earlier;
        await using (var insert = new NpgsqlCommand(
            $"""INSERT INTO "{_schema}".stream_events (stream, event_type, payload, timestamp_ticks) VALUES ('t/k0', 'e', $1, 0) RETURNING sequence""",
            other, open))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetBytes("{}") });
            earlier = (long)(await insert.ExecuteScalarAsync())!;
        }

        await using var store = await OpenStoreAsync();
        var committed = await store.CommitAsync(
            new CommitBatch([], [new EventAppend("t/k1", "e", Encoding.UTF8.GetBytes("{}"), DateTimeOffset.UnixEpoch)], []), CancellationToken.None);
        Assert.True(committed.IsCommitted);
        await using var last = database.CreateCommand($"""SELECT max(sequence) FROM "{_schema}".stream_events""");
        var later = (long)(await last.ExecuteScalarAsync())!;
        Assert.True(later > earlier);

        // The woken reader reads while the earlier commit is open, then idles again.
        a.Dispatcher.Wake();
        await a.Log.WhenCountAsync("idle", 2);
        Assert.True(a.Log.Delivered.Count == 0,
            $"delivered [{string.Join(", ", a.Log.Delivered)}] while event {earlier}, earlier in sequence, was still uncommitted");

        await open.CommitAsync();
        a.Time.Advance(Options.PollInterval);

        await a.Log.WhenAsync("checkpointed", later);
        Assert.Equal([earlier, later], a.Log.Delivered);
    }
}
