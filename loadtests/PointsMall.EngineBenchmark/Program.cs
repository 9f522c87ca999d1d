using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Storage;
using PointsMall.EngineBenchmark;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;
using PointsMall.Testing;

// Engine benchmark: state-changing grain calls per second, in memory and durable (SQLite, PostgreSQL), on one
// hot key and on 100k uniform keys; the runtime's cost per call and its memory per resident activation.
// Compare figures as ratios within one run: this kind of machine is small and noisy.
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"PointsMall engine benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                  $"{options.Duration.TotalSeconds:0}s per scenario, {options.Callers} concurrent callers, {options.Keys:N0} uniform keys");

var results = new List<ScenarioResult>();
await using var postgres = options.Stores.Contains("postgresql") ? await PostgresTarget.OpenAsync(options.Postgres) : null;

foreach (var store in options.Stores)
{
    if (store == "postgresql" && postgres?.ConnectionString is null)
    {
        Console.WriteLine($"postgresql: skipped ({postgres?.Why})");
        continue;
    }

    foreach (var scenario in new[] { "hot-key", "uniform" })
    {
        using var directory = new ScratchDirectory();
        var result = await Scenarios.RunThroughputAsync(scenario, store, () => CreateStore(store, directory.Path, postgres), options);
        results.Add(result);
        Console.WriteLine($"{store,-11} {scenario,-8} {result.CallsPerSecond,12:N0} calls/s   p50 {result.P50Ms,6:0.00} ms   p99 {result.P99Ms,6:0.00} ms   {result.RowsPerBatch,8:N1} rows/batch");
    }
}

var callCost = await Scenarios.MeasureCallCostAsync(options);
Console.WriteLine($"per call (in memory, one caller, read): {callCost.RuntimeNanoseconds:N0} ns through the runtime vs {callCost.DirectNanoseconds:N1} ns direct; {callCost.AllocatedBytes:N0} B allocated");
var memory = await Scenarios.MeasureActivationMemoryAsync(options);
Console.WriteLine($"memory per resident activation: {memory.TotalBytes:N0} B in all, of which the grain's own object and state {memory.GrainBytes:N0} B, runtime {memory.RuntimeBytes:N0} B");

var report = Report.Build(results, callCost, memory, options);
Console.WriteLine();
foreach (var line in report.Summary)
{
    Console.WriteLine(line);
}

Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
Console.WriteLine($"results written to {options.Output}");
return 0;

static IGrainStore CreateStore(string store, string directory, PostgresTarget? postgres) => store switch
{
    "memory" => new InMemoryGrainStore(),
    "sqlite" => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = Path.Combine(directory, "bench.db") }),
    "postgresql" => new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = postgres!.ConnectionString!, Schema = $"bench_{Guid.NewGuid():n}"[..20] }),
    _ => throw new ArgumentException($"unknown store '{store}' (memory, sqlite, postgresql)"),
};

namespace PointsMall.EngineBenchmark
{
    internal sealed record BenchmarkOptions(TimeSpan Duration, int Callers, int Keys, IReadOnlyList<string> Stores, string Postgres, string Output)
    {
        public static BenchmarkOptions Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: --duration SECONDS --callers N --keys N --stores memory,sqlite,postgresql --postgres auto|none|CONNECTION --output FILE");
                }

                values[args[i][2..]] = args[++i];
            }

            string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
            return new BenchmarkOptions(
                TimeSpan.FromSeconds(double.Parse(Get("duration", "5"), CultureInfo.InvariantCulture)),
                int.Parse(Get("callers", "1000"), CultureInfo.InvariantCulture),
                int.Parse(Get("keys", "100000"), CultureInfo.InvariantCulture),
                Get("stores", "memory,sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Get("postgres", "auto"),
                Get("output", Path.Combine("results", $"engine-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json")));
        }
    }

    internal sealed record ScenarioResult(string Store, string Scenario, long Calls, double Seconds, double CallsPerSecond, double P50Ms, double P99Ms, long Batches, double RowsPerBatch);

    internal sealed record CallCost(double RuntimeNanoseconds, double DirectNanoseconds, double AllocatedBytes);

    internal sealed record ActivationMemory(int Activations, double TotalBytes, double GrainBytes, double RuntimeBytes);

    internal static class Scenarios
    {
        public static async Task<ScenarioResult> RunThroughputAsync(string scenario, string storeName, Func<IGrainStore> store, BenchmarkOptions options)
        {
            await using var silo = await BenchSilo.StartAsync(store());
            var keys = scenario == "hot-key" ? ["hot"] : Enumerable.Range(0, options.Keys).Select(k => $"k{k}").ToArray();
            var grains = keys.Select(silo.Grains.GetGrain<IBenchCounterGrain>).ToArray();

            // Warm-up: activate every grain (state loaded, rows created) and let the JIT settle.
            for (var i = 0; i < grains.Length; i += 10_000)
            {
                await Task.WhenAll(grains.Skip(i).Take(10_000).Select(g => g.AddAsync(1)));
            }

            await RunCallersAsync(grains, options.Callers, TimeSpan.FromSeconds(1), null);

            var batchesBefore = silo.Statistics.BatchesCommitted;
            var rowsBefore = silo.Statistics.RowsCommitted;
            var latencies = new LatencyRecorder();
            var (calls, elapsed) = await RunCallersAsync(grains, options.Callers, options.Duration, latencies);
            var batches = silo.Statistics.BatchesCommitted - batchesBefore;
            var rows = silo.Statistics.RowsCommitted - rowsBefore;
            return new ScenarioResult(
                storeName, scenario, calls, elapsed.TotalSeconds, calls / elapsed.TotalSeconds,
                latencies.Percentile(0.50), latencies.Percentile(0.99), batches, batches == 0 ? 0 : (double)rows / batches);
        }

        /// <summary>Closed-model load: each caller issues its next call when the previous one is answered.</summary>
        private static async Task<(long Calls, TimeSpan Elapsed)> RunCallersAsync(IBenchCounterGrain[] grains, int callers, TimeSpan duration, LatencyRecorder? latencies)
        {
            long calls = 0;
            var stop = false;
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
            {
                var random = new Random(c);
                long mine = 0;
                while (!Volatile.Read(ref stop))
                {
                    var started = Stopwatch.GetTimestamp();
                    await grains[grains.Length == 1 ? 0 : random.Next(grains.Length)].AddAsync(1);
                    latencies?.Record(Stopwatch.GetElapsedTime(started));
                    mine++;
                }

                Interlocked.Add(ref calls, mine);
            })).ToArray();
            await Task.Delay(duration);
            Volatile.Write(ref stop, true);
            await Task.WhenAll(loops);
            return (calls, clock.Elapsed);
        }

        public static async Task<CallCost> MeasureCallCostAsync(BenchmarkOptions options)
        {
            _ = options;
            await using var silo = await BenchSilo.StartAsync(new InMemoryGrainStore());
            var grain = silo.Grains.GetGrain<IBenchCounterGrain>("cost");
            await grain.AddAsync(1);
            const int n = 200_000;
            for (var i = 0; i < n / 10; i++)
            {
                await grain.GetAsync();
            }

            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                await grain.GetAsync();
            }

            var runtimeNs = clock.Elapsed.TotalNanoseconds / n;
            var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)n;

            var direct = new DirectCounter();
            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                await direct.GetAsync();
            }

            return new CallCost(runtimeNs, clock.Elapsed.TotalNanoseconds / n, allocated);
        }

        public static async Task<ActivationMemory> MeasureActivationMemoryAsync(BenchmarkOptions options)
        {
            var count = options.Keys;
            await using var silo = await BenchSilo.StartAsync(new InMemoryGrainStore());
            var grains = Enumerable.Range(0, count).Select(k => silo.Grains.GetGrain<IBenchCounterGrain>($"m{k}")).ToArray();
            await grains[0].GetAsync();
            var before = SettledHeap();
            for (var i = 0; i < count; i += 10_000)
            {
                await Task.WhenAll(grains.Skip(i).Take(10_000).Select(g => g.GetAsync()));
            }

            var total = (SettledHeap() - before) / (double)count;

            // What the grain itself accounts for: its object and its (empty) state, allocated the same way.
            var ownBefore = SettledHeap();
            var own = new object[count * 2];
            for (var i = 0; i < count; i++)
            {
                own[2 * i] = new BenchCounterState();
                own[(2 * i) + 1] = new DirectCounter();
            }

            var grainBytes = (SettledHeap() - ownBefore - (count * 2 * IntPtr.Size)) / (double)count;
            GC.KeepAlive(own);
            GC.KeepAlive(grains);
            return new ActivationMemory(count, total, grainBytes, total - grainBytes);
        }

        private static long SettledHeap()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
    }

    /// <summary>The same object layout as <see cref="BenchCounterGrain"/> (one reference field), called directly.</summary>
    internal sealed class DirectCounter
    {
        private readonly BenchCounterState _state = new();

        public Task<long> GetAsync() => Task.FromResult(_state.Value);
    }

    internal sealed class BenchSilo : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private BenchSilo(ServiceProvider services)
        {
            _services = services;
            Silo = services.GetRequiredService<Silo>();
        }

        public Silo Silo { get; }

        public IGrainFactory Grains => Silo.GrainFactory;

        public SiloStatistics Statistics => Silo.Statistics;

        public static async Task<BenchSilo> StartAsync(IGrainStore store)
        {
            var services = new ServiceCollection();
            services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            services.AddSilo(o => o.CallTimeout = TimeSpan.FromMinutes(2))
                .UseStore(_ => store)
                .AddGrain<IBenchCounterGrain, BenchCounterGrain>();
            var silo = new BenchSilo(services.BuildServiceProvider());
            await silo.Silo.StartAsync(CancellationToken.None);
            return silo;
        }

        public async ValueTask DisposeAsync()
        {
            await Silo.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
        }
    }

    /// <summary>Latencies in a log-bucketed histogram (about 1% precision): cheap enough to record every call.</summary>
    internal sealed class LatencyRecorder
    {
        private const int SubBuckets = 128;
        private readonly long[] _counts = new long[64 * SubBuckets];

        public void Record(TimeSpan latency)
        {
            var micros = Math.Max(1, (long)latency.TotalMicroseconds);
            var exponent = 63 - long.LeadingZeroCount(micros);
            var sub = exponent < 7 ? micros : micros >> (int)(exponent - 7);
            Interlocked.Increment(ref _counts[(exponent * SubBuckets) + (int)(sub & (SubBuckets - 1))]);
        }

        public double Percentile(double p)
        {
            var total = _counts.Sum();
            if (total == 0)
            {
                return 0;
            }

            var target = (long)Math.Ceiling(total * p);
            long seen = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                seen += _counts[i];
                if (seen >= target)
                {
                    var exponent = i / SubBuckets;
                    var sub = i % SubBuckets;
                    var micros = exponent < 7 ? sub : (long)(sub | SubBuckets) << (exponent - 7);
                    return micros / 1000.0;
                }
            }

            return 0;
        }
    }

    internal sealed class PostgresTarget : IAsyncDisposable
    {
        private PostgresServer? _server;

        public string? ConnectionString { get; private set; }

        public string Why { get; private set; } = "";

        public static async Task<PostgresTarget> OpenAsync(string setting)
        {
            var target = new PostgresTarget();
            if (setting == "none")
            {
                target.Why = "--postgres none";
            }
            else if (setting != "auto")
            {
                target.ConnectionString = setting;
            }
            else if (!File.Exists(Path.Combine(PostgresServer.DefaultBinDirectory, "initdb")))
            {
                target.Why = $"no PostgreSQL binaries in {PostgresServer.DefaultBinDirectory}: apt-get install -y postgresql, or pass --postgres CONNECTION";
            }
            else
            {
                target._server = await PostgresServer.StartAsync();
                target.ConnectionString = target._server.ConnectionString;
            }

            return target;
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }

    internal sealed class ScratchDirectory : IDisposable
    {
        public ScratchDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pointsmall-bench", Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    internal sealed record BenchmarkReport(
        DateTimeOffset RunAt,
        string Machine,
        IReadOnlyList<ScenarioResult> Scenarios,
        IReadOnlyDictionary<string, double> DurableToMemoryRatio,
        CallCost CallCost,
        ActivationMemory ActivationMemory,
        IReadOnlyList<string> Summary);

    internal static class Report
    {
        public static BenchmarkReport Build(List<ScenarioResult> results, CallCost cost, ActivationMemory memory, BenchmarkOptions options)
        {
            _ = options;
            var ratios = new Dictionary<string, double>();
            var summary = new List<string>();
            foreach (var durable in results.Where(r => r.Store != "memory"))
            {
                var memoryResult = results.FirstOrDefault(r => r.Store == "memory" && r.Scenario == durable.Scenario);
                if (memoryResult is not null)
                {
                    var ratio = durable.CallsPerSecond / memoryResult.CallsPerSecond;
                    ratios[$"{durable.Store}/{durable.Scenario}"] = ratio;
                    summary.Add($"{durable.Store} {durable.Scenario}: {durable.CallsPerSecond:N0} calls/s durable = {ratio:P0} of in-memory");
                }
            }

            var hotSqlite = results.FirstOrDefault(r => r is { Store: "sqlite", Scenario: "hot-key" });
            if (hotSqlite is not null && ratios.TryGetValue("sqlite/hot-key", out var hotRatio))
            {
                var met = hotSqlite.CallsPerSecond >= 100_000 && hotRatio >= 0.5;
                summary.Add($"target hot key on SQLite >= 100,000 calls/s and >= 50% of in-memory: {(met ? "met" : "NOT met")}");
            }

            summary.Add($"target runtime memory <= 1,024 B per resident activation: {(memory.RuntimeBytes <= 1024 ? "met" : "NOT met")} ({memory.RuntimeBytes:N0} B)");
            return new BenchmarkReport(DateTimeOffset.UtcNow, $"{Environment.ProcessorCount} cores, {Environment.OSVersion}", results, ratios, cost, memory, summary);
        }
    }
}
