using System.Globalization;
using System.Text;

namespace PointsMall.GroupCommit.Benchmark;

/// <summary>What a run writes to <c>--output</c>: every figure, the ratios and the summary lines it printed.</summary>
internal sealed record BenchmarkReport(
    DateTimeOffset RunAt,
    string Machine,
    BenchmarkOptions Options,
    IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyDictionary<string, double> ToOrleansMemoryRatio,
    IReadOnlyDictionary<string, double> DurableToMemoryRatio,
    IReadOnlyDictionary<string, double> ToOrleansAdoNetRatio,
    IReadOnlyList<CallCost> CallCosts,
    IReadOnlyList<ActivationMemory> ActivationMemory,
    IReadOnlyList<string> Skipped,
    string Table,
    IReadOnlyList<string> Summary);

internal static class Report
{
    public const double HotKeyTarget = 100_000;
    public const double DurableShareTarget = 0.5;
    public const double RuntimeBytesTarget = 1_024;

    public static string Id(ScenarioResult r) => $"{r.Store}/{r.Grain}/{r.Keys}";

    public static BenchmarkReport Build(
        IReadOnlyList<ScenarioResult> results, IReadOnlyList<CallCost> costs, IReadOnlyList<ActivationMemory> memory, IReadOnlyList<string> skipped, BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(memory);

        // Ratios within one run only: on a small shared machine absolute figures move from run to run.
        var toOrleans = new Dictionary<string, double>(StringComparer.Ordinal);
        var durable = new Dictionary<string, double>(StringComparer.Ordinal);
        var toAdoNet = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (OrleansAdoNet(results, r) is { } stock)
            {
                toAdoNet[Id(r)] = r.CallsPerSecond / stock.CallsPerSecond;
            }

            if (OrleansMemory(results, r) is { } reference)
            {
                toOrleans[Id(r)] = r.CallsPerSecond / reference.CallsPerSecond;
            }

            if (InMemory(results, r) is { } inMemory)
            {
                durable[Id(r)] = r.CallsPerSecond / inMemory.CallsPerSecond;
            }
        }

        var summary = new List<string>();
        foreach (var r in results.Where(r => durable.ContainsKey(Id(r))))
        {
            summary.Add(string.Create(CultureInfo.InvariantCulture, $"{r.Store} {r.Grain} {r.Keys}: {r.CallsPerSecond:N0} calls/s durable = {durable[Id(r)]:P0} of the group-commit in-memory store"));
        }

        foreach (var r in results.Where(r => toAdoNet.ContainsKey(Id(r))))
        {
            summary.Add(string.Create(CultureInfo.InvariantCulture, $"{r.Store} {r.Grain} {r.Keys}: {toAdoNet[Id(r)]:0.0}× Orleans' ADO.NET storage (awaiting grain) on the same database"));
        }

        // The project's targets for the hot key: a pipelined grain on SQLite at 100,000 durable calls/s, and at half its in-memory rate.
        var hotSqlite = results.FirstOrDefault(r => r is { Store: "sqlite", Grain: "pipelined", Keys: "hot" });
        if (hotSqlite is not null && durable.TryGetValue(Id(hotSqlite), out var hotShare))
        {
            var met = hotSqlite.CallsPerSecond >= HotKeyTarget && hotShare >= DurableShareTarget;
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"target hot key on SQLite (pipelined) >= {HotKeyTarget:N0} calls/s and >= {DurableShareTarget:P0} of in-memory: {(met ? "met" : "NOT met")} ({hotSqlite.CallsPerSecond:N0} calls/s, {hotShare:P0})"));
        }

        foreach (var m in memory)
        {
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"target runtime memory <= {RuntimeBytesTarget:N0} B per resident activation ({m.Grain}): {(m.RuntimeBytes <= RuntimeBytesTarget ? "met" : "NOT met")} ({m.RuntimeBytes:N0} B)"));
        }

        return new BenchmarkReport(
            DateTimeOffset.UtcNow, $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}", options,
            results, toOrleans, durable, toAdoNet, costs, memory, skipped, Table(results, toOrleans, durable, toAdoNet), summary);
    }

    /// <summary>One Markdown row per run: rate, latency, batching (group-commit storage only), and the three ratios.</summary>
    public static string Table(
        IReadOnlyList<ScenarioResult> results, IReadOnlyDictionary<string, double> toOrleans, IReadOnlyDictionary<string, double> durable, IReadOnlyDictionary<string, double> toAdoNet)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(toOrleans);
        ArgumentNullException.ThrowIfNull(durable);
        ArgumentNullException.ThrowIfNull(toAdoNet);
        var md = new StringBuilder();
        md.Append("| storage | grain | keys | calls/s | p50 ms | p99 ms | writes/commit | calls/commit | × Orleans memory, awaiting | durable ÷ in-memory | × Orleans ADO.NET, same database |\n");
        md.Append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var r in results)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {r.Store} | {r.Grain} | {r.Keys} | {r.CallsPerSecond:N0} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {Optional(r.WritesPerCommit)} | {Optional(r.CallsPerCommit)} | " +
                $"{(toOrleans.TryGetValue(Id(r), out var o) ? o.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–")} | " +
                $"{(durable.TryGetValue(Id(r), out var d) ? d.ToString("P0", CultureInfo.InvariantCulture) : "–")} | " +
                $"{(toAdoNet.TryGetValue(Id(r), out var a) ? a.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "–")} |\n");
        }

        md.Append(CultureInfo.InvariantCulture,
            $"\nLatency from each call's start to its answer, in HdrHistogram to {Measurements.LatencyDigits} significant digits (≤ 0.1 % error), 1 µs to {Measurements.LatencyCeilingMicros / 1_000_000} s.\n");
        return md.ToString();
    }

    private static string Optional(double? value) => value is { } v ? v.ToString("N1", CultureInfo.InvariantCulture) : "–";

    /// <summary>The usual Orleans setup on the same keys: the awaiting grain over <c>AddMemoryGrainStorage</c>.</summary>
    private static ScenarioResult? OrleansMemory(IReadOnlyList<ScenarioResult> results, ScenarioResult r) =>
        results.FirstOrDefault(b => b is { Store: BenchmarkOptions.OrleansMemory, Grain: "awaiting" } && b.Keys == r.Keys && b.CallsPerSecond > 0);

    /// <summary>For the group-commit storage on a database: Orleans' ADO.NET storage on that database, awaiting grain, same keys.</summary>
    private static ScenarioResult? OrleansAdoNet(IReadOnlyList<ScenarioResult> results, ScenarioResult r) =>
        r.Store is "sqlite" or "postgresql"
            ? results.FirstOrDefault(b => b.Store == "adonet-" + r.Store && b.Grain == "awaiting" && b.Keys == r.Keys && b.CallsPerSecond > 0)
            : null;

    /// <summary>For a durable store: the same grain and keys over the group-commit storage's in-memory store.</summary>
    private static ScenarioResult? InMemory(IReadOnlyList<ScenarioResult> results, ScenarioResult r) =>
        r.Store is "sqlite" or "postgresql"
            ? results.FirstOrDefault(b => b.Store == "memory" && b.Grain == r.Grain && b.Keys == r.Keys && b.CallsPerSecond > 0)
            : null;
}
