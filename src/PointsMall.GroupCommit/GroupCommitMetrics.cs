using System.Diagnostics.Metrics;

namespace PointsMall.GroupCommit;

/// <summary>
/// The group-commit storage's instruments (meter <c>PointsMall.GroupCommit</c>): how many writes each transaction
/// carried (the batching achieved), how long commits took, and what failed or was fenced out.
/// </summary>
public sealed class GroupCommitMetrics
{
    public const string MeterName = "PointsMall.GroupCommit";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _conflicts;

    public GroupCommitMetrics(IMeterFactory? meters)
    {
        var meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _batchSize = meter.CreateHistogram<int>("pointsmall.groupcommit.batch_size", "{write}", "State and reminder writes per committed transaction.");
        _duration = meter.CreateHistogram<double>("pointsmall.groupcommit.commit_duration", "ms", "Time to commit one transaction, durable included.");
        _failures = meter.CreateCounter<long>("pointsmall.groupcommit.commit_failures", "{transaction}", "Transactions that failed; every writer in them was refused.");
        _conflicts = meter.CreateCounter<long>("pointsmall.groupcommit.version_conflicts", "{write}", "Writes fenced out because another activation wrote the state.");
    }

    internal void Committed(int writes, TimeSpan duration)
    {
        _batchSize.Record(writes);
        _duration.Record(duration.TotalMilliseconds);
    }

    internal void Failed() => _failures.Add(1);

    internal void Conflicts(int count) => _conflicts.Add(count);
}
