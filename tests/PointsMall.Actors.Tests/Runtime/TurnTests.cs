using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Actors.Tests.Runtime;

public sealed class TurnTests
{
    [Fact]
    public async Task Concurrent_callers_on_one_grain_never_overlap_inside_it_and_run_in_arrival_order()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        var grain = silo.Grain<ISerialGrain>("one");

        // Issued from one thread without awaiting, so arrival order is the loop order; each turn yields
        // twice inside, so a second turn would start if the runtime let it.
        var calls = Enumerable.Range(0, 10_000).Select(grain.EnterAsync).ToArray();
        var outOfOrder = await Task.WhenAll(calls);

        Assert.Equal(0, silo.Probe.Overlaps);
        Assert.Equal(0, outOfOrder.Max());
    }

    [Fact]
    public async Task Callers_on_many_threads_never_overlap_inside_one_grain()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        var grain = silo.Grain<ISerialGrain>("shared");
        using var start = new Barrier(4);

        var callers = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 2_000; i++)
            {
                await grain.EnterAsync(0);
            }
        }));
        await Task.WhenAll(callers);

        Assert.Equal(0, silo.Probe.Overlaps);
    }

    [Fact]
    public async Task An_exception_thrown_by_a_grain_reaches_the_caller_and_its_changes_are_discarded()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        var counter = silo.Grain<ICounterGrain>("c");
        await counter.AddAsync(5);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.AddThenFailAsync(100));

        Assert.Equal("refused after changing state", thrown.Message);
        Assert.Equal(5, await counter.GetAsync());
        Assert.Equal(6, await counter.AddAsync(1));
        Assert.Equal(1, silo.Probe.Count("activate:c"));
    }

    [Fact]
    public async Task A_grain_calls_another_grain()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());

        var value = await silo.Grain<IForwarderGrain>("f").AddToCounterAsync("target", 7);

        Assert.Equal(7, value);
        Assert.Equal(7, await silo.Grain<ICounterGrain>("target").GetAsync());
    }

    [Fact]
    public async Task A_call_not_answered_in_time_fails_with_an_exception_naming_the_grain_and_method()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), time, o => o.CallTimeout = TimeSpan.FromSeconds(5));
        var slow = silo.Grain<ISlowGrain>("s");

        var held = slow.HoldAsync("release");
        await silo.Probe.WaitAsync("holding:release");
        var queued = slow.PingAsync();
        time.Advance(TimeSpan.FromSeconds(5));

        var timeout = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => held);
        Assert.Contains("slow/s", timeout.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ISlowGrain.HoldAsync), timeout.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => queued);

        // The activation is not dead: once its turn ends it serves the next caller.
        silo.Probe.Gate("release").SetResult();
        Assert.Equal("pong", await slow.PingAsync());
    }

    [Fact]
    public async Task A_grain_whose_state_type_is_mutable_is_refused_when_the_silo_is_built()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSilo.StartAsync(
            new InMemoryGrainStore(),
            configure: b => b.AddGrain<IMutableStateGrain, MutableStateGrain>()));

        Assert.Contains("must be immutable", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MutableState.Items), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_to_a_grain_type_the_silo_does_not_host_fails_clearly()
    {
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grain<IMutableStateGrain>("x").AddAsync(1));
        Assert.Contains("mutable-state", error.Message, StringComparison.Ordinal);
    }
}
