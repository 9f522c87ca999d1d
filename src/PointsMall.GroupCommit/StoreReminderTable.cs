using System.Globalization;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// Orleans' reminder table over the reminder rows of the group-commit storage's store, so reminders are as durable as
/// the grain states they serve, on SQLite and PostgreSQL alike, with no second database to run.
/// </summary>
/// <remarks>
/// A row is keyed like a state (grain type and key) plus the reminder name; its due time is Orleans' start time. Grains
/// write their rows in the same transaction as their state (<see cref="StagedWrites.SetReminder"/>); Orleans' reminder
/// service picks them up when it refreshes its list (<c>ReminderOptions.RefreshReminderListPeriod</c>). A row without
/// a period is a one-shot: Orleans sees the retry period (<c>MinimumReminderPeriod</c>) until the grain removes it.
/// The ETag is the start time and period: a reminder replaced meanwhile no longer matches, so a stale removal is refused.
/// A silo's share of the ring is read by filtering every row on the grain's hash; the tables hold one row per
/// pending reminder (an order's deadline, a member's next expiry), which a single read handles at this scale.
/// </remarks>
internal sealed class StoreReminderTable(GroupCommitGrainStorage storage, TimeSpan retryPeriod) : IReminderTable
{
    /// <summary>Far enough to read every row (stores compare due times, so no sentinel that overflows them).</summary>
    private static readonly DateTimeOffset Everything = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private IGrainStore Store => storage.Store;

    public Task Init() => Task.CompletedTask;

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        var rows = await Store.ReadRemindersAsync(KeyOf(grainId), CancellationToken.None).ConfigureAwait(false);
        return new ReminderTableData(rows.Select(r => Entry(grainId, r)));
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var rows = await Store.ReadDueRemindersAsync(Everything, CancellationToken.None).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        foreach (var row in rows)
        {
            var grainId = GrainId.Create(row.Grain.Type, row.Grain.Key);
            var hash = grainId.GetUniformHashCode();

            // Orleans' ring ranges are (begin, end], wrapping past uint.MaxValue when begin >= end.
            var inRange = begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
            if (inRange)
            {
                entries.Add(Entry(grainId, row));
            }
        }

        return new ReminderTableData(entries);
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await Store.ReadRemindersAsync(KeyOf(grainId), CancellationToken.None).ConfigureAwait(false);
        return rows.FirstOrDefault(r => r.Name == reminderName) is { } row ? Entry(grainId, row) : null;
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var due = new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc));
        await storage.CommitRemindersAsync([new ReminderWrite(KeyOf(entry.GrainId), entry.ReminderName, ReminderWriteKind.Upsert, due, entry.Period, null)]).ConfigureAwait(false);
        return ETagOf(due, entry.Period);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var current = await ReadRow(grainId, reminderName).ConfigureAwait(false);
        if (current is null || current.ETag != eTag)
        {
            return false;
        }

        // Deleted only if still due when it was read: a concurrent re-registration moves the due time and survives.
        var due = new DateTimeOffset(DateTime.SpecifyKind(current.StartAt, DateTimeKind.Utc));
        await storage.CommitRemindersAsync([new ReminderWrite(KeyOf(grainId), reminderName, ReminderWriteKind.DeleteIfDue, due, null, due)]).ConfigureAwait(false);
        return true;
    }

    public async Task TestOnlyClearTable()
    {
        var rows = await Store.ReadDueRemindersAsync(Everything, CancellationToken.None).ConfigureAwait(false);
        if (rows.Count > 0)
        {
            await storage.CommitRemindersAsync([.. rows.Select(r => new ReminderWrite(r.Grain, r.Name, ReminderWriteKind.Delete, r.DueAt, null, null))]).ConfigureAwait(false);
        }
    }

    private static StateKey KeyOf(GrainId grainId) => GroupCommitGrainStorage.KeyOf(GroupCommitGrainStorage.DefaultStateName, grainId);

    private ReminderEntry Entry(GrainId grainId, ReminderRecord row) => new()
    {
        GrainId = grainId,
        ReminderName = row.Name,
        StartAt = row.DueAt.UtcDateTime,
        Period = row.Period ?? retryPeriod,
        ETag = ETagOf(row.DueAt, row.Period ?? TimeSpan.Zero),
    };

    private static string ETagOf(DateTimeOffset due, TimeSpan period) =>
        string.Create(CultureInfo.InvariantCulture, $"{due.UtcTicks}:{period.Ticks}");
}
