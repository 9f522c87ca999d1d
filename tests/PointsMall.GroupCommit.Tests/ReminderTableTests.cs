using PointsMall.GroupCommit.Tests.Support;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>Orleans' reminder table kept in the store's reminder rows.</summary>
[Collection(MemoryCluster.Name)]
public sealed class ReminderTableTests(MemoryClusterFixture cluster) : IDisposable
{
    public void Dispose() => cluster.Store.Reset();

    private StoreReminderTable Table => new(cluster.Storage, ClusterFixture.ReminderRetry);

    [Fact]
    public async Task A_row_reads_back_by_grain_and_by_name_and_a_stale_etag_cannot_remove_it()
    {
        var grain = GrainId.Create("order", $"o-{Guid.NewGuid():n}");
        var start = new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
        var first = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = start, Period = TimeSpan.FromMinutes(1) });
        var second = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = start.AddMinutes(15), Period = TimeSpan.FromMinutes(1) });

        var row = await Table.ReadRow(grain, "deadline");
        Assert.NotNull(row);
        Assert.Equal((start.AddMinutes(15), TimeSpan.FromMinutes(1), second), (row.StartAt, row.Period, row.ETag));
        Assert.Single((await Table.ReadRows(grain)).Reminders);

        Assert.False(await Table.RemoveRow(grain, "deadline", first!));
        Assert.NotNull(await Table.ReadRow(grain, "deadline"));
        Assert.True(await Table.RemoveRow(grain, "deadline", second!));
        Assert.Null(await Table.ReadRow(grain, "deadline"));
    }

    [Fact]
    public async Task A_ring_range_holds_exactly_the_grains_whose_hash_falls_in_it_wrapping_included()
    {
        var grains = Enumerable.Range(0, 50).Select(i => GrainId.Create("member", $"m-{i}-{Guid.NewGuid():n}")).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "expiry", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(1) });
        }

        const uint middle = uint.MaxValue / 2;
        var low = (await Table.ReadRows(0, middle)).Reminders.Select(r => r.GrainId).ToHashSet();
        var wrapped = (await Table.ReadRows(middle, 0)).Reminders.Select(r => r.GrainId).ToHashSet();

        Assert.Equal(grains.Where(g => g.GetUniformHashCode() is > 0 and <= middle).ToHashSet(), low.Intersect(grains).ToHashSet());
        Assert.Equal(grains.Where(g => g.GetUniformHashCode() is > middle or 0).ToHashSet(), wrapped.Intersect(grains).ToHashSet());
    }
}
