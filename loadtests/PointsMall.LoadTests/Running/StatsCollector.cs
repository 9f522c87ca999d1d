using System.Collections.Concurrent;
using PointsMall.LoadTests.Statistics;

namespace PointsMall.LoadTests.Running;

/// <summary>
/// Thread-safe statistics of one phase: per step (and per whole iteration) the outcome mix, a cumulative
/// latency histogram in microseconds (HdrHistogram, 3 significant digits, up to 1 h) and per-interval histograms
/// for the charts.
/// </summary>
public sealed class StatsCollector(TimeProvider time, long startTimestamp, TimeSpan interval)
{
    /// <summary>The pseudo-step that measures whole iterations (scenario-level statistics).</summary>
    public const string IterationStep = "(iteration)";

    private readonly ConcurrentDictionary<string, StepStats> _steps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _droppedPerInterval = new();
    private readonly StepStats _iterations = new(IterationStep);
    private long _endTimestamp;

    public TimeSpan Interval { get; } = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval));

    public long StartTimestamp { get; } = startTimestamp;

    public StepStats Iterations => _iterations;

    /// <summary>Failures and recovery around the phase's fault, if it has one.</summary>
    public FaultLog Faults { get; } = new();

    public IReadOnlyCollection<StepStats> Steps => _steps.Values.OrderBy(s => s.Order).ToList();

    public long DroppedTotal => _dropped.Values.Sum();

    public IReadOnlyDictionary<string, long> Dropped => new SortedDictionary<string, long>(_dropped, StringComparer.Ordinal);

    public void RecordStep(string step, StepOutcome outcome, TimeSpan latency, long endTimestamp)
    {
        _steps.GetOrAdd(step, n => new StepStats(n, _steps.Count)).Record(outcome, latency, IntervalOf(endTimestamp));
        var ended = time.GetElapsedTime(StartTimestamp, endTimestamp);
        Faults.Observe(ended - latency, ended, outcome.IsOk, iteration: false);
    }

    public void RecordIteration(bool ok, TimeSpan latency, long endTimestamp)
    {
        _iterations.Record(ok ? StepOutcome.Ok() : StepOutcome.Fail(0, "failed"), latency, IntervalOf(endTimestamp));
        var ended = time.GetElapsedTime(StartTimestamp, endTimestamp);
        Faults.Observe(ended - latency, ended, ok, iteration: true);
    }

    /// <summary>An iteration the schedule called for but the generator could not start on time.</summary>
    public void RecordDropped(string reason, long atTimestamp)
    {
        _dropped.AddOrUpdate(reason, 1, (_, n) => n + 1);
        _droppedPerInterval.AddOrUpdate(IntervalOf(atTimestamp), 1, (_, n) => n + 1);
    }

    public void Complete(long endTimestamp) => Interlocked.Exchange(ref _endTimestamp, endTimestamp);

    /// <summary>Wall time of the phase so far (or in all, once completed).</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var end = Interlocked.Read(ref _endTimestamp);
            return time.GetElapsedTime(StartTimestamp, end == 0 ? time.GetTimestamp() : end);
        }
    }

    /// <summary>
    /// The longest stretch after the fault in which no iteration succeeded, in whole intervals (start and length from
    /// the fault); null without a fault or when successes never stopped.
    /// </summary>
    public (TimeSpan From, TimeSpan Length)? LongestStallAfterFault()
    {
        if (Faults.InjectedAt is not { } at)
        {
            return null;
        }

        var first = (int)(at.Ticks / Interval.Ticks);
        var last = _iterations.Intervals.Keys.DefaultIfEmpty(first).Max();
        (int Start, int Length) best = (0, 0);
        var runStart = -1;
        for (var i = first; i <= last + 1; i++)
        {
            var stalled = i <= last && (!_iterations.Intervals.TryGetValue(i, out var slot) || slot.Ok == 0);
            if (stalled && runStart < 0)
            {
                runStart = i;
            }
            else if (!stalled && runStart >= 0)
            {
                if (i - runStart > best.Length)
                {
                    best = (runStart, i - runStart);
                }

                runStart = -1;
            }
        }

        return best.Length == 0 ? null : (TimeSpan.FromTicks(Math.Max(0, (best.Start * Interval.Ticks) - at.Ticks)), Interval * best.Length);
    }

    public long DroppedIn(int intervalIndex) => _droppedPerInterval.TryGetValue(intervalIndex, out var n) ? n : 0;

    private int IntervalOf(long timestamp)
        => (int)Math.Max(0, time.GetElapsedTime(StartTimestamp, timestamp).Ticks / Interval.Ticks);
}

/// <summary>Counters and histograms of one step.</summary>
public sealed class StepStats(string name, int order = -1)
{
    /// <summary>Per-interval histograms: 2 digits and a 60 s ceiling keep each one small (about 20 KB).</summary>
    private const long IntervalHighest = 60_000_000;

    private const int IntervalDigits = 2;

    private readonly ConcurrentDictionary<string, OutcomeCounter> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, IntervalStats> _intervals = new();
    private long _ok;
    private long _failed;

    public string Name { get; } = name;

    internal int Order { get; } = order;

    /// <summary>The precision of every step's per-interval histograms, for the report.</summary>
    public static string IntervalPrecision { get; } = LatencyHistogram.Describe(IntervalHighest, IntervalDigits);

    public LatencyHistogram Latency { get; } = new();

    public long Ok => Interlocked.Read(ref _ok);

    public long Failed => Interlocked.Read(ref _failed);

    public long Requests => Ok + Failed;

    public IReadOnlyList<OutcomeCount> Outcomes
        => _outcomes.Values.Select(o => new OutcomeCount(o.Key, o.IsOk, o.StatusCode, o.Code, o.Count)).OrderByDescending(o => o.Count).ThenBy(o => o.Key, StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<int, IntervalStats> Intervals => _intervals;

    internal void Record(StepOutcome outcome, TimeSpan latency, int interval)
    {
        var micros = Math.Max(0, latency.Ticks / 10);
        Latency.Record(micros);
        Interlocked.Increment(ref outcome.IsOk ? ref _ok : ref _failed);
        var counter = _outcomes.GetOrAdd(outcome.Key + (outcome.IsOk ? "" : " ✗"), _ => new OutcomeCounter(outcome));
        Interlocked.Increment(ref counter.Count);
        var slot = _intervals.GetOrAdd(interval, _ => new IntervalStats());
        slot.Latency.Record(micros);
        Interlocked.Increment(ref outcome.IsOk ? ref slot.OkCount : ref slot.FailedCount);
    }

    private sealed class OutcomeCounter(StepOutcome outcome)
    {
        public long Count;

        public string Key { get; } = outcome.Key;

        public bool IsOk { get; } = outcome.IsOk;

        public int StatusCode { get; } = outcome.StatusCode;

        public string? Code { get; } = outcome.Code;
    }

    /// <summary>One interval's latencies and counts.</summary>
    public sealed class IntervalStats
    {
        internal long OkCount;
        internal long FailedCount;

        public LatencyHistogram Latency { get; } = new(IntervalHighest, IntervalDigits);

        public long Ok => Interlocked.Read(ref OkCount);

        public long Failed => Interlocked.Read(ref FailedCount);
    }
}

/// <summary>How many responses of one kind (status + problem code, OK or failure) a step saw.</summary>
public sealed record OutcomeCount(string Key, bool IsOk, int StatusCode, string? Code, long Count);
