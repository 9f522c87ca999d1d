namespace PointsMall.Storage.Sqlite;

/// <summary>Where the SQLite grain store keeps its file and how long it waits for a locked database.</summary>
public sealed class SqliteGrainStoreOptions
{
    /// <summary>The database file. Its directory is created when missing.</summary>
    public string DatabasePath { get; set; } = "./data/pointsmall.db";

    /// <summary>
    /// How long a statement waits for another process's lock before failing (SQLite's busy_timeout).
    /// One store per file is the normal case; this covers tools that open the file alongside it.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
