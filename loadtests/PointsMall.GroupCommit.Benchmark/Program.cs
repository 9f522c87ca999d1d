using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Benchmark;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;

// State-changing grain calls per second on Orleans: one hot key and many uniform keys, each with the usual
// "await WriteStateAsync() in every call" grain and with the pipelined grain, over Orleans' in-memory storage and
// over the group-commit storage (in memory and SQLite). Compare ratios within one run: these machines are noisy.
var duration = TimeSpan.FromSeconds(Arg("--duration", 5));
var callers = Arg("--callers", 1000);
var keys = Arg("--keys", 100_000);
Console.WriteLine($"PointsMall group-commit benchmark on Orleans — {Environment.ProcessorCount} cores, {duration.TotalSeconds:0}s per run, {callers} callers, {keys:N0} uniform keys");

var results = new List<(string Store, string Grain, string Keys, double Rate)>();
foreach (var store in new[] { "orleans-memory", "groupcommit-memory", "groupcommit-sqlite" })
{
    foreach (var (grain, type) in new[] { ("awaiting", typeof(AwaitingCounterGrain)), ("pipelined", typeof(PipelinedCounterGrain)) })
    {
        if (grain == "pipelined" && store == "orleans-memory")
        {
            continue; // [PipelinedState] needs the group-commit storage's facet registration.
        }

        foreach (var spread in new[] { "hot", "uniform" })
        {
            var rate = await RunAsync(store, grain, spread == "hot" ? 1 : keys);
            results.Add((store, grain, spread, rate));
            Console.WriteLine($"{store,-19} {grain,-10} {spread,-8} {rate,12:N0} calls/s");
        }
    }
}

Console.WriteLine();
var baseline = results.Single(r => r is { Store: "orleans-memory", Grain: "awaiting", Keys: "hot" }).Rate;
foreach (var r in results)
{
    var sameKeysInMemory = results.Single(b => b.Store == "orleans-memory" && b.Grain == "awaiting" && b.Keys == r.Keys).Rate;
    Console.WriteLine($"{r.Store,-19} {r.Grain,-10} {r.Keys,-8} {r.Rate / sameKeysInMemory,6:0.00}x Orleans in-memory storage (awaiting grain, same keys)");
}

Console.WriteLine($"(baseline: Orleans in-memory storage, awaiting grain, one hot key: {baseline:N0} calls/s)");
return 0;

async Task<double> RunAsync(string store, string grain, int keyCount)
{
    var directory = Directory.CreateTempSubdirectory("pointsmall-bench-");
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
    builder.UseOrleans(silo =>
    {
        silo.UseLocalhostClustering();
        if (store == "orleans-memory")
        {
            silo.AddMemoryGrainStorage(Stores.Name);
        }
        else
        {
            silo.AddGroupCommitGrainStorage(Stores.Name, _ => store == "groupcommit-sqlite"
                ? new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = Path.Combine(directory.FullName, "bench.db") })
                : new InMemoryGrainStore());
        }
    });
    using var host = builder.Build();
    await host.StartAsync();
    var grains = host.Services.GetRequiredService<IGrainFactory>();
    IBenchCounterGrain Grain(int key) => grains.GetGrain<IBenchCounterGrain>(key.ToString(CultureInfo.InvariantCulture), grainClassNamePrefix: grain == "awaiting" ? typeof(AwaitingCounterGrain).FullName : typeof(PipelinedCounterGrain).FullName);

    // Warm up (activations, JIT), then count completed calls of closed-loop callers for the duration.
    using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
    {
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => LoopAsync(c, warm.Token)));
    }

    using var stop = new CancellationTokenSource(duration);
    var clock = Stopwatch.StartNew();
    var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(c => LoopAsync(c, stop.Token)));
    clock.Stop();
    var completed = counts.Sum();
    await host.StopAsync();
    directory.Delete(recursive: true);
    return completed / clock.Elapsed.TotalSeconds;

    async Task<long> LoopAsync(int caller, CancellationToken token)
    {
        var random = new Random(caller);
        long done = 0;
        while (!token.IsCancellationRequested)
        {
            await Grain(keyCount == 1 ? 0 : random.Next(keyCount)).AddAsync(1);
            done++;
        }

        return done;
    }
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
