using System.Globalization;
using System.Text;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Statistics;

namespace PointsMall.LoadTests.Monitoring;

/// <summary>What the server's own metrics said during the measured phase, window by window, beside the run's latency.</summary>
public sealed record ServerMetricsReport(TimeSpan Every, IReadOnlyList<ServerWindow> Windows, IReadOnlyDictionary<int, string> Unavailable, IReadOnlyList<Uri> Nodes)
{
    /// <summary>
    /// Windows between consecutive samples of each node: the gauges as read at the window's end, the counters as
    /// their increase over it, and the p99 of the iterations that ended in it (from the per-interval histograms).
    /// </summary>
    public static ServerMetricsReport From(ServerMetricsSampler sampler, StatsCollector stats, IReadOnlyList<Uri> nodes)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(stats);
        var windows = new List<ServerWindow>();
        foreach (var node in sampler.Samples.GroupBy(s => s.Node).OrderBy(g => g.Key))
        {
            var samples = node.OrderBy(s => s.At).ToList();
            for (var i = 1; i < samples.Count; i++)
            {
                var (before, after) = (samples[i - 1], samples[i]);
                var span = after.At - before.At;
                if (span <= TimeSpan.Zero)
                {
                    continue;
                }

                var latency = IterationsBetween(stats, before.At, after.At, last: i == samples.Count - 1);
                windows.Add(new ServerWindow(
                    node.Key,
                    before.At,
                    after.At,
                    after.WorkingSetBytes,
                    after.GcHeapBytes,
                    Math.Max(0, after.GcPauseSecondsTotal - before.GcPauseSecondsTotal),
                    Math.Max(0, after.Gen2CollectionsTotal - before.Gen2CollectionsTotal),
                    Math.Max(0, after.CpuSecondsTotal - before.CpuSecondsTotal) / span.TotalSeconds,
                    after.Activations,
                    latency.TotalCount,
                    latency.ValueAtPercentile(99)));
            }
        }

        return new ServerMetricsReport(sampler.Every, windows, sampler.Unavailable, nodes);
    }

    /// <summary>
    /// The run's iterations of the report intervals whose midpoint lies in [from, to), or after <paramref name="from"/>
    /// for the last window (the phase's final, partial interval). Midpoints, because a sample is taken a moment after
    /// its tick, never exactly on an interval's edge.
    /// </summary>
    private static LatencyHistogram IterationsBetween(StatsCollector stats, TimeSpan from, TimeSpan to, bool last)
    {
        bool Inside(int index)
        {
            var middle = stats.Interval * (index + 0.5);
            return middle >= from && (last || middle < to);
        }

        return LatencyHistogram.Merge([.. stats.Iterations.Intervals.Where(i => Inside(i.Key)).Select(i => i.Value.Latency)]);
    }

    /// <summary>Per node: how memory and latency moved from the first window to the last (a soak's verdict).</summary>
    public IEnumerable<ServerTrend> Trends()
    {
        foreach (var node in Windows.GroupBy(w => w.Node).OrderBy(g => g.Key))
        {
            var windows = node.ToList();
            var minutes = windows.Select(w => w.To.TotalMinutes).ToList();
            yield return new ServerTrend(
                node.Key,
                windows.Count,
                Trend.Of(minutes, windows.Select(w => w.WorkingSetBytes).ToList()),
                Trend.Of(minutes, windows.Select(w => w.GcHeapBytes).ToList()),
                Trend.Of(minutes, windows.Select(w => (double)w.P99Micros).ToList()),
                windows.Sum(w => w.GcPauseSeconds),
                windows.Sum(w => (w.To - w.From).TotalSeconds),
                windows.Sum(w => w.Gen2Collections));
        }
    }

    public void AppendMarkdown(StringBuilder md)
    {
        ArgumentNullException.ThrowIfNull(md);
        Line(md, $"");
        Line(md, $"## Server (its own /metrics every {Every.TotalSeconds:0.#} s)");
        Line(md, $"");
        foreach (var (node, why) in Unavailable.OrderBy(u => u.Key))
        {
            Line(md, $"- {Nodes[node]}: not sampled — {why}");
        }

        foreach (var t in Trends())
        {
            Line(md, $"- {Nodes[t.Node]}, {t.Windows} windows: working set {t.WorkingSet.Describe(Mb, "MB")}; GC heap {t.GcHeap.Describe(Mb, "MB")}; p99 {t.P99.Describe(Ms, "ms")}; GC pauses {t.GcPauseSeconds * 1000:0} ms in all ({t.PauseShare:0.###} % of the time), {t.Gen2Collections:0} gen2 collections");
        }

        if (Windows.Count == 0)
        {
            return;
        }

        Line(md, $"");
        Line(md, $"| node | window (min) | working set MB | GC heap MB | GC pause ms | gen2 GCs | CPU cores | activations | iterations | p99 ms |");
        Line(md, $"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in Windows)
        {
            Line(md, $"| {w.Node} | {w.From.TotalMinutes:0.#}–{w.To.TotalMinutes:0.#} | {Mb(w.WorkingSetBytes)} | {Mb(w.GcHeapBytes)} | {w.GcPauseSeconds * 1000:0.#} | {w.Gen2Collections:0} | {w.CpuCores:0.00} | {(w.Activations is { } a ? a.ToString("0", CultureInfo.InvariantCulture) : "–")} | {w.Iterations} | {Ms(w.P99Micros)} |");
        }
    }

    public string Csv()
    {
        var csv = new StringBuilder("node,url,from_s,to_s,working_set_bytes,gc_heap_bytes,gc_pause_ms,gen2_collections,cpu_cores,activations,iterations,p99_ms\n");
        foreach (var w in Windows)
        {
            Line(csv, $"{w.Node},{Nodes[w.Node]},{w.From.TotalSeconds:0.###},{w.To.TotalSeconds:0.###},{w.WorkingSetBytes:0},{w.GcHeapBytes:0},{w.GcPauseSeconds * 1000:0.###},{w.Gen2Collections:0},{w.CpuCores:0.###},{(w.Activations is { } a ? a.ToString("0", CultureInfo.InvariantCulture) : "")},{w.Iterations},{Ms(w.P99Micros)}");
        }

        return csv.ToString();
    }

    internal static string Mb(double bytes) => (bytes / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ms(double micros) => (micros / 1000).ToString("0.##", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sb, FormattableString text) => sb.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
}

/// <summary>One node between two samples.</summary>
public sealed record ServerWindow(
    int Node,
    TimeSpan From,
    TimeSpan To,
    double WorkingSetBytes,
    double GcHeapBytes,
    double GcPauseSeconds,
    double Gen2Collections,
    double CpuCores,
    double? Activations,
    long Iterations,
    long P99Micros);

/// <summary>How one node's memory and latency moved over the run.</summary>
public sealed record ServerTrend(int Node, int Windows, Trend WorkingSet, Trend GcHeap, Trend P99, double GcPauseSeconds, double Seconds, double Gen2Collections)
{
    /// <summary>Share of the wall time spent in GC pauses, in percent.</summary>
    public double PauseShare => Seconds <= 0 ? 0 : 100 * GcPauseSeconds / Seconds;
}

/// <summary>
/// A series' first, last and largest value and its least-squares slope per ten minutes: a soak is flat when the
/// slope is small beside the level, whatever one noisy window says.
/// </summary>
public sealed record Trend(double First, double Last, double Max, double SlopePerTenMinutes)
{
    public static Trend Of(IReadOnlyList<double> minutes, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new Trend(0, 0, 0, 0);
        }

        var meanX = minutes.Average();
        var meanY = values.Average();
        var sxx = minutes.Sum(x => (x - meanX) * (x - meanX));
        var sxy = minutes.Zip(values, (x, y) => (x - meanX) * (y - meanY)).Sum();
        var slope = sxx == 0 ? 0 : sxy / sxx;
        return new Trend(values[0], values[^1], values.Max(), slope * 10);
    }

    /// <summary>Slope per ten minutes as a share of the mean level, in percent.</summary>
    public double SlopeShare(double level) => level == 0 ? 0 : 100 * SlopePerTenMinutes / level;

    public string Describe(Func<double, string> format, string unit)
    {
        ArgumentNullException.ThrowIfNull(format);
        var level = (First + Last) / 2;
        return string.Create(CultureInfo.InvariantCulture,
            $"{format(First)} → {format(Last)} {unit} (max {format(Max)}; trend {(SlopePerTenMinutes >= 0 ? "+" : "−")}{format(Math.Abs(SlopePerTenMinutes))} {unit} per 10 min, {SlopeShare(level):+0.#;−0.#;0} %)");
    }
}
