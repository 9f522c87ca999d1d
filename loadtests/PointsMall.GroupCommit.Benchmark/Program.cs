using System.Text.Json;
using System.Text.Json.Serialization;
using PointsMall.GroupCommit.Benchmark;

// State-changing grain calls per second on Orleans: one hot key and many uniform keys, each with the usual
// "await WriteStateAsync() in every call" grain and with the pipelined grain, over Orleans' in-memory storage and
// over the group-commit storage (in memory, SQLite, PostgreSQL); then what one call and one resident activation
// cost. Compare ratios within one run: these machines are small and noisy.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

Console.WriteLine($"PointsMall group-commit benchmark on Orleans — {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                  $"{options.Duration.TotalSeconds:0.#}s per run, {options.Callers} callers, {options.Keys:N0} uniform keys");
Console.WriteLine("storage: orleans-memory = Orleans' AddMemoryGrainStorage; memory, sqlite, postgresql = the group-commit storage over that store; " +
                  "adonet-sqlite, adonet-postgresql = Orleans' AddAdoNetGrainStorage on the same databases");

var results = new List<ScenarioResult>();
var skipped = new List<string>();
await using var postgres = options.Stores.Any(BenchmarkOptions.NeedsPostgres) ? await PostgresTarget.OpenAsync(options.Postgres) : null;
foreach (var store in options.Stores)
{
    if (BenchmarkOptions.NeedsPostgres(store) && postgres?.ConnectionString is null)
    {
        skipped.Add($"{store}: {postgres?.Why}");
        Console.WriteLine($"{store}: skipped ({postgres?.Why})");
        continue;
    }

    foreach (var grain in options.Grains)
    {
        if (grain == "pipelined" && BenchmarkOptions.IsStock(store))
        {
            continue; // [PipelinedState] needs the group-commit storage's facet registration.
        }

        foreach (var keys in new[] { "hot", "uniform" })
        {
            var r = await Measurements.ThroughputAsync(store, grain, keys, postgres?.ConnectionString, options);
            results.Add(r);
            Console.WriteLine($"{store,-15} {grain,-10} {keys,-8} {r.CallsPerSecond,12:N0} calls/s   p50 {r.P50Ms,7:0.00} ms   p99 {r.P99Ms,7:0.00} ms   " +
                              (r.WritesPerCommit is { } w ? $"{w,8:N1} writes/commit {r.CallsPerCommit,8:N1} calls/commit" : ""));
        }
    }
}

var costs = new List<CallCost>();
var memory = new List<ActivationMemory>();
foreach (var grain in options.Grains)
{
    var cost = await Measurements.CallCostAsync(grain);
    costs.Add(cost);
    Console.WriteLine($"per call ({grain}, one caller, a read, in memory): {cost.OrleansNanoseconds:N0} ns through Orleans vs {cost.DirectNanoseconds:N1} ns direct; {cost.AllocatedBytes:N0} B allocated");
    var m = await Measurements.ActivationMemoryAsync(grain, options);
    memory.Add(m);
    Console.WriteLine($"memory per resident activation ({grain}, {m.Activations:N0} of them): {m.TotalBytes:N0} B in all, of which the grain's own object and state {m.GrainBytes:N0} B, Orleans {m.RuntimeBytes:N0} B");
}

var report = Report.Build(results, costs, memory, skipped, options);
Console.WriteLine();
Console.WriteLine(report.Table);
foreach (var line in report.Summary)
{
    Console.WriteLine(line);
}

if (Path.GetDirectoryName(Path.GetFullPath(options.Output)) is { } folder)
{
    Directory.CreateDirectory(folder);
}

var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(report, json));
Console.WriteLine($"results written to {options.Output}");
return 0;
