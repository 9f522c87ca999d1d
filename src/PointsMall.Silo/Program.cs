using PointsMall.Hosting;

if (StorageBackup.IsCommand(args))
{
    Environment.ExitCode = await StorageBackup.RunAsync(args, Directory.GetCurrentDirectory(), Console.Out, Console.Error).ConfigureAwait(false);
    return;
}

var app = SiloHost.Build(args);
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"PointsMall silo is running ({app.Configuration["Storage:Provider"] ?? "sqlite"} storage); gateway and health at {string.Join(", ", app.Urls)} (HTTP/2). Stop with Ctrl+C."));
await app.RunAsync().ConfigureAwait(false);
