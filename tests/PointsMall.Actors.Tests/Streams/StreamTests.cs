using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.Actors.Tests.Streams;

public sealed class StreamTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Probe _probe = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Events_reach_a_subscription_in_order_per_stream()
    {
        await using var silo = await StartAsync();
        var keys = new[] { "a", "b", "c" };

        var calls = Enumerable.Range(0, 50).SelectMany(_ => keys.Select(k => silo.Grain<ICounterGrain>(k).AddAndPublishAsync(1))).ToArray();
        await Task.WhenAll(calls);
        await _probe.WaitAsync("event", 150);

        foreach (var key in keys)
        {
            Assert.Equal(Enumerable.Range(1, 50).Select(v => (long)v), Delivered(key));
        }
    }

    [Fact]
    public async Task An_implicitly_subscribed_grain_receives_the_events_of_the_stream_with_its_key()
    {
        await using var silo = await StartAsync(b => b.AddImplicitStreamSubscription<ISubscriberGrain>("counter"));
        var counter = silo.Grain<ICounterGrain>("k");
        for (var i = 0; i < 10; i++)
        {
            await counter.AddAndPublishAsync(1);
        }

        await _probe.WaitAsync("received:k", 10);

        Assert.Equal(Enumerable.Range(1, 10).Select(v => (long)v), await silo.Grain<ISubscriberGrain>("k").ReceivedAsync());
    }

    [Fact]
    public async Task Events_published_by_a_turn_that_threw_are_never_delivered()
    {
        await using var silo = await StartAsync();
        var counter = silo.Grain<ICounterGrain>("x");

        await Assert.ThrowsAsync<InvalidOperationException>(() => counter.PublishThenFailAsync(5));
        await counter.AddAndPublishAsync(1);
        await _probe.WaitAsync("event:x:1");

        Assert.Equal([1L], Delivered("x"));
    }

    [Fact]
    public async Task A_subscription_resumes_from_its_durable_checkpoint_after_a_restart()
    {
        await using (var first = await StartAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                await first.Grain<ICounterGrain>("r").AddAndPublishAsync(1);
            }

            await _probe.WaitAsync("event", 5);
        }

        await using (var store = OpenStore())
        {
            var events = await store.ReadEventsAsync(0, 100, CancellationToken.None);
            Assert.Equal(events[^1].Sequence, await store.ReadCheckpointAsync("audit", CancellationToken.None));
        }

        await using var second = await StartAsync();
        await second.Grain<ICounterGrain>("r").AddAndPublishAsync(1);
        await _probe.WaitAsync("event", 6);

        // Nothing before the checkpoint came again.
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), Delivered("r"));
    }

    private IEnumerable<long> Delivered(string key)
        => _probe.Log.Where(l => l.StartsWith($"event:{key}:", StringComparison.Ordinal)).Select(l => long.Parse(l.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture));

    private Task<TestSilo> StartAsync(Action<PointsMall.Actors.Hosting.SiloBuilder>? configure = null)
        => TestSilo.StartAsync(
            OpenStore(),
            probe: _probe,
            configure: b =>
            {
                b.AddStreamSubscription("audit", "counter", (services, streamEvent, _) =>
                {
                    var changed = streamEvent.Deserialize<CounterChanged>();
                    Assert.True(streamEvent.Is<CounterChanged>());
                    _probe.Hit($"event:{changed.Key}:{changed.Value}");
                    _probe.Hit("event");
                    return Task.CompletedTask;
                });
                configure?.Invoke(b);
            });

    private SqliteGrainStore OpenStore() => new(new SqliteGrainStoreOptions { DatabasePath = _directory.File("streams.db") });
}
