using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Npgsql;
using PointsMall.Storage.Sqlite;

namespace PointsMall.Hosting;

/// <summary>
/// <c>backup --to FILE</c>, a command of both hosts: an online backup of the store their configuration names, taken
/// beside a running node (or a stopped one). SQLite: a consistent copy of the file (<see cref="SqliteBackup"/>).
/// PostgreSQL: <c>pg_dump</c> in its custom format of the store's schema, one consistent snapshot; restore it with
/// <c>pg_restore</c>. The configuration is the host's own: <c>appsettings.json</c> in the content root, environment
/// variables, then the arguments after <c>backup</c> (<c>--Storage:Sqlite:Path …</c>).
/// </summary>
public static class StorageBackup
{
    public const string Command = "backup";

    // Debian's server package, then the client package's wrapper.
    private static readonly string[] PgDumpCandidates = ["/usr/lib/postgresql/15/bin/pg_dump", "/usr/bin/pg_dump"];

    public static bool IsCommand(string[] args) => args is [Command, ..];

    /// <summary>Runs the command; the exit code is 0 when the backup is written, 2 for bad usage, 1 otherwise.</summary>
    public static async Task<int> RunAsync(string[] args, string contentRoot, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var rest = args.Skip(1).ToList();
        var at = rest.IndexOf("--to");
        if (at < 0 || at + 1 >= rest.Count || string.IsNullOrWhiteSpace(rest[at + 1]))
        {
            await error.WriteLineAsync("Usage: backup --to FILE [--Storage:Provider sqlite|postgresql] [--Storage:Sqlite:Path PATH] ...").ConfigureAwait(false);
            return 2;
        }

        var destination = rest[at + 1];
        rest.RemoveRange(at, 2);
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        var configuration = new ConfigurationBuilder()
            .SetBasePath(contentRoot)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. rest])
            .Build();
        var storage = configuration.GetSection("Storage");
        try
        {
            switch (storage["Provider"] ?? "sqlite")
            {
                case "sqlite":
                    var path = storage["Sqlite:Path"] ?? "./data/pointsmall.db";
                    var result = await SqliteBackup.CreateAsync(path, destination, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"Backed up {Path.GetFullPath(path)} to {result.Destination} ({result.Bytes:N0} bytes, {result.Elapsed.TotalSeconds:0.0} s).")).ConfigureAwait(false);
                    return 0;
                case "postgresql":
                    return await PgDumpAsync(storage, destination, output, error, cancellationToken).ConfigureAwait(false);
                default:
                    await error.WriteLineAsync($"Storage:Provider '{storage["Provider"]}' has nothing to back up (sqlite or postgresql).").ConfigureAwait(false);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync($"Backup failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> PgDumpAsync(IConfigurationSection storage, string destination, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(storage["PostgreSql:ConnectionString"]
            ?? throw new InvalidOperationException("Storage:PostgreSql:ConnectionString is required when Storage:Provider is postgresql."));
        var schema = storage["PostgreSql:Schema"] ?? "pointsmall";
        var pgDump = PgDumpCandidates.FirstOrDefault(File.Exists);
        if (pgDump is null)
        {
            await error.WriteLineAsync("pg_dump was not found: apt-get install -y postgresql-client").ConfigureAwait(false);
            return 1;
        }

        if (File.Exists(destination))
        {
            await error.WriteLineAsync($"Backup failed: '{Path.GetFullPath(destination)}' exists already; a backup never overwrites a file.").ConfigureAwait(false);
            return 1;
        }

        var start = new ProcessStartInfo(pgDump) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--format=custom", "--no-owner", "--schema=" + schema, "--file=" + destination,
            "--host=" + (connection.Host ?? "localhost"), "--port=" + connection.Port.ToString(CultureInfo.InvariantCulture),
            "--username=" + (connection.Username ?? Environment.UserName), "--dbname=" + (connection.Database ?? "postgres"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The password goes through the environment, never the command line (which other users can read).
        if (!string.IsNullOrEmpty(connection.Password))
        {
            start.Environment["PGPASSWORD"] = connection.Password;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("pg_dump did not start.");
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            await error.WriteLineAsync($"pg_dump failed ({process.ExitCode}): {stderr.Trim()}").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Backed up schema {schema} of {connection.Database} on {connection.Host}:{connection.Port} to {Path.GetFullPath(destination)} ({new FileInfo(destination).Length:N0} bytes); restore with pg_restore.")).ConfigureAwait(false);
        return 0;
    }
}
