using System.Text.Json;
using PointsMall.GroupCommit.Tests.Grains;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

public sealed class SqliteDurabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pointsmall-groupcommit-").FullName;

    private string DatabasePath => Path.Combine(_directory, "grains.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    [Fact]
    public async Task Every_acknowledged_change_is_in_the_sqlite_file_after_the_silo_stops()
    {
        const int counters = 20;
        const int addsEach = 50;
        const int hotAdds = 2_000;
        var cluster = new ClusterFixture(() => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = DatabasePath }));
        await cluster.InitializeAsync();
        try
        {
            var calls = new List<Task<long>>();
            for (var i = 0; i < addsEach; i++)
            {
                calls.AddRange(Enumerable.Range(0, counters).Select(c => cluster.Client.GetGrain<ICounterGrain>($"c{c}").AddAsync(1)));
            }

            calls.AddRange(Enumerable.Range(0, hotAdds).Select(_ => cluster.Client.GetGrain<IHotCounterGrain>("hot").AddAsync(1)));
            await Waits.For(Task.WhenAll(calls), TimeSpan.FromMinutes(2), "the changes to be acknowledged");

            // Batching across grains happened: fewer transactions than writes.
            var (commits, writes) = cluster.Storage.Statistics;
            Assert.True(commits < writes, $"{commits} transactions for {writes} writes.");
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        await using var reopened = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = DatabasePath });
        await reopened.InitializeAsync(CancellationToken.None);
        for (var c = 0; c < counters; c++)
        {
            Assert.Equal(addsEach, await ValueAsync(reopened, new StateKey("counter", $"c{c}")));
        }

        Assert.Equal(hotAdds, await ValueAsync(reopened, new StateKey("hot-counter", "hot")));
        Assert.Equal(counters * addsEach, (await reopened.ReadEventsAsync(0, int.MaxValue, CancellationToken.None)).Count);
    }

    private static async Task<long> ValueAsync(SqliteGrainStore store, StateKey key)
    {
        var stored = await store.ReadStateAsync(key, CancellationToken.None);
        Assert.True(stored is not null, $"No row for {key}.");
        return JsonSerializer.Deserialize<CounterState>(stored.Payload, GroupCommitJson.Options)!.Value;
    }
}
