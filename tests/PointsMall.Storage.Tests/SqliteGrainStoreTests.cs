using Microsoft.Data.Sqlite;
using PointsMall.Storage.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Storage.Tests;

public sealed class SqliteGrainStoreTests(ITestOutputHelper output) : DurableGrainStoreContract(output)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pm-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    // A directory that does not exist yet: the store must create it.
    private string DatabasePath => Path.Combine(_directory, "nested", "pointsmall.db");

    protected override Task<IGrainStore> OpenStoreAsync() =>
        Task.FromResult<IGrainStore>(new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = DatabasePath }));

    protected override Task CleanUpAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public void The_database_file_is_in_wal_mode()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public async Task A_storage_failure_throws_rolls_back_the_whole_batch_and_the_store_keeps_working()
    {
        await Commit(States(Insert(Grain("ok"), "v1"), Insert(Grain("poisoned"), "v1")));
        Execute("""
            CREATE TRIGGER poison BEFORE UPDATE ON grain_state WHEN NEW.grain_key = 'poisoned'
            BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
            """);

        await Assert.ThrowsAsync<SqliteException>(() => Store.CommitAsync(
            new CommitBatch([Update(Grain("ok"), 1, 2, "v2"), Update(Grain("poisoned"), 1, 2, "v2")], [Event("s", "t", "e")], []),
            CancellationToken.None));

        Assert.Equal(1, (await Read(Grain("ok")))!.Version);
        Assert.Empty(await Store.ReadEventsAsync(0, 10, CancellationToken.None));

        Execute("DROP TRIGGER poison");
        await Commit(States(Update(Grain("ok"), 1, 2, "v2"), Update(Grain("poisoned"), 1, 2, "v2")));
        Assert.Equal(2, (await Read(Grain("poisoned")))!.Version);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
