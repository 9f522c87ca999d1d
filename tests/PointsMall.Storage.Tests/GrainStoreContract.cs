using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Storage.Tests;

/// <summary>
/// What every <see cref="IGrainStore"/> must do. Each concrete subclass runs all of it against one store;
/// each test gets empty storage of its own.
/// </summary>
public abstract class GrainStoreContract(ITestOutputHelper output) : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);

    private IGrainStore? _store;

    protected IGrainStore Store => _store ?? throw new InvalidOperationException("The store is not open.");

    protected ITestOutputHelper Output => output;

    /// <summary>Opens a store over this test's storage: every call sees the same file / database / schema.</summary>
    protected abstract Task<IGrainStore> OpenStoreAsync();

    /// <summary>Removes this test's storage after the store is disposed.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        await CleanUpAsync();
    }

    /// <summary>Disposes the store and opens a new one over the same storage.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = await OpenStoreAsync();
        await _store.InitializeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_returns_null()
    {
        Assert.Null(await Store.ReadStateAsync(Grain("nobody"), CancellationToken.None));
    }

    [Fact]
    public async Task Initializing_again_is_harmless_and_ping_answers()
    {
        await Commit(States(Insert(Grain("a"), "one")));
        await Store.InitializeAsync(CancellationToken.None);
        await Store.PingAsync(CancellationToken.None);
        Assert.Equal(1, (await Read(Grain("a")))!.Version);
    }

    [Fact]
    public async Task An_inserted_state_reads_back_with_its_payload_and_version()
    {
        var payload = new byte[] { 0, 1, 2, 255, 0x7b, 0x7d };
        await Commit(States(new StateWrite(Grain("m-1"), 0, 1, payload)));

        var stored = await Read(Grain("m-1"));
        Assert.NotNull(stored);
        Assert.Equal(1, stored.Version);
        Assert.Equal(payload, stored.Payload);
    }

    [Fact]
    public async Task Grain_types_and_keys_are_exact_including_unicode_and_the_empty_key()
    {
        await Commit(States(Insert(new StateKey("member", "会员-1"), "cn"), Insert(new StateKey("member", ""), "empty"), Insert(new StateKey("Member", "会员-1"), "upper")));

        Assert.Equal("cn", Text(await Read(new StateKey("member", "会员-1"))));
        Assert.Equal("empty", Text(await Read(new StateKey("member", ""))));
        Assert.Equal("upper", Text(await Read(new StateKey("Member", "会员-1"))));
        Assert.Null(await Read(new StateKey("member", "会员-2")));
    }

    [Fact]
    public async Task A_write_against_the_current_version_replaces_the_state()
    {
        await Commit(States(Insert(Grain("m-1"), "v1")));
        await Commit(States(Update(Grain("m-1"), 1, 2, "v2")));
        await Commit(States(Update(Grain("m-1"), 2, 3, "v3")));

        var stored = await Read(Grain("m-1"));
        Assert.Equal(3, stored!.Version);
        Assert.Equal("v3", Text(stored));
    }

    [Fact]
    public async Task A_stale_version_write_is_refused_and_nothing_in_its_batch_is_applied()
    {
        await Commit(States(Insert(Grain("stale"), "v1"), Insert(Grain("fresh"), "v1")));
        await Commit(States(Update(Grain("stale"), 1, 2, "v2")));

        var result = await Store.CommitAsync(
            new CommitBatch(
                [Update(Grain("fresh"), 1, 2, "fresh-v2"), Insert(Grain("new"), "new-v1"), Update(Grain("stale"), 1, 2, "stale-v2")],
                [Event("orders", "placed", "e1")],
                [Upsert(Grain("fresh"), "resume", T0)]),
            CancellationToken.None);

        Assert.False(result.IsCommitted);
        Assert.Equal([Grain("stale")], result.Conflicts);
        var fresh = await Read(Grain("fresh"));
        Assert.Equal((1L, "v1"), (fresh!.Version, Text(fresh)));
        Assert.Null(await Read(Grain("new")));
        var stale = await Read(Grain("stale"));
        Assert.Equal((2L, "v2"), (stale!.Version, Text(stale)));
        Assert.Empty(await Store.ReadEventsAsync(0, 100, CancellationToken.None));
        Assert.Empty(await Store.ReadRemindersAsync(Grain("fresh"), CancellationToken.None));
        Assert.Empty(await Store.ReadDueRemindersAsync(DateTimeOffset.MaxValue, CancellationToken.None));
    }

    [Fact]
    public async Task After_a_refused_batch_the_next_batch_commits_normally()
    {
        await Commit(States(Insert(Grain("a"), "v1")));
        var refused = await Store.CommitAsync(States(Update(Grain("a"), 7, 8, "x")), CancellationToken.None);
        Assert.False(refused.IsCommitted);

        await Commit(new CommitBatch([Update(Grain("a"), 1, 2, "v2")], [Event("s", "t", "after")], []));
        Assert.Equal(2, (await Read(Grain("a")))!.Version);
        Assert.Single(await Store.ReadEventsAsync(0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Inserting_over_an_existing_row_is_a_conflict()
    {
        await Commit(States(Insert(Grain("m-1"), "first")));

        var result = await Store.CommitAsync(States(Insert(Grain("m-1"), "second")), CancellationToken.None);

        Assert.Equal([Grain("m-1")], result.Conflicts);
        Assert.Equal("first", Text(await Read(Grain("m-1"))));
    }

    [Fact]
    public async Task Updating_a_row_that_does_not_exist_is_a_conflict()
    {
        var result = await Store.CommitAsync(States(Update(Grain("ghost"), 3, 4, "x")), CancellationToken.None);

        Assert.Equal([Grain("ghost")], result.Conflicts);
        Assert.Null(await Read(Grain("ghost")));
    }

    [Fact]
    public async Task Every_conflicting_grain_in_a_batch_is_reported()
    {
        await Commit(States(Insert(Grain("a"), "a"), Insert(Grain("b"), "b"), Insert(Grain("c"), "c")));

        var result = await Store.CommitAsync(
            States(
                Update(Grain("a"), 5, 6, "stale"),
                Update(Grain("b"), 1, 2, "fine"),
                Insert(Grain("c"), "exists"),
                Update(Grain("d"), 1, 2, "missing"),
                Insert(Grain("e"), "fine")),
            CancellationToken.None);

        Assert.Equal(
            new[] { Grain("a"), Grain("c"), Grain("d") }.OrderBy(g => g.Key),
            result.Conflicts.OrderBy(g => g.Key));
        Assert.Equal(1, (await Read(Grain("b")))!.Version);
        Assert.Null(await Read(Grain("e")));
    }

    [Fact]
    public async Task A_batch_with_two_writes_for_one_grain_is_rejected_as_a_caller_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(
            States(Insert(Grain("twice"), "1"), Update(Grain("twice"), 1, 2, "2")),
            CancellationToken.None));
        Assert.Null(await Read(Grain("twice")));
    }

    [Fact]
    public async Task An_empty_batch_commits()
    {
        var result = await Store.CommitAsync(new CommitBatch([], [], []), CancellationToken.None);
        Assert.True(result.IsCommitted);
    }

    [Fact]
    public async Task Events_get_increasing_sequences_in_batch_order_across_batches()
    {
        var stamp = T0.AddTicks(1234567).ToOffset(TimeSpan.FromHours(8));
        await Commit(new CommitBatch([], [Event("orders", "placed", "1", stamp), Event("points", "spent", "2"), Event("orders", "paid", "3")], []));
        await Commit(new CommitBatch([Insert(Grain("a"), "a")], [Event("orders", "shipped", "4"), Event("orders", "closed", "5")], []));

        var events = await Store.ReadEventsAsync(0, 100, CancellationToken.None);

        Assert.Equal(["1", "2", "3", "4", "5"], events.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "sequences must increase");
        Assert.True(events[0].Sequence > 0);
        Assert.Equal(("orders", "placed"), (events[0].Stream, events[0].EventType));
        Assert.Equal(("points", "spent"), (events[1].Stream, events[1].EventType));
        Assert.Equal(stamp, events[0].Timestamp);
        Assert.Equal(stamp.UtcTicks, events[0].Timestamp.UtcTicks);
    }

    [Fact]
    public async Task Reading_events_pages_by_after_sequence_and_max_count()
    {
        await Commit(new CommitBatch([], [.. Enumerable.Range(1, 7).Select(i => Event("s", "t", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))], []));

        var first = await Store.ReadEventsAsync(0, 3, CancellationToken.None);
        var second = await Store.ReadEventsAsync(first[^1].Sequence, 3, CancellationToken.None);
        var third = await Store.ReadEventsAsync(second[^1].Sequence, 3, CancellationToken.None);
        var none = await Store.ReadEventsAsync(third[^1].Sequence, 3, CancellationToken.None);

        Assert.Equal(["1", "2", "3"], first.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.Equal(["4", "5", "6"], second.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.Equal(["7"], third.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.Empty(none);
        Assert.Empty(await Store.ReadEventsAsync(0, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_checkpoint_defaults_to_zero_and_never_moves_backwards()
    {
        Assert.Equal(0, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));

        await Store.WriteCheckpointAsync("analytics", 10, CancellationToken.None);
        await Store.WriteCheckpointAsync("analytics", 4, CancellationToken.None);
        Assert.Equal(10, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));

        await Store.WriteCheckpointAsync("analytics", 11, CancellationToken.None);
        Assert.Equal(11, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));
        Assert.Equal(0, await Store.ReadCheckpointAsync("mailer", CancellationToken.None));
    }

    [Fact]
    public async Task A_lease_is_granted_to_its_first_taker_renewed_with_the_same_token_and_refused_to_others_until_it_expires()
    {
        var first = await Lease("outbox/a", "silo-1", T0, T0.AddSeconds(15));
        Assert.Equal(new LeaseState("silo-1", 1, T0.AddSeconds(15)), first);

        var renewed = await Lease("outbox/a", "silo-1", T0.AddSeconds(5), T0.AddSeconds(20));
        Assert.Equal(new LeaseState("silo-1", 1, T0.AddSeconds(20)), renewed);

        // Refused: the answer says who holds it, until when.
        var refused = await Lease("outbox/a", "silo-2", T0.AddSeconds(19), T0.AddSeconds(34));
        Assert.Equal(new LeaseState("silo-1", 1, T0.AddSeconds(20)), refused);
        Assert.False(refused.IsHeldBy("silo-2"));

        // Leases are independent of each other.
        Assert.Equal(new LeaseState("silo-2", 1, T0.AddSeconds(34)), await Lease("outbox/b", "silo-2", T0.AddSeconds(19), T0.AddSeconds(34)));
    }

    [Fact]
    public async Task An_expired_lease_goes_to_the_next_taker_with_the_next_token_and_the_ex_holder_cannot_renew_it()
    {
        await Lease("outbox/a", "silo-1", T0, T0.AddSeconds(15));

        var taken = await Lease("outbox/a", "silo-2", T0.AddSeconds(15), T0.AddSeconds(30));
        Assert.Equal(new LeaseState("silo-2", 2, T0.AddSeconds(30)), taken);

        var stale = await Lease("outbox/a", "silo-1", T0.AddSeconds(16), T0.AddSeconds(31));
        Assert.Equal(new LeaseState("silo-2", 2, T0.AddSeconds(30)), stale);

        // Back to the first holder after the second let it lapse: a change of holder, so a new token.
        Assert.Equal(new LeaseState("silo-1", 3, T0.AddSeconds(45)), await Lease("outbox/a", "silo-1", T0.AddSeconds(30), T0.AddSeconds(45)));
    }

    [Fact]
    public async Task Superseding_takes_an_unexpired_lease_from_the_named_holder_only()
    {
        await Lease("outbox/a", "silo-1", T0, T0.AddSeconds(15));

        var wrongName = await Lease("outbox/a", "silo-3", T0.AddSeconds(1), T0.AddSeconds(16), supersede: "silo-2");
        Assert.Equal(("silo-1", 1L), (wrongName.Holder, wrongName.Token));

        var taken = await Lease("outbox/a", "silo-3", T0.AddSeconds(1), T0.AddSeconds(16), supersede: "silo-1");
        Assert.Equal(new LeaseState("silo-3", 2, T0.AddSeconds(16)), taken);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once_and_only_its_holder_can_release_it()
    {
        await Lease("outbox/a", "silo-1", T0, T0.AddSeconds(15));
        await Store.ReleaseLeaseAsync("outbox/a", "silo-2", CancellationToken.None);
        Assert.Equal("silo-1", (await Lease("outbox/a", "silo-2", T0.AddSeconds(1), T0.AddSeconds(16))).Holder);

        await Store.ReleaseLeaseAsync("outbox/a", "silo-1", CancellationToken.None);
        Assert.Equal(new LeaseState("silo-2", 2, T0.AddSeconds(16)), await Lease("outbox/a", "silo-2", T0.AddSeconds(1), T0.AddSeconds(16)));
    }

    [Fact]
    public async Task A_fenced_checkpoint_is_written_only_under_the_current_holder_and_token()
    {
        var held = await Lease("outbox/analytics", "silo-1", T0, T0.AddSeconds(15));
        var fence = new LeaseFence("outbox/analytics", "silo-1", held.Token);

        Assert.True(await Store.TryWriteCheckpointAsync("analytics", 10, fence, CancellationToken.None));
        Assert.True(await Store.TryWriteCheckpointAsync("analytics", 4, fence, CancellationToken.None));
        Assert.Equal(10, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));

        var taken = await Lease("outbox/analytics", "silo-2", T0.AddSeconds(15), T0.AddSeconds(30));
        Assert.False(await Store.TryWriteCheckpointAsync("analytics", 20, fence, CancellationToken.None));
        Assert.False(await Store.TryWriteCheckpointAsync("analytics", 20, fence with { Holder = "silo-2" }, CancellationToken.None));
        Assert.False(await Store.TryWriteCheckpointAsync("analytics", 20, new LeaseFence("outbox/nobody", "silo-2", taken.Token), CancellationToken.None));
        Assert.Equal(10, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));

        Assert.True(await Store.TryWriteCheckpointAsync("analytics", 12, new LeaseFence("outbox/analytics", "silo-2", taken.Token), CancellationToken.None));
        Assert.Equal(12, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));

        // The first write of a checkpoint is fenced too.
        Assert.False(await Store.TryWriteCheckpointAsync("mailer", 3, fence, CancellationToken.None));
        Assert.Equal(0, await Store.ReadCheckpointAsync("mailer", CancellationToken.None));
    }

    [Fact]
    public async Task An_upserted_reminder_reads_back_and_a_second_upsert_replaces_it()
    {
        await Commit(Reminders(Upsert(Grain("o-1"), "resume", T0.AddTicks(7), TimeSpan.FromMinutes(5))));
        var first = Assert.Single(await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None));
        Assert.Equal(new ReminderRecord(Grain("o-1"), "resume", T0.AddTicks(7), TimeSpan.FromMinutes(5)), first);

        await Commit(Reminders(Upsert(Grain("o-1"), "resume", T0.AddHours(1))));
        var second = Assert.Single(await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None));
        Assert.Equal(new ReminderRecord(Grain("o-1"), "resume", T0.AddHours(1), null), second);
    }

    [Fact]
    public async Task Deleting_a_reminder_removes_it_and_deleting_a_missing_one_is_harmless()
    {
        await Commit(Reminders(Upsert(Grain("o-1"), "resume", T0), Upsert(Grain("o-1"), "expire", T0)));

        await Commit(Reminders(Delete(Grain("o-1"), "resume"), Delete(Grain("o-2"), "never-registered")));

        Assert.Equal(["expire"], (await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None)).Select(r => r.Name));
    }

    [Fact]
    public async Task DeleteIfDue_removes_a_reminder_only_while_its_due_time_still_matches()
    {
        await Commit(Reminders(Upsert(Grain("o-1"), "fired", T0), Upsert(Grain("o-1"), "re-registered", T0.AddMinutes(30))));

        // "re-registered" was moved after it fired at T0: the acknowledgement must not delete the new registration.
        await Commit(Reminders(DeleteIfDue(Grain("o-1"), "fired", T0), DeleteIfDue(Grain("o-1"), "re-registered", T0)));

        var left = Assert.Single(await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None));
        Assert.Equal(("re-registered", T0.AddMinutes(30)), (left.Name, left.DueAt));
    }

    [Fact]
    public async Task AdvanceIfDue_moves_a_reminder_only_while_its_due_time_still_matches()
    {
        var period = TimeSpan.FromHours(1);
        await Commit(Reminders(Upsert(Grain("o-1"), "tick", T0, period), Upsert(Grain("o-1"), "moved", T0.AddMinutes(30), period)));

        await Commit(Reminders(AdvanceIfDue(Grain("o-1"), "tick", T0, T0 + period), AdvanceIfDue(Grain("o-1"), "moved", T0, T0 + period)));

        var reminders = await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None);
        Assert.Equal(
            [new ReminderRecord(Grain("o-1"), "moved", T0.AddMinutes(30), period), new ReminderRecord(Grain("o-1"), "tick", T0 + period, period)],
            reminders);
    }

    [Fact]
    public async Task Acknowledging_a_reminder_that_is_gone_changes_nothing()
    {
        await Commit(Reminders(DeleteIfDue(Grain("o-1"), "gone", T0), AdvanceIfDue(Grain("o-1"), "gone-too", T0, T0.AddHours(1))));

        Assert.Empty(await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None));
    }

    [Fact]
    public async Task Due_reminders_are_those_strictly_before_the_cutoff_earliest_first()
    {
        await Commit(Reminders(
            Upsert(Grain("o-3"), "r", T0.AddMinutes(3)),
            Upsert(Grain("o-1"), "r", T0.AddMinutes(1)),
            Upsert(Grain("o-5"), "r", T0.AddMinutes(5)),
            Upsert(Grain("o-2"), "r", T0.AddMinutes(2))));

        var due = await Store.ReadDueRemindersAsync(T0.AddMinutes(3), CancellationToken.None);

        Assert.Equal(["o-1", "o-2"], due.Select(r => r.Grain.Key));
        Assert.Equal(T0.AddMinutes(1), due[0].DueAt);
        Assert.Equal(4, (await Store.ReadDueRemindersAsync(DateTimeOffset.MaxValue, CancellationToken.None)).Count);
        Assert.Empty(await Store.ReadDueRemindersAsync(T0, CancellationToken.None));
    }

    [Fact]
    public async Task Reminders_are_read_per_grain()
    {
        await Commit(Reminders(
            Upsert(Grain("o-1"), "b", T0),
            Upsert(Grain("o-1"), "a", T0.AddMinutes(1)),
            Upsert(Grain("o-2"), "a", T0),
            Upsert(new StateKey("member", "o-1"), "a", T0)));

        Assert.Equal(["a", "b"], (await Store.ReadRemindersAsync(Grain("o-1"), CancellationToken.None)).Select(r => r.Name));
        Assert.Single(await Store.ReadRemindersAsync(Grain("o-2"), CancellationToken.None));
        Assert.Empty(await Store.ReadRemindersAsync(Grain("o-3"), CancellationToken.None));
    }

    [Fact]
    public async Task Index_entries_are_put_replaced_and_removed_with_their_batch()
    {
        await Commit(Indexes(Put("orders", "o-1", "m-1", "Pending", 10, "kettle", "v1"), Put("orders", "o-2", "m-2", "Pending", 20, null, "x")));
        await Commit(Indexes(Put("orders", "o-1", "m-1", "Shipped", 10, "kettle", "v2"), Remove("orders", "o-2")));

        var page = await Store.QueryIndexAsync(new IndexQuery("orders"), CancellationToken.None);

        var row = Assert.Single(page.Rows);
        Assert.Equal(("o-1", "m-1", "Shipped", 10L, "v2", 1), (row.Key, row.Partition, row.Tag, row.SortKey, Encoding.UTF8.GetString(row.Payload), page.Total));
    }

    [Fact]
    public async Task An_index_query_filters_by_partition_tag_and_text_newest_first_with_a_total()
    {
        await Commit(Indexes(
            Put("orders", "o-a", "m-1", "Pending", 30, "电热水壶 kettle", "a"),
            Put("orders", "o-b", "m-1", "Shipped", 20, "thermos", "b"),
            Put("orders", "o-c", "m-2", "Pending", 30, "kettle", "c"),
            Put("orders", "o-d", "m-2", "Pending", 10, null, "d"),
            Put("members", "o-a", null, null, 99, "someone", "not an order")));

        async Task<string> Keys(IndexQuery query)
        {
            var page = await Store.QueryIndexAsync(query, CancellationToken.None);
            return $"{string.Join(",", page.Rows.Select(r => r.Key))} of {page.Total}";
        }

        // Equal sort keys break ties by key, so paging is stable.
        Assert.Equal("o-a,o-c,o-b,o-d of 4", await Keys(new IndexQuery("orders")));
        Assert.Equal("o-a,o-b of 2", await Keys(new IndexQuery("orders", Partition: "m-1")));
        Assert.Equal("o-a,o-c,o-d of 3", await Keys(new IndexQuery("orders", Tag: "Pending")));
        Assert.Equal("o-c,o-d of 2", await Keys(new IndexQuery("orders", Partition: "m-2", Tag: "Pending")));
        Assert.Equal("o-a,o-c of 2", await Keys(new IndexQuery("orders", Text: "KETTLE")));
        Assert.Equal("o-a of 1", await Keys(new IndexQuery("orders", Text: "热水")));
        Assert.Equal("o-c,o-b of 4", await Keys(new IndexQuery("orders", Offset: 1, Limit: 2)));
        Assert.Equal(" of 4", await Keys(new IndexQuery("orders", Offset: 10, Limit: 2)));
        Assert.Equal(" of 0", await Keys(new IndexQuery("orders", Tag: "Cancelled")));
        Assert.Equal(" of 0", await Keys(new IndexQuery("nothing")));
    }

    [Fact]
    public async Task A_refused_batch_leaves_no_index_entry_behind()
    {
        await Commit(States(Insert(Grain("a"), "v1")));

        var refused = await Store.CommitAsync(
            new CommitBatch([Update(Grain("a"), 7, 8, "x")], [], [], [Put("orders", "o-1", null, null, 1, null, "ghost")]), CancellationToken.None);

        Assert.False(refused.IsCommitted);
        Assert.Equal(0, (await Store.QueryIndexAsync(new IndexQuery("orders"), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task A_batch_with_two_writes_for_one_index_entry_is_rejected_as_a_caller_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(
            Indexes(Put("orders", "o-1", null, null, 1, null, "a"), Remove("orders", "o-1")), CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_of_ten_thousand_state_writes_commits_and_reads_back()
    {
        const int count = 10_000;
        var payload = Encoding.UTF8.GetBytes("""{"balance":1000,"lots":[{"id":"L1","points":1000,"expires":"2027-12-31"}]}""");
        var inserts = Enumerable.Range(0, count).Select(i => new StateWrite(Grain($"bulk-{i}"), 0, 1, payload)).ToArray();
        await Commit(new CommitBatch(inserts, [], []));

        var updates = inserts.Select(w => w with { ExpectedVersion = 1, NewVersion = 2 }).ToArray();
        var watch = Stopwatch.StartNew();
        var result = await Store.CommitAsync(new CommitBatch(updates, [], []), CancellationToken.None);
        watch.Stop();
        Assert.True(result.IsCommitted);
        output.WriteLine($"{Store.Name}: a {count:N0}-row state batch (updates) committed in {watch.Elapsed.TotalMilliseconds:F1} ms ({count / watch.Elapsed.TotalSeconds:N0} rows/s)");

        foreach (var i in new[] { 0, 1, count / 2, count - 1 })
        {
            var stored = await Read(Grain($"bulk-{i}"));
            Assert.Equal(2, stored!.Version);
            Assert.Equal(payload, stored.Payload);
        }
    }

    protected static StateKey Grain(string key) => new("order", key);

    protected static StateWrite Insert(StateKey grain, string payload) => new(grain, 0, 1, Encoding.UTF8.GetBytes(payload));

    protected static StateWrite Update(StateKey grain, long expected, long next, string payload) => new(grain, expected, next, Encoding.UTF8.GetBytes(payload));

    protected static EventAppend Event(string stream, string type, string payload, DateTimeOffset? at = null) =>
        new(stream, type, Encoding.UTF8.GetBytes(payload), at ?? T0);

    protected static ReminderWrite Upsert(StateKey grain, string name, DateTimeOffset due, TimeSpan? period = null) =>
        new(grain, name, ReminderWriteKind.Upsert, due, period, null);

    protected static ReminderWrite Delete(StateKey grain, string name) => new(grain, name, ReminderWriteKind.Delete, default, null, null);

    protected static ReminderWrite DeleteIfDue(StateKey grain, string name, DateTimeOffset expected) =>
        new(grain, name, ReminderWriteKind.DeleteIfDue, default, null, expected);

    protected static ReminderWrite AdvanceIfDue(StateKey grain, string name, DateTimeOffset expected, DateTimeOffset next) =>
        new(grain, name, ReminderWriteKind.AdvanceIfDue, next, null, expected);

    protected static CommitBatch Indexes(params IndexWrite[] writes) => new([], [], [], writes);

    protected static IndexWrite Put(string index, string key, string? partition, string? tag, long sortKey, string? text, string payload)
        => new(index, key, new IndexEntry(partition, tag, sortKey, text?.ToLowerInvariant(), Encoding.UTF8.GetBytes(payload)));

    protected static IndexWrite Remove(string index, string key) => new(index, key, null);

    protected static CommitBatch States(params StateWrite[] writes) => new(writes, [], []);

    protected static CommitBatch Reminders(params ReminderWrite[] writes) => new([], [], writes);

    protected static string? Text(StoredState? state) => state is null ? null : Encoding.UTF8.GetString(state.Payload);

    protected Task<LeaseState> Lease(string lease, string holder, DateTimeOffset now, DateTimeOffset expiresAt, string? supersede = null)
        => Store.AcquireLeaseAsync(new LeaseRequest(lease, holder, now, expiresAt, supersede), CancellationToken.None);

    protected Task<StoredState?> Read(StateKey grain) => Store.ReadStateAsync(grain, CancellationToken.None);

    protected async Task Commit(CommitBatch batch)
    {
        var result = await Store.CommitAsync(batch, CancellationToken.None);
        Assert.True(result.IsCommitted, $"expected the batch to commit, but it conflicted on {string.Join(", ", result.Conflicts)}");
    }
}

/// <summary>The contract plus what only a durable store can promise: everything survives a restart.</summary>
public abstract class DurableGrainStoreContract(ITestOutputHelper output) : GrainStoreContract(output)
{
    [Fact]
    public async Task Committed_data_survives_disposing_the_store_and_opening_a_new_one()
    {
        var period = TimeSpan.FromMinutes(10);
        await Commit(new CommitBatch(
            [Insert(Grain("kept"), "v1")],
            [Event("orders", "placed", "e1")],
            [Upsert(Grain("kept"), "resume", T0.AddTicks(3), period)]));
        await Commit(States(Update(Grain("kept"), 1, 2, "v2")));
        await Commit(Indexes(Put("orders", "o-kept", "m-1", "Pending", 5, "kept", "entry")));
        await Store.WriteCheckpointAsync("analytics", 1, CancellationToken.None);
        await Lease("outbox/analytics", "silo-1", T0, T0.AddSeconds(15));

        await ReopenAsync();

        Assert.Equal(new LeaseState("silo-1", 1, T0.AddSeconds(15)), await Lease("outbox/analytics", "silo-2", T0.AddSeconds(1), T0.AddSeconds(16)));

        Assert.Equal("o-kept", Assert.Single((await Store.QueryIndexAsync(new IndexQuery("orders", Partition: "m-1"), CancellationToken.None)).Rows).Key);

        var stored = await Read(Grain("kept"));
        Assert.Equal((2L, "v2"), (stored!.Version, Text(stored)));
        var e = Assert.Single(await Store.ReadEventsAsync(0, 10, CancellationToken.None));
        Assert.Equal(("orders", "placed", "e1", T0), (e.Stream, e.EventType, Encoding.UTF8.GetString(e.Payload), e.Timestamp));
        Assert.Equal(1, await Store.ReadCheckpointAsync("analytics", CancellationToken.None));
        Assert.Equal(
            new ReminderRecord(Grain("kept"), "resume", T0.AddTicks(3), period),
            Assert.Single(await Store.ReadDueRemindersAsync(DateTimeOffset.MaxValue, CancellationToken.None)));

        // Sequences keep increasing after the restart, and fences still hold.
        await Commit(new CommitBatch([], [Event("orders", "paid", "e2")], []));
        var events = await Store.ReadEventsAsync(0, 10, CancellationToken.None);
        Assert.True(events[1].Sequence > events[0].Sequence);
        Assert.False((await Store.CommitAsync(States(Update(Grain("kept"), 1, 2, "stale")), CancellationToken.None)).IsCommitted);
    }
}
