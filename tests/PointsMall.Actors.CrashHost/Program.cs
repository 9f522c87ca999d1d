using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors.Hosting;
using PointsMall.Actors.CrashHost;
using PointsMall.Storage.Sqlite;

// Usage: PointsMall.Actors.CrashHost <database-path> [keys] [workers]
// Prints "ready", then one line "ack <key> <value>" per acknowledged increment, forever.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: PointsMall.Actors.CrashHost <database-path> [keys] [workers]");
    return 2;
}

var keys = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
var workers = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 64;

var services = new ServiceCollection();
services.AddSilo()
    .UseStore(_ => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = args[0] }))
    .AddGrain<ICrashCounterGrain, CrashCounterGrain>();
await using var provider = services.BuildServiceProvider();
var silo = provider.GetRequiredService<Silo>();
await silo.StartAsync(CancellationToken.None);

var output = Console.Out;
var outputLock = new Lock();
lock (outputLock)
{
    output.WriteLine("ready");
    output.Flush();
}

var loops = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
{
    var random = new Random(w);
    while (true)
    {
        var key = $"k{random.Next(keys)}";
        var value = await silo.GrainFactory.GetGrain<ICrashCounterGrain>(key).IncrementAsync();
        lock (outputLock)
        {
            // Printed only after the reply, i.e. after the write is durable: every line is a promise.
            output.WriteLine($"ack {key} {value}");
            output.Flush();
        }
    }
}));
await Task.WhenAll(loops);
return 0;
