using Microsoft.Extensions.DependencyInjection;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.OrleansAdoNet.Tests;

/// <summary>Orleans' own ADO.NET reminder table on PostgreSQL, over the table and queries this project creates.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class ReminderTableTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Reminder_rows_round_trip_with_their_versions_and_hash_ranges()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(ScratchDatabase.PostgreSql, postgres, GetType());
        await using var silo = await AdoNetSilo.StartAsync(s => s.UseAdoNetRemindersWithTables(scratch.Database));
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var grain = GrainId.Create("order", "o-1");
        var start = new DateTime(2026, 12, 7, 1, 2, 3, 456, DateTimeKind.Utc);

        var etag = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "payment-deadline", StartAt = start, Period = TimeSpan.FromMinutes(15) });
        var moved = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "payment-deadline", StartAt = start.AddMinutes(1), Period = TimeSpan.FromMinutes(15) });
        await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "auto-complete", StartAt = start, Period = TimeSpan.FromDays(30) });
        Assert.NotNull(etag);
        Assert.NotNull(moved);
        Assert.NotEqual(etag, moved);

        var row = await table.ReadRow(grain, "payment-deadline");
        Assert.NotNull(row);
        Assert.Equal((start.AddMinutes(1), TimeSpan.FromMinutes(15), moved), (row.StartAt.ToUniversalTime(), row.Period, row.ETag));
        Assert.Equal(["auto-complete", "payment-deadline"], (await table.ReadRows(grain)).Reminders.Select(r => r.ReminderName).Order());

        // The ring range that holds the grain's hash finds it, wrapping around or not; the rest of the ring does not.
        var hash = grain.GetUniformHashCode();
        Assert.Equal(2, (await table.ReadRows(hash - 1, hash)).Reminders.Count);
        Assert.Equal(2, (await table.ReadRows(unchecked(hash + 1000), hash)).Reminders.Count);
        Assert.Empty((await table.ReadRows(hash, unchecked(hash + 1000))).Reminders);

        Assert.False(await table.RemoveRow(grain, "payment-deadline", etag));
        Assert.True(await table.RemoveRow(grain, "payment-deadline", moved));
        Assert.Null(await table.ReadRow(grain, "payment-deadline"));
        Assert.Single((await table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task A_grain_registers_and_finds_its_reminder_through_Orleans_reminder_service()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(ScratchDatabase.PostgreSql, postgres, GetType());
        await using var silo = await AdoNetSilo.StartAsync(s => s.UseAdoNetRemindersWithTables(scratch.Database));

        var grain = silo.Grains.GetGrain<IReminderOwnerGrain>("owner-1");
        await grain.RegisterAsync("sweep", TimeSpan.FromHours(1));

        Assert.Equal(["sweep"], await grain.NamesAsync());
        Assert.Equal(1, await scratch.ScalarAsync<int>("SELECT count(*) FROM OrleansRemindersTable WHERE ReminderName = 'sweep'"));
        await grain.UnregisterAsync("sweep");
        Assert.Empty(await grain.NamesAsync());
    }
}
