using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// The one writer between every activation of a silo and its store: writes queue up while a commit is in flight and
/// the next commit takes all of them, so a busy silo spends one transaction (one fsync) on many grains' writes.
/// </summary>
/// <remarks>
/// Design note. Callers enqueue a <see cref="QueuedWrite"/> and await its completion; the single reader drains the
/// channel into a batch (at most <see cref="GroupCommitOptions.MaxBatchSize"/> writes), commits it, and completes each
/// write with its own outcome. A batch holds at most one write per state key and per index entry (a store applies a
/// batch as a set): a second write for the same key waits for the next batch, where its fence decides. Fencing is
/// per write: when some fences fail, the store writes nothing, so those writes are refused and the rest committed
/// again at once. Any other failure fails every write of the batch: none of it is durable, and the storage makes the
/// activations involved reload.
/// </remarks>
internal sealed partial class CommitQueue : IAsyncDisposable
{
    private readonly IGrainStore _store;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly Channel<QueuedWrite> _queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private long _commits;
    private long _writes;
    private volatile CommitFailure? _failing;

    private readonly GroupCommitMetrics? _metrics;

    public CommitQueue(IGrainStore store, int maxBatchSize, ILogger logger, GroupCommitMetrics? metrics = null)
    {
        _metrics = metrics;
        _store = store;
        _maxBatchSize = maxBatchSize;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Raised on the writer loop after a commit that carried events; handlers must return at once.</summary>
    public event Action? EventsCommitted;

    /// <summary>Transactions committed so far, and the writes they carried (their ratio is the batching achieved).</summary>
    public (long Commits, long Writes) Statistics => (Interlocked.Read(ref _commits), Interlocked.Read(ref _writes));

    /// <summary>Set while commits fail (since the first failure after a success), cleared by the next commit.</summary>
    public CommitFailure? Failing => _failing;

    /// <summary>Queues a write; the task completes when it is durable, or says why it is not.</summary>
    public Task<WriteOutcome> EnqueueAsync(QueuedWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(CommitQueue), "The grain storage has stopped: no further writes are accepted.");
        }

        return write.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var carried = new List<QueuedWrite>();
        var reader = _queue.Reader;
        while (carried.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new List<QueuedWrite>(Math.Min(_maxBatchSize, 64));
            var states = new HashSet<StateKey>();
            var entries = new HashSet<(string, string)>();
            var reminders = new HashSet<(StateKey, string)>();
            var next = new List<QueuedWrite>();
            foreach (var write in carried)
            {
                Take(write);
            }

            while (batch.Count < _maxBatchSize && reader.TryRead(out var write))
            {
                Take(write);
            }

            carried = next;
            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }

            void Take(QueuedWrite write)
            {
                if (batch.Count >= _maxBatchSize
                    || (write.Key is { } taken && states.Contains(taken))
                    || write.Indexes.Any(i => entries.Contains((i.Index, i.Key)))
                    || write.Reminders.Any(r => reminders.Contains((r.Grain, r.Name))))
                {
                    next.Add(write);
                    return;
                }

                if (write.Key is { } key)
                {
                    states.Add(key);
                }

                foreach (var index in write.Indexes)
                {
                    entries.Add((index.Index, index.Key));
                }

                foreach (var reminder in write.Reminders)
                {
                    reminders.Add((reminder.Grain, reminder.Name));
                }

                batch.Add(write);
            }
        }
    }

    private async Task CommitAsync(List<QueuedWrite> batch)
    {
        while (batch.Count > 0)
        {
            CommitResult result;
            var started = Stopwatch.GetTimestamp();
            try
            {
                result = await _store.CommitAsync(ToCommitBatch(batch), CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever the store threw, every writer of the batch must hear of it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogCommitFailed(_logger, ex, batch.Count);
                _metrics?.Failed();
                var now = Stopwatch.GetTimestamp();
                _failing = new CommitFailure(_failing?.Since ?? now, now, ex.Message);
                foreach (var write in batch)
                {
                    write.Completion.TrySetException(new GrainStorageCommitException($"The batch holding the write of {write.Key?.ToString() ?? "reminders"} failed to commit; nothing of it is durable.", ex));
                }

                return;
            }

            _failing = null;
            if (result.IsCommitted)
            {
                _metrics?.Committed(batch.Count, Stopwatch.GetElapsedTime(started));
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _writes, batch.Count);
                if (batch.Any(w => w.Events.Count > 0))
                {
                    EventsCommitted?.Invoke();
                }

                foreach (var write in batch)
                {
                    write.Completion.TrySetResult(WriteOutcome.Committed);
                }

                return;
            }

            // Fenced out: another activation wrote those grains. Refuse them alone and commit the rest again.
            var conflicts = result.Conflicts.ToHashSet();
            _metrics?.Conflicts(conflicts.Count);
            foreach (var write in batch.Where(w => w.Key is { } key && conflicts.Contains(key)))
            {
                LogVersionConflict(_logger, write.Key!.Value.ToString(), write.ExpectedVersion);
                write.Completion.TrySetResult(WriteOutcome.VersionConflict);
            }

            batch.RemoveAll(w => w.Key is { } key && conflicts.Contains(key));
        }
    }

    private static CommitBatch ToCommitBatch(List<QueuedWrite> batch)
    {
        var states = new List<StateWrite>(batch.Count);
        List<EventAppend>? events = null;
        List<IndexWrite>? indexes = null;
        List<ReminderWrite>? reminders = null;
        foreach (var write in batch)
        {
            if (write.Key is { } key)
            {
                states.Add(new StateWrite(key, write.ExpectedVersion, write.ExpectedVersion + 1, write.Payload));
            }

            if (write.Events.Count > 0)
            {
                (events ??= []).AddRange(write.Events);
            }

            if (write.Indexes.Count > 0)
            {
                (indexes ??= []).AddRange(write.Indexes);
            }

            if (write.Reminders.Count > 0)
            {
                (reminders ??= []).AddRange(write.Reminders);
            }
        }

        return new CommitBatch(states, events ?? [], reminders ?? [], indexes ?? []);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A group commit of {Count} writes failed; every writer is told and the activations reload")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "State write of {Key} fenced out (expected version {Version}): another activation owns it")]
    private static partial void LogVersionConflict(ILogger logger, string key, long version);
}

/// <summary>
/// One grain's state write, with the events and index entries that go with it; or, without a state
/// (<see cref="Key"/> null), reminder rows written for Orleans' reminder service.
/// </summary>
internal sealed class QueuedWrite(
    StateKey? key,
    long expectedVersion,
    byte[] payload,
    IReadOnlyList<EventAppend> events,
    IReadOnlyList<IndexWrite> indexes,
    IReadOnlyList<ReminderWrite>? reminders = null)
{
    public StateKey? Key { get; } = key;

    public long ExpectedVersion { get; } = expectedVersion;

    public byte[] Payload { get; } = payload;

    public IReadOnlyList<EventAppend> Events { get; } = events;

    public IReadOnlyList<IndexWrite> Indexes { get; } = indexes;

    public IReadOnlyList<ReminderWrite> Reminders { get; } = reminders ?? [];

    /// <summary>Completed off the writer loop, so callers' continuations never run on it.</summary>
    public TaskCompletionSource<WriteOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal enum WriteOutcome
{
    Committed,
    VersionConflict,
}

/// <summary>Commits are failing: since when and last when (<see cref="Stopwatch"/> timestamps), and the store's reason.</summary>
public sealed record CommitFailure(long Since, long Last, string Reason)
{
    public TimeSpan SinceLast => Stopwatch.GetElapsedTime(Last);

    public TimeSpan Duration => Stopwatch.GetElapsedTime(Since);
}
