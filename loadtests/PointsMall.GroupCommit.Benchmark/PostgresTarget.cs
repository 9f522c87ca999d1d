using Npgsql;
using PointsMall.LocalServers;

namespace PointsMall.GroupCommit.Benchmark;

/// <summary>
/// The PostgreSQL the <c>postgresql</c> store runs on: <c>auto</c> starts the throw-away server the tests use (from
/// Debian's binaries) and removes it afterwards, <c>none</c> skips the store, anything else is a connection string.
/// </summary>
internal sealed class PostgresTarget : IAsyncDisposable
{
    private PostgresServer? _server;

    public string? ConnectionString { get; private set; }

    /// <summary>Why there is no connection string.</summary>
    public string Why { get; private set; } = "";

    public static async Task<PostgresTarget> OpenAsync(string setting)
    {
        var target = new PostgresTarget();
        var binaries = Environment.GetEnvironmentVariable("POINTSMALL_PG_BIN") is { Length: > 0 } custom ? custom : PostgresServer.DefaultBinDirectory;
        if (setting == "none")
        {
            target.Why = "--postgres none";
        }
        else if (setting != "auto")
        {
            target.ConnectionString = Bounded(setting);
        }
        else if (!File.Exists(Path.Combine(binaries, "initdb")))
        {
            target.Why = $"no PostgreSQL binaries in {binaries}: apt-get install -y postgresql, or pass --postgres CONNECTION-STRING";
        }
        else
        {
            target._server = await PostgresServer.StartAsync();
            target.ConnectionString = Bounded(target._server.ConnectionString);
        }

        return target;
    }

    /// <summary>
    /// A pool below the server's <c>max_connections</c> (100 by default, which is also Npgsql's pool size) unless the
    /// connection string sets one: activating thousands of grains at once reads their states concurrently, and past
    /// the server's limit reads fail instead of queueing for a connection.
    /// </summary>
    private static string Bounded(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("PoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = 32;
        }

        return builder.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
