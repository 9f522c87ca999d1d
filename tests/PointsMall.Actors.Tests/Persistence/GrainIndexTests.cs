using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.Actors.Tests.Persistence;

/// <summary>Grain indexes: entries go to storage in the turn's batch, so a query never sees the index behind the grain.</summary>
public sealed class GrainIndexTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_acknowledged_change_is_in_the_index_at_once_and_survives_a_restart()
    {
        var path = _directory.File("index.db");
        await using (var silo = await TestSilo.StartAsync(new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = path })))
        {
            await silo.Grain<ILabelGrain>("a").LabelAsync("red");
            await silo.Grain<ILabelGrain>("b").LabelAsync("red");
            await silo.Grain<ILabelGrain>("b").LabelAsync("red");
            await silo.Grain<ILabelGrain>("c").LabelAsync("blue");

            Assert.Equal(["b", "a"], await silo.Grain<ILabelGrain>("reader").FindAsync("red"));
        }

        await using var restarted = await TestSilo.StartAsync(new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = path }));
        Assert.Equal(["c"], await restarted.Grain<ILabelGrain>("reader").FindAsync("blue"));
        await restarted.Grain<ILabelGrain>("a").UnlabelAsync();
        Assert.Equal(["b"], await restarted.Grain<ILabelGrain>("reader").FindAsync("red"));
    }

    [Fact]
    public async Task A_turn_that_throws_leaves_no_index_entry()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());

        await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grain<ILabelGrain>("a").LabelThenFailAsync("green"));

        Assert.Empty(await silo.Grain<ILabelGrain>("reader").FindAsync("green"));
    }

    [Fact]
    public async Task Many_changes_of_one_entry_in_flight_together_leave_the_last_one()
    {
        var store = new InMemoryGrainStore();
        await using var silo = await TestSilo.StartAsync(store);
        var grain = silo.Grain<ILabelGrain>("busy");

        var replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => grain.LabelAsync(i == 499 ? "last" : "earlier")));

        var page = await store.QueryIndexAsync(new IndexQuery(LabelGrain.Index), CancellationToken.None);
        var row = Assert.Single(page.Rows);
        Assert.Equal((500L, "last"), (replies.Max(), row.Tag));
        Assert.Equal(500, row.SortKey);
    }
}
