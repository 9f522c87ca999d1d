using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.OrleansAdoNet.Tests;

/// <summary>Orleans' own ADO.NET grain storage over the tables and queries this project creates, on both dialects.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class GrainStorageTests(PostgresServerFixture postgres)
{
    public static TheoryData<string> Dialects => [ScratchDatabase.Sqlite, ScratchDatabase.PostgreSql];

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task State_written_by_a_grain_is_read_back_by_the_next_silo(string dialect)
    {
        await using var scratch = await ScratchDatabase.CreateAsync(dialect, postgres, GetType());
        await using (var silo = await AdoNetSilo.StartAsync(s => s.AddAdoNetGrainStorageWithTables(AdoNetSilo.StorageName, scratch.Database)))
        {
            var counter = silo.Grains.GetGrain<IAdoNetCounterGrain>("shop-1");
            foreach (var amount in new[] { 5L, 7L, 30L })
            {
                await counter.AddAsync(amount);
            }
        }

        await using (var silo = await AdoNetSilo.StartAsync(s => s.AddAdoNetGrainStorageWithTables(AdoNetSilo.StorageName, scratch.Database)))
        {
            Assert.Equal(42, await silo.Grains.GetGrain<IAdoNetCounterGrain>("shop-1").GetAsync());
            Assert.Equal(43, await silo.Grains.GetGrain<IAdoNetCounterGrain>("shop-1").AddAsync(1));
        }

        // One row, moved one version per write: three in the first silo, one in the second.
        Assert.Equal(1, await scratch.ScalarAsync<int>("SELECT count(*) FROM OrleansStorage"));
        Assert.Equal(4, await scratch.ScalarAsync<int>("SELECT Version FROM OrleansStorage"));
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_write_from_a_stale_version_is_refused_and_changes_nothing(string dialect)
    {
        await using var scratch = await ScratchDatabase.CreateAsync(dialect, postgres, GetType());
        await using var silo = await AdoNetSilo.StartAsync(s => s.AddAdoNetGrainStorageWithTables(AdoNetSilo.StorageName, scratch.Database));
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(AdoNetSilo.StorageName);
        var grain = GrainId.Create("adonet-counter", "fenced");

        var missing = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("state", grain, missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);

        var owner = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync("state", grain, owner);
        Assert.Equal("1", owner.ETag);

        // Another activation that never saw the row tries to create it.
        var newcomer = new GrainState<CounterState>(new CounterState { Value = 100 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("state", grain, newcomer));

        // An activation that read version 1 writes after the owner has moved on to version 2.
        var stale = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("state", grain, stale);
        owner.State = new CounterState { Value = 2 };
        await storage.WriteStateAsync("state", grain, owner);
        stale.State = new CounterState { Value = 200 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("state", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("state", grain, stale));

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("state", grain, read);
        Assert.Equal((2L, "2"), (read.State!.Value, read.ETag));

        // A clear keeps the row at the next version, so the cleared version is fenced too; Orleans reads the
        // payload-less row back as a new state at that version.
        await storage.ClearStateAsync("state", grain, owner);
        Assert.Equal("3", owner.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("state", grain, read));
        var afterClear = new GrainState<CounterState>(new CounterState { Value = -1 });
        await storage.ReadStateAsync("state", grain, afterClear);
        Assert.Equal((0L, "3"), (afterClear.State!.Value, afterClear.ETag));
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Creating_the_tables_again_and_concurrently_keeps_one_copy_of_each_query(string dialect)
    {
        await using var scratch = await ScratchDatabase.CreateAsync(dialect, postgres, GetType());
        var tables = dialect == ScratchDatabase.PostgreSql ? AdoNetTables.Persistence | AdoNetTables.Reminders : AdoNetTables.Persistence;
        await AdoNetSchema.EnsureCreatedAsync(scratch.Database, tables);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AdoNetSchema.EnsureCreatedAsync(scratch.Database, tables)));

        var expected = dialect == ScratchDatabase.PostgreSql ? 3 + 7 : 3;
        Assert.Equal(expected, await scratch.ScalarAsync<int>("SELECT count(*) FROM OrleansQuery"));
        Assert.Equal(expected, await scratch.ScalarAsync<int>("SELECT count(DISTINCT QueryKey) FROM OrleansQuery"));
    }

    [Fact]
    public async Task Reminder_tables_are_refused_on_SQLite_with_a_message_that_names_the_alternative()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(ScratchDatabase.Sqlite, postgres, GetType());
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => AdoNetSchema.EnsureCreatedAsync(scratch.Database, AdoNetTables.Reminders));
        Assert.Contains("UseGroupCommitReminders", error.Message, StringComparison.Ordinal);
    }
}
