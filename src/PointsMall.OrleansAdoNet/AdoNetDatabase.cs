using Microsoft.Data.Sqlite;
using Npgsql;

namespace PointsMall.OrleansAdoNet;

/// <summary>The SQL dialects whose tables and stored queries this library provides.</summary>
public enum AdoNetDialect
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A database for Orleans' ADO.NET providers: the invariant Orleans loads the driver by, and the connection string.
/// </summary>
public sealed record AdoNetDatabase
{
    private AdoNetDatabase(AdoNetDialect dialect, string invariant, string connectionString)
    {
        Dialect = dialect;
        Invariant = invariant;
        ConnectionString = connectionString;
    }

    public AdoNetDialect Dialect { get; }

    /// <summary>The ADO.NET invariant name Orleans maps to the driver's factory.</summary>
    public string Invariant { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// A SQLite file (created if missing). Writers wait for each other up to <paramref name="busyTimeout"/> (default
    /// 30 s) instead of failing at once with "database is locked": Orleans writes each grain on its own connection.
    /// </summary>
    public static AdoNetDatabase Sqlite(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)(busyTimeout ?? TimeSpan.FromSeconds(30)).TotalSeconds,
        };
        // Orleans 10.4 knows SQLite by this invariant and loads Microsoft.Data.Sqlite's factory for it.
        return new AdoNetDatabase(AdoNetDialect.Sqlite, "System.Data.SQLite", builder.ConnectionString);
    }

    /// <summary>A PostgreSQL database; <paramref name="schema"/>, when given, is created and used as the search path.</summary>
    public static AdoNetDatabase PostgreSql(string connectionString, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (schema is not null)
        {
            if (!IsPlainIdentifier(schema))
            {
                throw new ArgumentException($"The schema name '{schema}' must be a plain lower-case SQL identifier.", nameof(schema));
            }

            builder.SearchPath = schema;
        }

        return new AdoNetDatabase(AdoNetDialect.PostgreSql, "Npgsql", builder.ConnectionString);
    }

    /// <summary>The schema named by the search path, if one was set (it is created with the tables).</summary>
    internal string? PostgreSqlSchema =>
        Dialect == AdoNetDialect.PostgreSql && new NpgsqlConnectionStringBuilder(ConnectionString).SearchPath is { Length: > 0 } path ? path : null;

    private static bool IsPlainIdentifier(string name) =>
        name.Length is > 0 and <= 63 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    // The connection string may hold a password: never print it.
    public override string ToString() => $"{Dialect} ({Invariant})";
}
