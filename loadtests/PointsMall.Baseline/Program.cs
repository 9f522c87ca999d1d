using PointsMall.LocalServers;

namespace PointsMall.Baseline;

/// <summary>
/// <c>dotnet run -c Release --project loadtests/PointsMall.Baseline [-- --urls http://127.0.0.1:5090]</c>.
/// PostgreSQL: <c>Baseline:ConnectionString</c> (or <c>--Baseline:ConnectionString=…</c>); without one, a throw-away
/// server is started from Debian's binaries and removed on exit. Admin password: <c>Admin:Password</c> or
/// POINTSMALL_ADMIN_PASSWORD.
/// </summary>
public static class BaselineProgram
{
    public static async Task<int> Main(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var url = configuration["urls"] ?? configuration["Urls"] ?? "http://127.0.0.1:5090";
        var password = configuration["Admin:Password"] ?? Environment.GetEnvironmentVariable("POINTSMALL_ADMIN_PASSWORD");
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("Set the admin password: --Admin:Password=… or POINTSMALL_ADMIN_PASSWORD.");
            return 2;
        }

        PostgresServer? server = null;
        try
        {
            var connectionString = configuration["Baseline:ConnectionString"];
            if (string.IsNullOrEmpty(connectionString))
            {
                server = await PostgresServer.StartAsync();
                connectionString = await server.CreateDatabaseAsync("baseline");
                Console.WriteLine($"Throw-away PostgreSQL on port {server.Port} (removed on exit).");
            }

            await BaselineApp.CreateSchemaAsync(connectionString);
            await using var app = BaselineApp.Create(connectionString, url, password);
            Console.WriteLine($"Row-lock baseline listening on {url}");
            await app.RunAsync();
            return 0;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }
}
