using System.Globalization;
using System.Text;
using PointsMall.LoadTests.Monitoring;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Reports;

/// <summary>Everything one run produced, for the report writers and the exit code.</summary>
public sealed record RunReport(string Label, string Target, string Setup, PhaseResult Phase, AuditReport? Audit, IReadOnlyList<ThresholdResult> Thresholds, DateTimeOffset StartedAt)
{
    public bool Passed => Audit?.Passed != false && Thresholds.All(t => t.Passed);

    /// <summary>0 = all good; 1 = a threshold failed; 2 = the audit failed (both: 3).</summary>
    public int ExitCode => (Thresholds.All(t => t.Passed) ? 0 : 1) | (Audit?.Passed == false ? 2 : 0);

    public double Rps(StepStats step) => step.Requests / Math.Max(Phase.Elapsed.TotalSeconds, 1e-9);

    /// <summary>The targets' own memory, GC and activations during the phase, when the run sampled them.</summary>
    public ServerMetricsReport? Server { get; init; }
}

/// <summary>Writes report.md, stats.csv, timeseries.csv and report.html into a results folder.</summary>
public static class ReportWriter
{
    public sealed record Written(string Folder, string Markdown, string Csv, string TimeSeriesCsv, string Html);

    public static async Task<Written> WriteAsync(RunReport report, string resultsRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var folder = Path.Combine(resultsRoot, $"{Safe(report.Label)}-{report.StartedAt:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}");
        Directory.CreateDirectory(folder);
        var written = new Written(folder, Path.Combine(folder, "report.md"), Path.Combine(folder, "stats.csv"), Path.Combine(folder, "timeseries.csv"), Path.Combine(folder, "report.html"));
        await File.WriteAllTextAsync(written.Markdown, Markdown(report), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(written.Csv, Csv(report), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(written.TimeSeriesCsv, TimeSeriesCsv(report), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(written.Html, HtmlReport.Render(report), cancellationToken).ConfigureAwait(false);
        if (report.Server is { } server)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "server.csv"), server.Csv(), cancellationToken).ConfigureAwait(false);
        }

        return written;
    }

    public static IEnumerable<StepStats> AllSteps(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Phase.Stats.Steps.Append(report.Phase.Stats.Iterations);
    }

    public static string Ms(double micros) => (micros / 1000.0).ToString(micros >= 100_000 ? "0" : "0.###", CultureInfo.InvariantCulture);

    public static string Markdown(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var p = report.Phase;
        var md = new StringBuilder();
        Line(md, $"# {p.Scenario}: {(report.Passed ? "PASSED" : "FAILED")}");
        Line(md, $"");
        Line(md, $"- started {report.StartedAt:u}, measured {p.Elapsed.TotalSeconds:0.00} s; target {report.Target}");
        Line(md, $"- load: {p.Simulation.Describe()}; latency counted from {(p.Simulation.IsOpenModel ? "each request's intended send time (open model, no coordinated omission)" : "each request's actual send (closed model)")}");
        Line(md, $"- data: {report.Setup}");
        Line(md, $"- dropped (generator could not start on time): {p.Stats.DroppedTotal}{(p.Stats.DroppedTotal == 0 ? "" : " — " + string.Join(", ", p.Stats.Dropped.Select(d => $"{d.Key} {d.Value}")))}");
        Line(md, $"- generator CPU: {p.Cpu.CoresUsed:0.00} cores ({p.Cpu.MachinePercent:0.#} % of {p.Cpu.ProcessorCount} cores){(p.Cpu.MachinePercent > 70 ? " — the generator may be the bottleneck" : "")}");
        Line(md, $"- latency: {p.Stats.Iterations.Latency.Describe()}, in ms (min, mean and max exact); per-interval charts and timeseries.csv: {StepStats.IntervalPrecision}");
        Line(md, $"");
        Line(md, $"| step | requests | OK | failed | RPS | min | mean | p50 | p75 | p95 | p99 | p99.9 | max |");
        Line(md, $"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in AllSteps(report))
        {
            var l = s.Latency.Summary();
            Line(md, $"| {s.Name} | {s.Requests} | {s.Ok} | {s.Failed} | {report.Rps(s):0.0} | {Ms(l.Min)} | {Ms(l.Mean)} | {Ms(l.P50)} | {Ms(l.P75)} | {Ms(l.P95)} | {Ms(l.P99)} | {Ms(l.P999)} | {Ms(l.Max)} |");
        }

        Line(md, $"");
        Line(md, $"## Outcomes");
        Line(md, $"");
        Line(md, $"| step | status + code | OK? | count |");
        Line(md, $"|---|---|---|---:|");
        foreach (var s in p.Stats.Steps)
        {
            foreach (var o in s.Outcomes)
            {
                Line(md, $"| {s.Name} | {o.Key} | {(o.IsOk ? "yes" : "failure")} | {o.Count} |");
            }
        }

        if (report.Phase.Stats.Faults is { Description: not null } fault)
        {
            Line(md, $"");
            Line(md, $"## Fault");
            Line(md, $"");
            Line(md, $"- {FaultSummary(fault)}");
            Line(md, $"- {StallSummary(report.Phase.Stats)}");
        }

        report.Server?.AppendMarkdown(md);

        if (report.Thresholds.Count > 0)
        {
            Line(md, $"");
            Line(md, $"## Thresholds");
            Line(md, $"");
            foreach (var t in report.Thresholds)
            {
                Line(md, $"- {(t.Passed ? "✅" : "❌")} `{t.Threshold.Text}` — {t.Observed}");
            }
        }

        Line(md, $"");
        Line(md, $"## Invariant audit");
        Line(md, $"");
        if (report.Audit is null)
        {
            Line(md, $"- not run");
        }
        else
        {
            foreach (var c in report.Audit.Checks)
            {
                Line(md, $"- {(c.Passed ? "✅" : "❌")} {c.Name} — {c.Detail}");
            }
        }

        return md.ToString();
    }

    /// <summary>One line: the fault, what failed after it, and how soon requests succeeded again.</summary>
    public static string FaultSummary(FaultLog fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        static string S(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";
        var recovery = fault.LastFailureSentAfter is { } last
            ? $"the last failed request was sent {S(last)} after it and every later one succeeded"
            : "no request failed";
        return string.Create(CultureInfo.InvariantCulture,
            $"{fault.Description} at {S(fault.InjectedAt)}: {fault.FailedRequests} requests failed after it (in {fault.FailedIterations} iterations); {recovery}; the first success sent after it was sent {S(fault.FirstSuccessSentAfter)} after it");
    }

    /// <summary>How long nothing succeeded after the fault (in whole report intervals).</summary>
    public static string StallSummary(StatsCollector stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return stats.LongestStallAfterFault() is { } stall
            ? string.Create(CultureInfo.InvariantCulture, $"no iteration succeeded for {stall.Length.TotalSeconds:0.#} s, from {stall.From.TotalSeconds:0.#} s after the fault (the longest such stretch, in {stats.Interval.TotalSeconds:0.#} s intervals)")
            : "iterations kept succeeding in every interval after the fault";
    }

    public static string Csv(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("step,requests,ok,failed,rps,min_ms,mean_ms,p50_ms,p75_ms,p95_ms,p99_ms,p999_ms,max_ms,outcomes\n");
        foreach (var s in AllSteps(report))
        {
            var l = s.Latency.Summary();
            var outcomes = string.Join(" | ", s.Outcomes.Select(o => $"{o.Key}={o.Count}"));
            Line(csv, $"{Quote(s.Name)},{s.Requests},{s.Ok},{s.Failed},{report.Rps(s):0.###},{Ms(l.Min)},{Ms(l.Mean)},{Ms(l.P50)},{Ms(l.P75)},{Ms(l.P95)},{Ms(l.P99)},{Ms(l.P999)},{Ms(l.Max)},{Quote(outcomes)}");
        }

        return csv.ToString();
    }

    public static string TimeSeriesCsv(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var stats = report.Phase.Stats;
        var seconds = stats.Interval.TotalSeconds;
        var csv = new StringBuilder("step,interval_start_s,rps,ok,failed,dropped,p50_ms,p95_ms,p99_ms,max_ms\n");
        foreach (var s in AllSteps(report))
        {
            foreach (var (index, slot) in s.Intervals.OrderBy(i => i.Key))
            {
                var h = slot.Latency;
                Line(csv, $"{Quote(s.Name)},{index * seconds:0.###},{(slot.Ok + slot.Failed) / seconds:0.##},{slot.Ok},{slot.Failed},{(s == stats.Iterations ? stats.DroppedIn(index) : 0)},{Ms(h.ValueAtPercentile(50))},{Ms(h.ValueAtPercentile(95))},{Ms(h.ValueAtPercentile(99))},{Ms(h.Max)}");
            }
        }

        return csv.ToString();
    }

    private static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string Safe(string label) => new([.. label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);

    private static void Line(StringBuilder sb, FormattableString text) => sb.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
