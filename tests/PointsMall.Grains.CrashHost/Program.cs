using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Orders;
using PointsMall.Grains;
using PointsMall.Grains.CrashHost;
using PointsMall.Grains.Orders;
using PointsMall.LocalServers;
using PointsMall.Storage.Sqlite;

// Usage: PointsMall.Grains.CrashHost <database-path> <kill-point> [orders]
//   kill-point: created | after-reserve | after-spend
// Seeds member "m-crash" (10,000 points) and physical product "p-crash" (100 points, stock 10) through the
// grains, then places orders "o-crash-1" … "o-crash-<orders>" (default 3) one after another, printing
// "ack <order-id> <status>" for each acknowledged one. The last order's saga kills the process once the kill
// point is durable, after printing "killing <order-id> <step>". Exit code 0 means it never got there.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: PointsMall.Grains.CrashHost <database-path> <created|after-reserve|after-spend> [orders]");
    return 2;
}

SagaStep killAt;
switch (args[1])
{
    case "created":
        killAt = SagaStep.Created;
        break;
    case "after-reserve":
        killAt = SagaStep.StockReserved;
        break;
    case "after-spend":
        killAt = SagaStep.PointsSpent;
        break;
    default:
        Console.Error.WriteLine($"unknown kill point {args[1]}");
        return 2;
}

var orders = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var output = Console.Out;
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();

// Registered before the grains so that their TryAdd of the no-op observer leaves this one in place.
builder.Services.AddSingleton<IOrderSagaObserver>(new KillingSagaObserver($"o-crash-{orders}", killAt, output));
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(LocalPorts.Next(), LocalPorts.Next())
    .AddPointsMall(_ => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = args[0] })));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var member = grains.GetGrain<IMemberGrain>("m-crash");
var registered = await member.RegisterAsync(new RegisterMember(null, "crash@example.com", "crash-password-1", "Crash"));
var granted = await member.AdjustAsync(new AdjustPoints("seed", 10_000, "crash test seed"));
var addressed = await member.SaveAddressAsync(new SaveAddress("home", "Crash", "13800000000", "广东省 深圳市 南山区", "科技园 1 号", IsDefault: true));
var product = new Product("p-crash", "Crash kettle", "Brand", "1L", "K1", "white", ImmutableArray<string>.Empty, "", ProductCategory.Physical,
    new Price(100, 0), null, null, null, null, true, null);
var created = await grains.GetGrain<IProductGrain>("p-crash").CreateAsync(new CreateProduct(product, 10, 0));
if (!registered.Succeeded || !granted.Succeeded || !addressed.Succeeded || !created.Succeeded)
{
    Console.Error.WriteLine($"seeding failed: {registered.Refusal} {granted.Refusal} {addressed.Refusal} {created.Refusal}");
    return 3;
}

output.WriteLine("seeded");
output.Flush();
for (var i = 1; i <= orders; i++)
{
    var id = $"o-crash-{i}";
    var result = await grains.GetGrain<IOrderGrain>(id).PlaceAsync(new PlaceOrder("m-crash", "p-crash", 1, "points", null));
    output.WriteLine($"ack {id} {result.Order?.Status} {result.Refusal?.Code}");
    output.Flush();
}

await host.StopAsync();
return 0;

