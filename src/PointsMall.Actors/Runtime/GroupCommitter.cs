using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PointsMall.Actors.Persistence;
using PointsMall.Storage;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// Writes the changes of many activations in one storage transaction (DESIGN.md rule 2).
/// </summary>
/// <remarks>
/// Design: there is always one open batch that activations add to, and at most one sealed batch being
/// written. When a write finishes, whatever accumulated meanwhile is sealed and written next, so batches
/// grow by themselves with load and no timer or linger is needed. A grain written several times while a
/// batch is open has one entry holding its latest state (collapse), serialized only when the batch is sealed.
/// <para>
/// Batches commit strictly in order, so a grain's write in batch N+1 is fenced on the version its write in
/// batch N produced. When a batch fails, every activation with anything in it is discarded (its in-memory
/// state may include the lost change) and its entries in the open batch are dropped; its held replies fail
/// by batch number (see <see cref="ActivationData"/>). When storage reports version conflicts, only the
/// conflicting grains are discarded and the rest of the batch is written again.
/// </para>
/// All fields below are guarded by <c>_lock</c>, as are <see cref="ActivationData.EnqueuedVersion"/>,
/// <see cref="ActivationData.OpenWrite"/> and the discard mark of every activation.
/// </remarks>
internal sealed partial class GroupCommitter(IGrainStore store, ReminderService reminders, StreamDispatcher streams, SiloStatistics statistics, ILogger<GroupCommitter> logger)
{
    private readonly Lock _lock = new();
    private long _nextNumber = 1;
    private PendingBatch _open = new(0);
    private PendingBatch? _inFlight;
    private bool _writing;

    /// <summary>
    /// Adds a turn's changes to the open batch and returns it, or <c>null</c> when the activation was
    /// discarded meanwhile (its turn ran on state that is being thrown away).
    /// </summary>
    public PendingBatch? Enqueue(ActivationData owner, IStateHolder? state, List<EventAppend>? events, List<ReminderWrite>? reminderWrites, List<IndexWrite>? indexWrites = null)
    {
        bool start;
        PendingBatch batch;
        lock (_lock)
        {
            if (owner.IsDiscarded)
            {
                return null;
            }

            batch = _open;
            if (state is not null)
            {
                if (owner.OpenWrite is { } write && ReferenceEquals(write.Batch, batch))
                {
                    write.State = state.Current;
                }
                else
                {
                    write = new PendingStateWrite(owner, state, batch, owner.EnqueuedVersion, state.Current);
                    owner.EnqueuedVersion = write.NewVersion;
                    owner.OpenWrite = write;
                    batch.States.Add(write);
                }
            }

            if (events is not null)
            {
                foreach (var appended in events)
                {
                    batch.Events.Add((owner, appended));
                }
            }

            if (reminderWrites is not null)
            {
                foreach (var reminderWrite in reminderWrites)
                {
                    batch.AddReminder(owner, reminderWrite);
                }
            }

            if (indexWrites is not null)
            {
                foreach (var indexWrite in indexWrites)
                {
                    batch.Indexes[(indexWrite.Index, indexWrite.Key)] = (owner, indexWrite);
                }
            }

            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(WriteLoopAsync);
        }

        return batch;
    }

    /// <summary>Completes when everything enqueued so far is written (or failed).</summary>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            var last = !_open.IsEmpty ? _open : _inFlight;
            return last is null ? Task.CompletedTask : last.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            PendingBatch batch;
            lock (_lock)
            {
                if (_open.IsEmpty)
                {
                    _writing = false;
                    _inFlight = null;
                    return;
                }

                batch = _open;
                _inFlight = batch;
                _open = new PendingBatch(_nextNumber++);
            }

            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(PendingBatch batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                var (commit, unserializable) = Serialize(batch);
                if (unserializable.Count > 0)
                {
                    Discard(batch, unserializable.Keys.ToHashSet(), owner => unserializable[owner]);
                    continue;
                }

                if (commit.IsEmpty)
                {
                    break;
                }

                var result = await store.CommitAsync(commit, CancellationToken.None).ConfigureAwait(false);
                if (result.IsCommitted)
                {
                    statistics.RecordBatch(commit.States.Count + commit.Events.Count + commit.Reminders.Count + commit.Indexes.Count, Stopwatch.GetElapsedTime(started));
                    reminders.OnCommitted(commit.Reminders);
                    if (commit.Events.Count > 0)
                    {
                        streams.OnCommitted();
                    }

                    break;
                }

                // Fenced out: those grains were written by someone else. Refuse them alone and write the rest.
                var conflicted = result.Conflicts.Select(GrainId.FromStateKey).ToHashSet();
                var owners = batch.States.Where(w => conflicted.Contains(w.Owner.Id)).Select(w => w.Owner).ToHashSet();
                foreach (var owner in owners)
                {
                    LogVersionConflict(logger, owner.Id);
                }

                statistics.RecordVersionConflicts(owners.Count);

                Discard(batch, owners, owner => new VersionConflictException(owner.Id, batch.States.First(w => ReferenceEquals(w.Owner, owner)).ExpectedVersion));
            }

            batch.Succeed();
        }
#pragma warning disable CA1031 // A storage failure of any kind fails the batch's callers, never the write loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            statistics.RecordFailedBatch();
            var failure = new StorageCommitException($"The storage transaction failed, so no change in it was made: {ex.Message}", ex);
            LogBatchFailed(logger, ex, batch.Number, batch.States.Count);
            Discard(batch, batch.Participants(), _ => failure);
            batch.Fail(failure);
        }
    }

    private static (CommitBatch Commit, Dictionary<ActivationData, Exception> Unserializable) Serialize(PendingBatch batch)
    {
        var unserializable = new Dictionary<ActivationData, Exception>();
        var states = new List<StateWrite>(batch.States.Count);
        foreach (var write in batch.States)
        {
            try
            {
                states.Add(new StateWrite(write.Owner.Id, write.ExpectedVersion, write.NewVersion, write.Holder.Serialize(write.State)));
            }
#pragma warning disable CA1031 // The grain's callers get the serializer's exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                unserializable[write.Owner] = new InvalidOperationException($"The state of {write.Owner.Id} could not be serialized: {ex.Message}", ex);
            }
        }

        var events = batch.Events.Select(e => e.Event).ToList();
        var reminderWrites = batch.Reminders.Values.Select(r => r.Write).ToList();
        var indexWrites = batch.Indexes.Values.Select(r => r.Write).ToList();
        return (new CommitBatch(states, events, reminderWrites, indexWrites), unserializable);
    }

    /// <summary>Discards activations: marks them, and drops their entries from this batch and the open one.</summary>
    private void Discard(PendingBatch batch, HashSet<ActivationData> owners, Func<ActivationData, Exception> reason)
    {
        lock (_lock)
        {
            foreach (var owner in owners)
            {
                owner.MarkDiscarded(batch.Number, reason(owner));
            }

            batch.RemoveOwnedBy(owners);
            _open.RemoveOwnedBy(owners);
        }

        foreach (var owner in owners)
        {
            owner.RequestDeactivation(DeactivationReason.StateDiscarded);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Commit of batch {BatchNumber} ({StateCount} state writes) failed; its callers get errors and its activations reload")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, long batchNumber, int stateCount);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Write of {Grain} was fenced out by a newer version in storage; the activation is deactivated")]
    private static partial void LogVersionConflict(ILogger logger, GrainId grain);
}
