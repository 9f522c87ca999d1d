using Microsoft.Data.Sqlite;
using Npgsql;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.OrleansAdoNet.Tests;

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;

/// <summary>
/// A fresh database of one dialect, removed on dispose: a SQLite file in a temp folder, or a PostgreSQL schema of
/// its own in the test class's database.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    private readonly DirectoryInfo? _folder;
    private readonly string? _postgres;
    private readonly string? _schema;

    private ScratchDatabase(AdoNetDatabase database, DirectoryInfo? folder, string? postgres, string? schema)
    {
        Database = database;
        _folder = folder;
        _postgres = postgres;
        _schema = schema;
    }

    public AdoNetDatabase Database { get; }

    public static async Task<ScratchDatabase> CreateAsync(string dialect, PostgresServerFixture postgres, Type testClass)
    {
        if (dialect == Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("pointsmall-adonet-");
            return new ScratchDatabase(AdoNetDatabase.Sqlite(Path.Combine(folder.FullName, "orleans.db")), folder, null, null);
        }

        var connectionString = await postgres.DatabaseForAsync(testClass);
        var schema = $"t_{Guid.NewGuid():n}"[..24];
        return new ScratchDatabase(AdoNetDatabase.PostgreSql(connectionString, schema), null, connectionString, schema);
    }

    /// <summary>One value read with a plain connection, to check what the providers stored.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using System.Data.Common.DbConnection connection = Database.Dialect == AdoNetDialect.Sqlite
            ? new SqliteConnection(Database.ConnectionString)
            : new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            _folder.Delete(recursive: true);
        }

        if (_postgres is not null)
        {
            await using var connection = new NpgsqlConnection(_postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
