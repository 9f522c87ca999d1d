using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Storage;
using PointsMall.OrleansAdoNet;
using PointsMall.Storage;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;

namespace PointsMall.GroupCommit.Benchmark;

/// <summary>An Orleans silo in this process with the benchmark's grains over one store, and its scratch space.</summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly DirectoryInfo _directory;
    private readonly string? _postgres;
    private readonly string _schema;

    private BenchSilo(IHost host, DirectoryInfo directory, string? postgres, string schema)
    {
        _host = host;
        _directory = directory;
        _postgres = postgres;
        _schema = schema;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Transactions committed and state writes they carried; none for Orleans' memory storage.</summary>
    public (long Commits, long Writes)? Statistics =>
        _host.Services.GetRequiredKeyedService<IGrainStorage>(Stores.Name) is GroupCommitGrainStorage storage ? storage.Statistics : null;

    public static async Task<BenchSilo> StartAsync(string store, string? postgres)
    {
        var directory = Directory.CreateTempSubdirectory("pointsmall-bench-");
        var schema = $"bench_{Guid.NewGuid():n}"[..20];
        var (siloPort, gatewayPort) = TwoFreePorts();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            // Free ports: a mall or a test silo on this machine may hold Orleans' defaults.
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            if (store == BenchmarkOptions.OrleansMemory)
            {
                silo.AddMemoryGrainStorage(Stores.Name);
            }
            else if (store == BenchmarkOptions.AdoNetSqlite)
            {
                silo.AddAdoNetGrainStorageWithTables(Stores.Name, AdoNetDatabase.Sqlite(Path.Combine(directory.FullName, "orleans.db")));
            }
            else if (store == BenchmarkOptions.AdoNetPostgreSql)
            {
                silo.AddAdoNetGrainStorageWithTables(Stores.Name, AdoNetDatabase.PostgreSql(postgres!, schema));
            }
            else
            {
                silo.AddGroupCommitGrainStorage(Stores.Name, _ => store switch
                {
                    "memory" => new InMemoryGrainStore(),
                    "sqlite" => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = Path.Combine(directory.FullName, "bench.db") }),
                    "postgresql" => new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = postgres!, Schema = schema }),
                    _ => throw new ArgumentException($"unknown store '{store}'", nameof(store)),
                });
            }
        });
        var silo = new BenchSilo(builder.Build(), directory, BenchmarkOptions.NeedsPostgres(store) ? postgres : null, schema);
        await silo._host.StartAsync();
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // Orleans' ADO.NET storage pools its SQLite connections.
        _directory.Delete(recursive: true);
        if (_postgres is not null)
        {
            // Each run has its own schema; a server given on the command line should not keep them.
            await using var connection = new NpgsqlConnection(_postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Both held open while picked, so they cannot be the same port.</summary>
    private static (int, int) TwoFreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }
}
