using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Actors.Tests.Diagnostics;

/// <summary>The runtime's instruments (meter PointsMall.Actors) report what the silo really did.</summary>
public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task Calls_activations_and_deactivations_are_counted_and_resident_activations_are_observed()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), options: o => o.IdleTimeout = TimeSpan.FromMinutes(10));
        using var metrics = new MetricRecorder(silo.Silo.Statistics.Meter);

        await silo.Grain<ICounterGrain>("a").AddAsync(1);
        await silo.Grain<ICounterGrain>("a").AddAsync(1);
        await silo.Grain<ICounterGrain>("a").GetAsync();
        await silo.Grain<ICounterGrain>("b").AddAsync(1);

        Assert.Equal(4, metrics.Sum("pointsmall.actors.calls"));
        Assert.Equal(2, metrics.Sum("pointsmall.actors.activations.created"));
        Assert.Equal(2, metrics.Observe("pointsmall.actors.activations"));

        await silo.StopAsync();

        Assert.Equal(2, metrics.Sum("pointsmall.actors.deactivations", "reason", "shutdown"));
        Assert.Equal(0, metrics.Observe("pointsmall.actors.activations"));
        Assert.Equal(2, silo.Silo.Statistics.Deactivations);
    }

    [Fact]
    public async Task Group_commit_reports_rows_per_batch_and_commit_latency()
    {
        var store = new GatedStore(new InMemoryGrainStore());
        await using var silo = await TestSilo.StartAsync(store);
        using var metrics = new MetricRecorder(silo.Silo.Statistics.Meter);

        // One write held in flight while three other grains change: those three form the next batch.
        var gate = store.HoldNextCommit();
        var first = silo.Grain<ICounterGrain>("first").AddAsync(1);
        await gate.Arrived;
        var next = new[] { "x", "y", "z" }.Select(k => silo.Grain<ICounterGrain>(k).AddAsync(1)).ToList();
        foreach (var key in new[] { "x", "y", "z" })
        {
            _ = silo.Grain<ICounterGrain>(key).ProbeAsync($"queued:{key}");
            await silo.Probe.WaitAsync($"queued:{key}");
        }

        gate.Open();
        await first;
        await Task.WhenAll(next);

        Assert.Equal([1d, 3d], metrics.Values("pointsmall.actors.commit.batch_size"));
        var latencies = metrics.Values("pointsmall.actors.commit.duration");
        Assert.Equal(2, latencies.Count);
        Assert.All(latencies, ms => Assert.True(ms is >= 0 and < 60_000, $"commit latency {ms} ms is not a plausible duration"));
    }

    [Fact]
    public async Task A_failed_commit_and_a_fenced_write_are_counted()
    {
        var inner = new InMemoryGrainStore();
        var store = new FailingStore(inner);
        await using var silo = await TestSilo.StartAsync(store);
        using var metrics = new MetricRecorder(silo.Silo.Statistics.Meter);
        var counter = silo.Grain<ICounterGrain>("fenced");
        await counter.AddAsync(1);

        store.FailNextCommit();
        await Assert.ThrowsAsync<StorageCommitException>(() => counter.AddAsync(1));
        Assert.Equal(1, metrics.Sum("pointsmall.actors.commit.failures"));

        // Another writer moves the row on behind the (reloaded) activation's back.
        Assert.Equal(1, await counter.GetAsync());
        var id = new GrainId("counter", "fenced");
        var stored = await inner.ReadStateAsync(id, CancellationToken.None);
        var result = await inner.CommitAsync(new CommitBatch([new StateWrite(id, stored!.Version, stored.Version + 1, """{"value":500}"""u8.ToArray())], [], []), CancellationToken.None);
        Assert.True(result.IsCommitted);

        await Assert.ThrowsAsync<VersionConflictException>(() => counter.AddAsync(1));
        Assert.Equal(1, metrics.Sum("pointsmall.actors.commit.version_conflicts"));
        Assert.Equal(1, silo.Silo.Statistics.VersionConflicts);
    }

    [Fact]
    public async Task Calls_failed_by_the_watchdog_are_counted_by_grain_type()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), time, o => o.CallTimeout = TimeSpan.FromSeconds(5));
        using var metrics = new MetricRecorder(silo.Silo.Statistics.Meter);
        var slow = silo.Grain<ISlowGrain>("s");

        var held = slow.HoldAsync("release-metrics");
        await silo.Probe.WaitAsync("holding:release-metrics");
        var queued = slow.PingAsync();
        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => held);
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => queued);

        Assert.Equal(2, metrics.Sum("pointsmall.actors.calls.timeouts", "grain.type", "slow"));
        Assert.Equal(2, silo.Silo.Statistics.CallTimeouts);
        silo.Probe.Gate("release-metrics").SetResult();
    }
}
