using System.Text;
using PointsMall.GroupCommit.Outbox;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>
/// The silo's shared read of the outbox, over a real SQLite store whose event reads the test can hold at a gate: readers
/// that keep up share one store read per page, a reader woken since a read began never takes that read's answer, and a
/// reader that falls behind the kept pages reads alone until it catches up.
/// </summary>
public sealed class OutboxTailTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pm-tail-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<GatedStore> OpenStoreAsync()
    {
        var store = new GatedStore(new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = Path.Combine(_directory, "outbox.db") }));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Readers_at_the_same_place_share_one_store_read_and_then_read_from_memory()
    {
        await using var store = await OpenStoreAsync();
        var events = await CommitAsync(store, 6);
        var tail = new OutboxTail(store, capacity: 100);
        var wakeUp = new TaskCompletionSource().Task;

        var gate = store.HoldNextRead();
        var first = tail.ReadAsync(0, 4, wakeUp);
        await Waits.For(gate.Reached.Task, "the first reader's store read");
        var second = tail.ReadAsync(0, 4, wakeUp);
        var third = tail.ReadAsync(0, 4, wakeUp);
        gate.Release();

        Assert.All(await Waits.For(Task.WhenAll(first, second, third), "the three readers' pages"), page => Assert.Equal(events[..4], page.Select(e => e.Sequence)));
        Assert.Equal(1, tail.StoreReads);

        // A reader inside what was read gets the rest of it from memory; one at its end reads on.
        Assert.Equal(events[2..4], (await tail.ReadAsync(events[1], 4, wakeUp)).Select(e => e.Sequence));
        Assert.Equal(1, tail.StoreReads);
        Assert.Equal(events[4..], (await tail.ReadAsync(events[3], 4, wakeUp)).Select(e => e.Sequence));
        Assert.Equal(2, tail.StoreReads);
    }

    [Fact]
    public async Task A_reader_woken_after_a_read_began_reads_again_and_sees_what_woke_it()
    {
        await using var store = await OpenStoreAsync();
        var tail = new OutboxTail(store, capacity: 100);
        var before = new TaskCompletionSource().Task;
        var gate = store.HoldNextRead();
        var early = tail.ReadAsync(0, 10, before);
        await Waits.For(gate.Reached.Task, "the early reader's store read");

        // A commit lands and wakes the readers while the early read is held: it read before the commit.
        var events = await CommitAsync(store, 2);
        var after = new TaskCompletionSource().Task;
        var woken = tail.ReadAsync(0, 10, after);
        gate.Release(empty: true);

        Assert.Empty(await Waits.For(early, "the early read"));
        Assert.Equal(events, (await Waits.For(woken, "the woken reader's own read")).Select(e => e.Sequence));
        Assert.Equal(2, tail.StoreReads);
    }

    [Fact]
    public async Task A_reader_behind_the_kept_pages_reads_alone_and_rejoins_at_the_end()
    {
        await using var store = await OpenStoreAsync();
        var events = await CommitAsync(store, 10);
        var tail = new OutboxTail(store, capacity: 4);
        var wakeUp = new TaskCompletionSource().Task;
        var lead = 0L;
        while (lead != events[^1])
        {
            lead = (await tail.ReadAsync(lead, 3, wakeUp))[^1].Sequence;
        }

        var reads = tail.StoreReads;
        var behind = await tail.ReadAsync(events[1], 7, wakeUp);
        Assert.Equal(events[2..9], behind.Select(e => e.Sequence));
        Assert.Equal(reads + 1, tail.StoreReads);

        // Its page ended inside the kept run, so its next page comes from memory.
        Assert.Equal(events[9..], (await tail.ReadAsync(events[8], 7, wakeUp)).Select(e => e.Sequence));
        Assert.Equal(reads + 1, tail.StoreReads);
    }

    private static async Task<long[]> CommitAsync(GatedStore store, int count)
    {
        var before = await store.Inner.ReadEventsAsync(0, 10_000, CancellationToken.None);
        var appends = Enumerable.Range(0, count).Select(i => new EventAppend($"t/k{i % 2}", "e", Encoding.UTF8.GetBytes("{}"), DateTimeOffset.UnixEpoch)).ToArray();
        Assert.True((await store.CommitAsync(new CommitBatch([], appends, []), CancellationToken.None)).IsCommitted);
        return [.. (await store.Inner.ReadEventsAsync(0, 10_000, CancellationToken.None)).Skip(before.Count).Select(e => e.Sequence)];
    }

    /// <summary>A store whose next event read can be held until the test lets it go (and then answer what it read, or nothing).</summary>
    private sealed class GatedStore(IGrainStore inner) : DelegatingGrainStore(inner)
    {
        private Gate? _next;

        public Gate HoldNextRead() => _next = new Gate();

        public override async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _next, null) is not { } gate)
            {
                return await base.ReadEventsAsync(afterSequence, maxCount, cancellationToken);
            }

            // The read happens before the hold, as a read that then takes a while to answer.
            var events = await base.ReadEventsAsync(afterSequence, maxCount, cancellationToken);
            gate.Reached.TrySetResult();
            return await gate.Released.Task ? [] : events;
        }
    }

    private sealed class Gate
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release(bool empty = false) => Released.TrySetResult(empty);
    }
}
