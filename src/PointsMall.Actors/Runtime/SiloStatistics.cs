using System.Diagnostics.Metrics;

namespace PointsMall.Actors;

/// <summary>
/// Counters of the runtime, exposed both as <see cref="System.Diagnostics.Metrics"/> instruments (meter
/// <c>PointsMall.Actors</c>) and as plain totals that benchmarks and tests can read.
/// </summary>
public sealed class SiloStatistics : IDisposable
{
    public const string MeterName = "PointsMall.Actors";

    private readonly Meter _meter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _failedBatches;
    private long _activations;
    private long _batches;
    private long _rows;
    private long _failed;

    public SiloStatistics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _batchSize = _meter.CreateHistogram<int>("pointsmall.actors.commit.batch_size", "{row}", "Rows (states, events, reminders) per storage transaction");
        _commitDuration = _meter.CreateHistogram<double>("pointsmall.actors.commit.duration", "ms", "Time from sealing a batch to its durable commit");
        _failedBatches = _meter.CreateCounter<long>("pointsmall.actors.commit.failures", "{batch}", "Storage transactions that failed");
        _meter.CreateObservableGauge("pointsmall.actors.activations", () => Volatile.Read(ref _activations), "{activation}", "Resident activations");
    }

    /// <summary>Resident activations.</summary>
    public long Activations => Volatile.Read(ref _activations);

    /// <summary>Storage transactions committed.</summary>
    public long BatchesCommitted => Volatile.Read(ref _batches);

    /// <summary>Rows written by committed transactions (a collapsed grain counts once).</summary>
    public long RowsCommitted => Volatile.Read(ref _rows);

    /// <summary>Storage transactions that failed.</summary>
    public long BatchesFailed => Volatile.Read(ref _failed);

    internal void ActivationCreated() => Interlocked.Increment(ref _activations);

    internal void ActivationRemoved() => Interlocked.Decrement(ref _activations);

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

    public void Dispose() => _meter.Dispose();
}
