using PointsMall.Hosting;

var app = SiloHost.Build(args);
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"PointsMall silo is running ({app.Configuration["Storage:Provider"] ?? "sqlite"} storage); gateway and health at {string.Join(", ", app.Urls)} (HTTP/2). Stop with Ctrl+C."));
await app.RunAsync().ConfigureAwait(false);
