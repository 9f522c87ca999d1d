using Microsoft.Data.Sqlite;

namespace PointsMall.Storage.Sqlite;

/// <summary>What a backup wrote.</summary>
public sealed record SqliteBackupResult(string Destination, long Bytes, TimeSpan Elapsed);

/// <summary>
/// An online backup of a store's file while the store keeps serving: SQLite's <c>VACUUM INTO</c> copies the database
/// as of one read transaction (WAL mode lets it read beside the writer without blocking it), so the copy holds
/// exactly the batches committed before it began: every grain's state, outbox event, index entry and reminder from
/// the same instant. The copy is written beside the destination, checked with <c>PRAGMA integrity_check</c>, and only
/// then renamed into place, so a destination that exists is a whole, valid database.
/// </summary>
public static class SqliteBackup
{
    public static async Task<SqliteBackupResult> CreateAsync(string databasePath, string destination, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        time ??= TimeProvider.System;
        var source = Path.GetFullPath(databasePath);
        var target = Path.GetFullPath(destination);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"There is no database at '{source}' to back up.", source);
        }

        if (File.Exists(target))
        {
            throw new IOException($"'{target}' exists already; a backup never overwrites a file.");
        }

        var started = time.GetTimestamp();
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            // Read-only and unpooled: the backup can never write to the live file, and no connection outlives it.
            await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 300,
            }.ToString()))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "VACUUM INTO $target";
                command.Parameters.AddWithValue("$target", partial);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await CheckIntegrityAsync(partial, cancellationToken);
            File.Move(partial, target);
            return new SqliteBackupResult(target, new FileInfo(target).Length, time.GetElapsedTime(started));
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task CheckIntegrityAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var verdict = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (verdict != "ok")
        {
            throw new InvalidDataException($"The copy failed SQLite's integrity check: {verdict}");
        }
    }
}
