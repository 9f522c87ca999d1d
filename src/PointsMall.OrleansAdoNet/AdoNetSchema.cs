using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PointsMall.OrleansAdoNet;

/// <summary>
/// Creates the tables Orleans' ADO.NET providers expect and stores the queries they read at start
/// (<c>OrleansQuery</c>). Orleans' packages ship neither, and Orleans has no SQLite scripts of its own, so the
/// project writes them for its two dialects (<c>Sql/</c>), to the providers' contract: the parameter names Orleans
/// binds and the column names it reads. Safe to run again and from several silos at once: tables are created if
/// missing, and each query text is replaced by the one this build carries.
/// </summary>
public static class AdoNetSchema
{
    private static readonly Assembly Scripts = typeof(AdoNetSchema).Assembly;

    public static async Task EnsureCreatedAsync(AdoNetDatabase database, AdoNetTables tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        CheckDialect(database, tables);

        await using DbConnection connection = database.Dialect == AdoNetDialect.Sqlite
            ? new SqliteConnection(database.ConnectionString)
            : new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (database.Dialect == AdoNetDialect.Sqlite)
        {
            // WAL lets readers run beside the writer; it is a property of the file, so it is set once here.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (database.Dialect == AdoNetDialect.PostgreSql)
        {
            // Silos starting together would otherwise race on CREATE TABLE IF NOT EXISTS (it is not atomic).
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('pointsmall-orleans-adonet-schema'));", cancellationToken);
            if (database.PostgreSqlSchema is { } schema)
            {
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {schema};", cancellationToken);
            }
        }

        var dialect = database.Dialect.ToString();
        await ExecuteAsync(connection, transaction, Script($"{dialect}/Main.tables.sql"), cancellationToken);
        foreach (var feature in new[] { AdoNetTables.Persistence, AdoNetTables.Reminders, AdoNetTables.Clustering }.Where(f => tables.HasFlag(f)))
        {
            await ExecuteAsync(connection, transaction, Script($"{dialect}/{feature}.tables.sql"), cancellationToken);
            foreach (var (key, text) in Queries($"{dialect}/{feature}/"))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText =
                    "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@key, @text) " +
                    "ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;";
                AddParameter(command, "key", key);
                AddParameter(command, "text", text);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Throws when the database's dialect does not provide one of <paramref name="tables"/>.</summary>
    internal static void CheckDialect(AdoNetDatabase database, AdoNetTables tables)
    {
        if (tables.HasFlag(AdoNetTables.Reminders) && database.Dialect != AdoNetDialect.PostgreSql)
        {
            throw new NotSupportedException(
                "Orleans' ADO.NET reminder table is provided for PostgreSQL only; on SQLite the group-commit storage's reminder table (UseGroupCommitReminders) keeps reminders durable.");
        }

        if (tables.HasFlag(AdoNetTables.Clustering) && database.Dialect != AdoNetDialect.PostgreSql)
        {
            throw new NotSupportedException("Orleans' ADO.NET membership table is provided for PostgreSQL only; a single SQLite silo uses localhost clustering.");
        }
    }

    /// <summary>The stored queries of one dialect and feature, by the key Orleans reads them by.</summary>
    internal static IEnumerable<(string Key, string Text)> Queries(string folder) =>
        Scripts.GetManifestResourceNames()
            .Where(name => name.StartsWith(folder, StringComparison.Ordinal) && name.IndexOf('/', folder.Length) < 0)
            .Order(StringComparer.Ordinal)
            .Select(name => (Path.GetFileNameWithoutExtension(name), Script(name)));

    private static string Script(string name)
    {
        using var stream = Scripts.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"The SQL script '{name}' is not embedded in {Scripts.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
