using PointsMall.Actors.Persistence;
using PointsMall.Storage;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// A group-commit batch: first open (activations add to it), then sealed and written in one transaction.
/// It is also the ticket every writer in it waits on: <see cref="Completion"/> ends when the batch is durable.
/// </summary>
internal sealed class PendingBatch(long number)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Batches are numbered in commit order; replies compare numbers to know what a failure touched.</summary>
    public long Number { get; } = number;

    public List<PendingStateWrite> States { get; } = [];

    public List<(ActivationData Owner, EventAppend Event)> Events { get; } = [];

    /// <summary>One write per (grain, reminder) per batch, so a store may apply them in any order.</summary>
    public Dictionary<(GrainId Grain, string Name), (ActivationData Owner, ReminderWrite Write)> Reminders { get; } = [];

    /// <summary>One write per (index, key) per batch: a later turn's entry replaces an earlier one.</summary>
    public Dictionary<(string Index, string Key), (ActivationData Owner, IndexWrite Write)> Indexes { get; } = [];

    public Task Completion => _completion.Task;

    public bool Succeeded => _completion.Task.IsCompletedSuccessfully;

    public bool IsEmpty => States.Count == 0 && Events.Count == 0 && Reminders.Count == 0 && Indexes.Count == 0;

    public void AddReminder(ActivationData owner, ReminderWrite write)
    {
        var key = (write.Grain, write.Name);
        var isAck = write.Kind is ReminderWriteKind.DeleteIfDue or ReminderWriteKind.AdvanceIfDue;
        if (isAck && Reminders.TryGetValue(key, out var earlier) && earlier.Write.Kind is ReminderWriteKind.Upsert or ReminderWriteKind.Delete)
        {
            // The grain set or removed this reminder after it fell due; that newer decision stands.
            return;
        }

        Reminders[key] = (owner, write);
    }

    public HashSet<ActivationData> Participants()
    {
        var owners = new HashSet<ActivationData>();
        foreach (var write in States)
        {
            owners.Add(write.Owner);
        }

        foreach (var (owner, _) in Events)
        {
            owners.Add(owner);
        }

        foreach (var (owner, _) in Reminders.Values)
        {
            owners.Add(owner);
        }

        foreach (var (owner, _) in Indexes.Values)
        {
            owners.Add(owner);
        }

        return owners;
    }

    /// <summary>Drops everything the given activations put in this batch (they were discarded).</summary>
    public void RemoveOwnedBy(IReadOnlySet<ActivationData> owners)
    {
        States.RemoveAll(w => owners.Contains(w.Owner));
        Events.RemoveAll(e => owners.Contains(e.Owner));
        foreach (var key in Reminders.Where(r => owners.Contains(r.Value.Owner)).Select(r => r.Key).ToList())
        {
            Reminders.Remove(key);
        }

        foreach (var key in Indexes.Where(r => owners.Contains(r.Value.Owner)).Select(r => r.Key).ToList())
        {
            Indexes.Remove(key);
        }
    }

    public void Succeed() => _completion.TrySetResult();

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>One grain's state write in a batch. Later turns in the same open batch replace <see cref="State"/>.</summary>
internal sealed class PendingStateWrite(ActivationData owner, IStateHolder holder, PendingBatch batch, long expectedVersion, object state)
{
    public ActivationData Owner { get; } = owner;

    public IStateHolder Holder { get; } = holder;

    public PendingBatch Batch { get; } = batch;

    public long ExpectedVersion { get; } = expectedVersion;

    public long NewVersion => ExpectedVersion + 1;

    public object State { get; set; } = state;
}
