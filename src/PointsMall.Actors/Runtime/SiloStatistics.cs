using System.Diagnostics.Metrics;

namespace PointsMall.Actors;

/// <summary>
/// Counters of the runtime, exposed both as <see cref="System.Diagnostics.Metrics"/> instruments (meter
/// <c>PointsMall.Actors</c>) and as plain totals that benchmarks and tests can read.
/// </summary>
/// <remarks>
/// Per-call instruments (<c>pointsmall.actors.calls</c>) are untagged counters: with no listener a record is one
/// enabled check, with one it is a single add, so the call path pays nothing else. Rare events (deactivations,
/// timeouts, conflicts) carry tags and plain totals.
/// </remarks>
public sealed class SiloStatistics : IDisposable
{
    public const string MeterName = "PointsMall.Actors";

    private readonly Meter _meter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _failedBatches;
    private readonly Counter<long> _activationsCreated;
    private readonly Counter<long> _deactivations;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _callTimeouts;
    private readonly Counter<long> _versionConflicts;
    private long _activations;
    private long _batches;
    private long _rows;
    private long _failed;
    private long _created;
    private long _removed;
    private long _timeouts;
    private long _conflicts;

    public SiloStatistics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _batchSize = _meter.CreateHistogram<int>("pointsmall.actors.commit.batch_size", "{row}", "Rows (states, events, reminders) per storage transaction");
        _commitDuration = _meter.CreateHistogram<double>("pointsmall.actors.commit.duration", "ms", "Time from sealing a batch to its durable commit");
        _failedBatches = _meter.CreateCounter<long>("pointsmall.actors.commit.failures", "{batch}", "Storage transactions that failed");
        _versionConflicts = _meter.CreateCounter<long>("pointsmall.actors.commit.version_conflicts", "{write}", "State writes fenced out by a newer version in storage");
        _meter.CreateObservableGauge("pointsmall.actors.activations", () => Volatile.Read(ref _activations), "{activation}", "Resident activations");
        _activationsCreated = _meter.CreateCounter<long>("pointsmall.actors.activations.created", "{activation}", "Activations that finished activating");
        _deactivations = _meter.CreateCounter<long>("pointsmall.actors.deactivations", "{activation}", "Activations removed, by reason");
        _calls = _meter.CreateCounter<long>("pointsmall.actors.calls", "{call}", "Grain calls dispatched to an activation in this silo");
        _callTimeouts = _meter.CreateCounter<long>("pointsmall.actors.calls.timeouts", "{call}", "Grain calls failed because they outlived the call timeout");
    }

    /// <summary>The meter the instruments belong to (tests and collectors tell silos apart by it).</summary>
    public Meter Meter => _meter;

    /// <summary>Resident activations.</summary>
    public long Activations => Volatile.Read(ref _activations);

    /// <summary>Activations that finished activating since the silo started.</summary>
    public long ActivationsCreated => Volatile.Read(ref _created);

    /// <summary>Activations removed since the silo started (idle, memory pressure, discarded, shutdown, requested).</summary>
    public long Deactivations => Volatile.Read(ref _removed);

    /// <summary>Storage transactions committed.</summary>
    public long BatchesCommitted => Volatile.Read(ref _batches);

    /// <summary>Rows written by committed transactions (a collapsed grain counts once).</summary>
    public long RowsCommitted => Volatile.Read(ref _rows);

    /// <summary>Storage transactions that failed.</summary>
    public long BatchesFailed => Volatile.Read(ref _failed);

    /// <summary>Calls failed by the watchdog for outliving the call timeout.</summary>
    public long CallTimeouts => Volatile.Read(ref _timeouts);

    /// <summary>State writes refused by storage because another writer holds a newer version.</summary>
    public long VersionConflicts => Volatile.Read(ref _conflicts);

    internal void ActivationCreated()
    {
        Interlocked.Increment(ref _activations);
        Interlocked.Increment(ref _created);
        _activationsCreated.Add(1);
    }

    internal void ActivationRemoved(DeactivationReason reason)
    {
        Interlocked.Decrement(ref _activations);
        Interlocked.Increment(ref _removed);
        _deactivations.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
    }

    /// <summary>Hot path: one untagged counter add, no shared total (that would be a contended cache line).</summary>
    internal void CallDispatched() => _calls.Add(1);

    internal void CallTimedOut(string grainType)
    {
        Interlocked.Increment(ref _timeouts);
        _callTimeouts.Add(1, new KeyValuePair<string, object?>("grain.type", grainType));
    }

    internal void RecordBatch(int rows, TimeSpan duration)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _rows, rows);
        _batchSize.Record(rows);
        _commitDuration.Record(duration.TotalMilliseconds);
    }

    internal void RecordFailedBatch()
    {
        Interlocked.Increment(ref _failed);
        _failedBatches.Add(1);
    }

    internal void RecordVersionConflicts(int writes)
    {
        Interlocked.Add(ref _conflicts, writes);
        _versionConflicts.Add(writes);
    }

    public void Dispose() => _meter.Dispose();

    // Interned strings, so a tag costs no allocation.
    private static string ReasonTag(DeactivationReason reason) => reason switch
    {
        DeactivationReason.Idle => "idle",
        DeactivationReason.MemoryPressure => "memory_pressure",
        DeactivationReason.StateDiscarded => "state_discarded",
        DeactivationReason.Requested => "requested",
        DeactivationReason.Shutdown => "shutdown",
        _ => "other",
    };
}
