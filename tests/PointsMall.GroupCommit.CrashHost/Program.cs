using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.CrashHost;
using PointsMall.LocalServers;
using PointsMall.Storage.Sqlite;

// Usage: PointsMall.GroupCommit.CrashHost <database-path> [callers | outbox]
// Runs an Orleans silo whose grain storage is group commit over SQLite, and <callers> (default 64) loops that add 1
// to counters: a quarter to the hot counter "hot" (reentrant, pipelined), the rest to ordinary counters "c-0" …
// "c-15". Prints "ack <key> <value>" for every acknowledged change, until the test SIGKILLs it.
// With "outbox" instead of callers: no load; the outbox is delivered to a subscription of namespace "crash-out"
// (lease of ten minutes, polled every 100 ms), printing "delivered <sequence>" for each event.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: PointsMall.GroupCommit.CrashHost <database-path> [callers | outbox]");
    return 2;
}

var outbox = args.Length > 1 && args[1] == "outbox";
var callers = args.Length > 1 && !outbox ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
var output = TextWriter.Synchronized(Console.Out);
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.UseOrleans(silo =>
{
    silo
        .UseLocalhostClustering(LocalPorts.Next(), LocalPorts.Next())
        .AddGroupCommitGrainStorage(Program.Storage, _ => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = args[0] }));
    if (outbox)
    {
        // A lease far longer than the test waits: a delivery after a restart shows the earlier run's lease was taken at once.
        silo
            .UseGroupCommitOutbox(Program.Storage, o => (o.LeaseDuration, o.RenewInterval, o.PollInterval) =
                (TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100)))
            .AddOutboxSubscription("crash-out", "crash-out", (_, e, _) =>
            {
                output.WriteLine($"delivered {e.Sequence}");
                output.Flush();
                return Task.CompletedTask;
            });
    }
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
output.WriteLine("started");
output.Flush();
if (outbox)
{
    await host.WaitForShutdownAsync();
    return 0;
}

var loops = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
{
    var hot = i % 4 == 0;
    var key = hot ? "hot" : $"c-{i % 16}";
    while (true)
    {
        var value = hot ? await grains.GetGrain<ICrashHotCounterGrain>(key).AddAsync() : await grains.GetGrain<ICrashCounterGrain>(key).AddAsync();

        // Printed only after the reply: what the test reads was acknowledged, hence durable.
        output.WriteLine($"ack {(hot ? "crash-hot-counter" : "crash-counter")}/{key} {value}");
        output.Flush();
    }
})).ToArray();
await Task.WhenAll(loops);
return 0;


internal static partial class Program
{
    public const string Storage = "crash";
}
