using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Actors.Tests.Runtime;

public sealed class ActivationLifecycleTests
{
    [Fact]
    public async Task An_idle_activation_is_deactivated_and_the_next_call_reactivates_it_with_its_state()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), time, o =>
        {
            o.IdleTimeout = TimeSpan.FromMinutes(10);
            o.CollectionInterval = TimeSpan.FromMinutes(1);
        });
        var counter = silo.Grain<ICounterGrain>("idle");
        await counter.AddAsync(3);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, silo.Probe.Count("deactivate:idle"));

        time.Advance(TimeSpan.FromMinutes(2));
        await silo.Probe.WaitAsync("deactivate:idle");

        Assert.Equal(3, await counter.GetAsync());
        Assert.Equal(2, silo.Probe.Count("activate:idle"));
    }

    [Fact]
    public async Task A_grain_in_use_is_not_collected()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), time, o =>
        {
            o.IdleTimeout = TimeSpan.FromMinutes(10);
            o.CollectionInterval = TimeSpan.FromMinutes(1);
        });
        var counter = silo.Grain<ICounterGrain>("busy");
        for (var minute = 0; minute < 30; minute++)
        {
            await counter.AddAsync(1);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(0, silo.Probe.Count("deactivate:busy"));
        Assert.Equal(1, silo.Probe.Count("activate:busy"));
    }

    [Fact]
    public async Task Activations_above_the_cap_are_deactivated_least_recently_used_first()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), time, o => o.MaxActivations = 10);
        for (var i = 0; i < 10; i++)
        {
            await silo.Grain<ICounterGrain>($"k{i}").AddAsync(1);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // The eleventh crosses the cap: the collector goes down to 90% of it, oldest first.
        await silo.Grain<ICounterGrain>("k10").AddAsync(1);
        await silo.Probe.WaitAsync($"deactivate:{DeactivationReason.MemoryPressure}", 2);

        Assert.Equal(1, silo.Probe.Count("deactivate:k0"));
        Assert.Equal(1, silo.Probe.Count("deactivate:k1"));
        Assert.Equal(0, silo.Probe.Count("deactivate:k10"));
        Assert.Equal(1, await silo.Grain<ICounterGrain>("k0").GetAsync());
    }

    [Fact]
    public async Task Stopping_the_silo_runs_queued_calls_then_deactivates_every_activation()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        var calls = Enumerable.Range(0, 50).Select(i => silo.Grain<ICounterGrain>($"s{i % 5}").AddAsync(1)).ToArray();

        await silo.StopAsync();

        // Every call queued before the stop was served (none was refused or lost).
        Assert.Equal(10, (await Task.WhenAll(calls)).Max());
        Assert.Equal(5, silo.Probe.Count($"deactivate:{DeactivationReason.Shutdown}"));
        Assert.Equal(0, silo.Silo.ActivationCount);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => silo.Grain<ICounterGrain>("late").AddAsync(1));
    }

    [Fact]
    public async Task Concurrent_and_repeated_stops_share_one_stop()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        await silo.Grain<ICounterGrain>("a").AddAsync(1);

        // Generic hosts stop hosted services and may dispose them right after; both reach the silo.
        await Task.WhenAll(silo.Silo.StopAsync(CancellationToken.None), silo.Silo.StopAsync(CancellationToken.None));
        await silo.Silo.StopAsync(CancellationToken.None);

        Assert.Equal(1, silo.Probe.Count($"deactivate:{DeactivationReason.Shutdown}"));
    }
}
