using Microsoft.Extensions.Logging;
using PointsMall.Storage;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// Fires durable reminders. Reminders due within <see cref="SiloOptions.ReminderWindow"/> are mirrored in
/// memory and scheduled on one <see cref="TimeProvider"/> timer; the window is reloaded as time moves.
/// </summary>
/// <remarks>
/// The mirror is updated from committed batches only, so it never runs ahead of storage. A fired reminder is
/// acknowledged (deleted, or moved to its next due time) by a conditional write in the same transaction as the
/// turn that handled it; if that turn fails, the reminder stays stored and is tried again after
/// <see cref="SiloOptions.ReminderRetryDelay"/> (and after a restart, since the row is still there).
/// </remarks>
internal sealed partial class ReminderService(GrainRuntime runtime, ILogger<ReminderService> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(GrainId Grain, string Name), Entry> _entries = [];
    private readonly PriorityQueue<Entry, DateTimeOffset> _queue = new();
    private ITimer? _timer;
    private ITimer? _refreshTimer;
    private DateTimeOffset _loadedUntil;
    private bool _running;

    public int ScheduledCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = runtime.Time.CreateTimer(static s => ((ReminderService)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _running = true;
        await LoadWindowAsync(cancellationToken).ConfigureAwait(false);
        var refresh = runtime.Options.ReminderWindow / 2;
        _refreshTimer = runtime.Time.CreateTimer(static s => _ = ((ReminderService)s!).RefreshAsync(), this, refresh, refresh);
    }

    public void Stop()
    {
        lock (_lock)
        {
            _running = false;
        }

        _refreshTimer?.Dispose();
        _timer?.Dispose();
    }

    public void Dispose() => Stop();

    /// <summary>The first due time after <paramref name="now"/> on a periodic schedule.</summary>
    public static DateTimeOffset NextDue(DateTimeOffset due, TimeSpan period, DateTimeOffset now)
    {
        if (due > now)
        {
            return due + period;
        }

        var missed = (now - due).Ticks / period.Ticks;
        return due + TimeSpan.FromTicks(period.Ticks * (missed + 1));
    }

    /// <summary>Applies committed reminder writes to the in-memory mirror.</summary>
    public void OnCommitted(IReadOnlyList<ReminderWrite> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var write in writes)
            {
                var key = (write.Grain, write.Name);
                _entries.TryGetValue(key, out var current);
                switch (write.Kind)
                {
                    case ReminderWriteKind.Upsert:
                        Remove(key);
                        AddIfInWindow(new ReminderRecord(write.Grain, write.Name, write.DueAt, write.Period));
                        break;
                    case ReminderWriteKind.Delete:
                        Remove(key);
                        break;
                    case ReminderWriteKind.DeleteIfDue when current is not null && current.Record.DueAt == write.ExpectedDueAt:
                        Remove(key);
                        break;
                    case ReminderWriteKind.AdvanceIfDue when current is not null && current.Record.DueAt == write.ExpectedDueAt:
                        Remove(key);
                        AddIfInWindow(current.Record with { DueAt = write.DueAt });
                        break;
                    default:
                        break;
                }
            }
        }

        Arm();
    }

    public void OnDelivered(ReminderRecord reminder)
    {
        // The acknowledgement was committed (and applied by OnCommitted) before the reply was released; this
        // only clears an entry the acknowledgement could not match, so it is not fired twice from memory.
        lock (_lock)
        {
            var key = (reminder.Grain, reminder.Name);
            if (_entries.TryGetValue(key, out var entry) && entry.InFlight && entry.Record == reminder)
            {
                Remove(key);
            }
        }
    }

    public void OnDeliveryFailed(ReminderRecord reminder, Exception exception)
    {
        LogDeliveryFailed(logger, exception, reminder.Name, reminder.Grain);
        lock (_lock)
        {
            var key = (reminder.Grain, reminder.Name);
            if (_running && _entries.TryGetValue(key, out var entry) && entry.InFlight && entry.Record == reminder)
            {
                entry.InFlight = false;
                _queue.Enqueue(entry, runtime.Time.GetUtcNow() + runtime.Options.ReminderRetryDelay);
            }
        }

        Arm();
    }

    private async Task RefreshAsync()
    {
        try
        {
            await LoadWindowAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed refresh is retried on the next tick.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRefreshFailed(logger, ex);
        }
    }

    private async Task LoadWindowAsync(CancellationToken cancellationToken)
    {
        var until = runtime.Time.GetUtcNow() + runtime.Options.ReminderWindow;
        var due = await runtime.Store.ReadDueRemindersAsync(until, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _loadedUntil = until;
            foreach (var record in due)
            {
                if (!_entries.ContainsKey((record.Grain, record.Name)))
                {
                    AddIfInWindow(record);
                }
            }
        }

        Arm();
    }

    private void AddIfInWindow(ReminderRecord record)
    {
        if (record.DueAt >= _loadedUntil)
        {
            return;
        }

        var entry = new Entry(record);
        _entries[(record.Grain, record.Name)] = entry;
        _queue.Enqueue(entry, record.DueAt);
    }

    private void Remove((GrainId, string) key)
    {
        if (_entries.Remove(key, out var entry))
        {
            entry.Removed = true;
        }
    }

    private void OnTimer()
    {
        var now = runtime.Time.GetUtcNow();
        List<ReminderRecord>? due = null;
        lock (_lock)
        {
            while (_running && _queue.TryPeek(out var entry, out var at) && at <= now)
            {
                _queue.Dequeue();
                if (entry.Removed || entry.InFlight)
                {
                    continue;
                }

                entry.InFlight = true;
                (due ??= []).Add(entry.Record);
            }
        }

        if (due is not null)
        {
            foreach (var record in due)
            {
                runtime.Dispatch(record.Grain, new ReminderCall(this, record, now));
            }
        }

        Arm();
    }

    private void Arm()
    {
        lock (_lock)
        {
            while (_queue.TryPeek(out var entry, out _) && entry.Removed)
            {
                _queue.Dequeue();
            }

            if (!_running || _timer is null)
            {
                return;
            }

            if (_queue.TryPeek(out _, out var at))
            {
                var delay = at - runtime.Time.GetUtcNow();
                _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private sealed class Entry(ReminderRecord record)
    {
        public ReminderRecord Record { get; } = record;

        public bool InFlight { get; set; }

        public bool Removed { get; set; }
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "Reminder {Reminder} of {Grain} was not handled; it will be retried")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string reminder, GrainId grain);

    [LoggerMessage(EventId = 141, Level = LogLevel.Error, Message = "Loading due reminders from storage failed; retrying on the next refresh")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
