using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace PointsMall.GroupCommit.Benchmark;

internal sealed record ScenarioResult(
    string Store, string Grain, string Keys, long Calls, double Seconds, double CallsPerSecond, double P50Ms, double P99Ms, long? Commits, double? WritesPerCommit, double? CallsPerCommit);

internal sealed record CallCost(string Grain, double OrleansNanoseconds, double DirectNanoseconds, double AllocatedBytes);

internal sealed record ActivationMemory(string Grain, int Activations, double TotalBytes, double GrainBytes, double RuntimeBytes);

internal static class Measurements
{
    private const int ActivationBatch = 10_000;

    /// <summary>Call latencies in microseconds, 1 µs to 1 min, to 3 significant digits (≤ 0.1 % error); slower calls count as 1 min.</summary>
    public const long LatencyCeilingMicros = 60_000_000;

    public const int LatencyDigits = 3;

    /// <summary>State-changing calls per second from closed-loop callers on one hot key or on <c>--keys</c> uniform keys.</summary>
    public static async Task<ScenarioResult> ThroughputAsync(string store, string grain, string keys, string? postgres, BenchmarkOptions options)
    {
        await using var silo = await BenchSilo.StartAsync(store, postgres);
        var grains = Enumerable.Range(0, keys == "hot" ? 1 : options.Keys).Select(k => Grain(silo, grain, k)).ToArray();

        // Warm-up: activate every grain (state read, first row written), then let the JIT and the batch sizes settle,
        // so the measured window holds state changes only.
        for (var i = 0; i < grains.Length; i += ActivationBatch)
        {
            await Task.WhenAll(grains.Skip(i).Take(ActivationBatch).Select(g => g.AddAsync(1)));
        }

        await RunCallersAsync(grains, options.Callers, TimeSpan.FromSeconds(1), null);

        var before = silo.Statistics;
        var latencies = new LongConcurrentHistogram(1, LatencyCeilingMicros, LatencyDigits);
        var (calls, elapsed) = await RunCallersAsync(grains, options.Callers, options.Duration, latencies);
        var after = silo.Statistics;
        long? commits = after is { } a && before is { } b ? a.Commits - b.Commits : null;
        double? writesPerCommit = commits is > 0 ? (double)(after!.Value.Writes - before!.Value.Writes) / commits.Value : null;

        // Not the same as writes per commit: a pipelined grain's one write carries every change made while the last was in flight.
        double? callsPerCommit = commits is > 0 ? (double)calls / commits.Value : null;
        return new ScenarioResult(store, grain, keys, calls, elapsed.TotalSeconds, calls / elapsed.TotalSeconds,
            Percentile(latencies, 50), Percentile(latencies, 99), commits, writesPerCommit, callsPerCommit);
    }

    /// <summary>What one call through Orleans costs against the same method called directly: one caller, a read, in memory.</summary>
    public static async Task<CallCost> CallCostAsync(string grain)
    {
        await using var silo = await BenchSilo.StartAsync("memory", postgres: null);
        var target = Grain(silo, grain, 0);
        await target.AddAsync(1);
        const int n = 100_000;
        for (var i = 0; i < n / 10; i++)
        {
            await target.GetAsync();
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            await target.GetAsync();
        }

        var orleansNs = clock.Elapsed.TotalNanoseconds / n;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)n;

        var direct = new DirectCounter();
        clock.Restart();
        for (var i = 0; i < n; i++)
        {
            await direct.GetAsync();
        }

        return new CallCost(grain, orleansNs, clock.Elapsed.TotalNanoseconds / n, allocated);
    }

    /// <summary>Heap per resident activation (<c>--keys</c> of them, activated by a read), and how much of it the grain's own objects are.</summary>
    public static async Task<ActivationMemory> ActivationMemoryAsync(string grain, BenchmarkOptions options)
    {
        var count = options.Keys;
        await using var silo = await BenchSilo.StartAsync("memory", postgres: null);
        var grains = Enumerable.Range(0, count).Select(k => Grain(silo, grain, k)).ToArray();
        await grains[0].GetAsync();
        var before = SettledHeap();
        for (var i = 0; i < count; i += ActivationBatch)
        {
            await Task.WhenAll(grains.Skip(i).Take(ActivationBatch).Select(g => g.GetAsync()));
        }

        var total = (SettledHeap() - before) / (double)count;

        // What the grain itself accounts for: its object and its (empty) state, allocated the same way.
        var ownBefore = SettledHeap();
        var own = new object[count * 2];
        for (var i = 0; i < count; i++)
        {
            own[2 * i] = new BenchState();
            own[(2 * i) + 1] = new DirectCounter();
        }

        var grainBytes = (SettledHeap() - ownBefore - (count * 2 * IntPtr.Size)) / (double)count;
        GC.KeepAlive(own);
        GC.KeepAlive(grains);
        return new ActivationMemory(grain, count, total, grainBytes, total - grainBytes);
    }

    private static IBenchCounterGrain Grain(BenchSilo silo, string grain, int key) =>
        silo.Grains.GetGrain<IBenchCounterGrain>(
            key.ToString(CultureInfo.InvariantCulture),
            grainClassNamePrefix: grain == "awaiting" ? typeof(AwaitingCounterGrain).FullName : typeof(PipelinedCounterGrain).FullName);

    /// <summary>Closed model: each caller issues its next call when the previous one is answered.</summary>
    private static async Task<(long Calls, TimeSpan Elapsed)> RunCallersAsync(IBenchCounterGrain[] grains, int callers, TimeSpan duration, LongConcurrentHistogram? latencies)
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
                latencies?.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, 1, LatencyCeilingMicros));
                mine++;
            }

            Interlocked.Add(ref calls, mine);
        })).ToArray();

        // The measuring window itself, not a synchronisation: callers stop at the flag and are awaited.
        await Task.Delay(duration);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(loops);
        return (calls, clock.Elapsed);
    }

    /// <summary>The latency in milliseconds that <paramref name="percentile"/> (0–100) of the calls did not exceed.</summary>
    private static double Percentile(LongConcurrentHistogram latencies, double percentile)
        => latencies.TotalCount == 0 ? 0 : latencies.GetValueAtPercentile(percentile) / 1000.0;

    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The grain's object layout (one reference field) without Orleans, called directly.</summary>
    private sealed class DirectCounter
    {
        private readonly BenchState _state = new();

        public Task<long> GetAsync() => Task.FromResult(_state.Value);
    }
}
