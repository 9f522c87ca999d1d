namespace PointsMall.Silo;

/// <summary>
/// The silo process. An explicit Main in a namespace (not top-level statements) because the API references this
/// project: two global <c>Program</c> types would collide where both are visible (the API's tests).
/// </summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var app = SiloHost.Build(args);
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"PointsMall silo is running ({app.Configuration["Storage:Provider"] ?? "sqlite"} storage); gateway and health at {string.Join(", ", app.Urls)} (HTTP/2). Stop with Ctrl+C."));
        await app.RunAsync().ConfigureAwait(false);
    }
}
