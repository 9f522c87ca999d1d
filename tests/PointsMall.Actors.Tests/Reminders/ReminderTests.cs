using System.Globalization;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Storage.Sqlite;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Actors.Tests.Reminders;

public sealed class ReminderTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_one_shot_reminder_fires_once_at_its_due_time_and_is_then_removed()
    {
        await using var silo = await StartAsync();
        var grain = silo.Grain<IReminderGrain>("order-1");
        var due = _time.GetUtcNow().AddMinutes(10);
        await grain.SetAsync("payment-deadline", due, null);

        _time.Advance(TimeSpan.FromMinutes(10));
        await silo.Probe.WaitAsync("reminder:order-1:payment-deadline");
        _time.Advance(TimeSpan.FromHours(2));

        // A read is answered only after the reminder's turn (and its acknowledgement) is durable.
        var fired = Assert.Single(await grain.FiredAsync());
        var parts = fired.Split('|');
        Assert.Equal(due, DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture));
        Assert.True(DateTimeOffset.Parse(parts[2], CultureInfo.InvariantCulture) >= due, "fired before it was due");
        await using var store = OpenStore();
        Assert.Empty(await store.ReadRemindersAsync(new GrainId("reminder", "order-1"), CancellationToken.None));
    }

    [Fact]
    public async Task Reminders_fire_after_a_restart_and_reactivate_their_grain()
    {
        var due = _time.GetUtcNow().AddHours(1);
        await using (var first = await StartAsync())
        {
            await first.Grain<IReminderGrain>("member-7").SetAsync("points-expiry", due, null);
        }

        await using var second = await StartAsync();
        Assert.Equal(0, second.Silo.ActivationCount);

        _time.Advance(TimeSpan.FromHours(1));
        await second.Probe.WaitAsync("reminder:member-7:points-expiry");

        Assert.Single(await second.Grain<IReminderGrain>("member-7").FiredAsync());
    }

    [Fact]
    public async Task A_periodic_reminder_fires_every_period_until_it_is_removed()
    {
        await using var silo = await StartAsync();
        var grain = silo.Grain<IReminderGrain>("auto-complete");
        await grain.SetAsync("sweep", _time.GetUtcNow().AddMinutes(1), TimeSpan.FromMinutes(1));

        for (var n = 1; n <= 3; n++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await silo.Probe.WaitAsync("reminder:auto-complete:sweep", n);
            Assert.Equal(n, (await grain.FiredAsync()).Count);
        }

        await grain.RemoveAsync("sweep");
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(3, (await grain.FiredAsync()).Count);
        await using var store = OpenStore();
        Assert.Empty(await store.ReadRemindersAsync(new GrainId("reminder", "auto-complete"), CancellationToken.None));
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_of_the_activation()
    {
        await using var silo = await StartAsync();
        var grain = silo.Grain<ITimerGrain>("t");
        await grain.StartTimerAsync(TimeSpan.FromSeconds(1));

        for (var n = 1; n <= 3; n++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await silo.Probe.WaitAsync("tick:t", n);
        }

        Assert.Equal(3, await grain.TicksAsync());
        Assert.Equal(0, silo.Probe.Overlaps);
    }

    private Task<TestSilo> StartAsync() => TestSilo.StartAsync(OpenStore(), _time);

    private SqliteGrainStore OpenStore() => new(new SqliteGrainStoreOptions { DatabasePath = _directory.File("reminders.db") });
}
