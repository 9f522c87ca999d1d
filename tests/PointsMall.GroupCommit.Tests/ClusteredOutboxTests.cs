using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PointsMall.GroupCommit.Outbox;
using PointsMall.GroupCommit.Tests.Support;
using PointsMall.Storage;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>
/// The outbox lease as silos wire it: Orleans test clusters over one in-memory store, on the system clock with short
/// intervals. Events are committed straight to the store, so no silo is woken by them: they arrive by the holder's
/// poll. Each step awaits a delivery (bounded, with a message), never a period of time.
/// </summary>
public sealed class ClusteredOutboxTests : IAsyncLifetime
{
    private const string Storage = "outbox-cluster";
    private const string Subscription = "cluster-test";

    private readonly Deliveries _deliveries = new();
    private readonly Lazy<IGrainStore> _store = new(() => new InMemoryGrainStore());
    private InProcessTestCluster? _cluster;

    private IGrainStore Store => _store.Value;

    private InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Of_two_silos_only_the_lease_holder_delivers_and_the_other_takes_over_when_it_is_killed()
    {
        await StartAsync(silos: 2);

        var first = await CommitAsync(3);
        await _deliveries.WhenAsync(first[^1]);
        var holder = await HolderAsync();
        Assert.Contains(holder, Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()));
        Assert.All(_deliveries.Of(first), d => Assert.Equal(holder, d.Silo));

        // No graceful stop: the survivor takes over when the membership declares the holder dead or its lease expires.
        await Cluster.KillSiloAsync(Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == holder));
        var second = await CommitAsync(2);
        await _deliveries.WhenAsync(second[^1]);

        var survivor = Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() != holder).SiloAddress.ToParsableString();
        Assert.All(_deliveries.Of(second), d => Assert.Equal(survivor, d.Silo));
        Assert.Equal(survivor, await HolderAsync());
    }

    [Fact]
    public async Task A_single_silo_takes_the_lease_of_an_earlier_run_at_once()
    {
        // An earlier run of the silo holds the lease for another hour: an older generation on a port of its own (as the
        // crash hosts take free ports), which this cluster's membership does not list as alive. (The process-level case,
        // where that run was SIGKILLed, is in CrashSafetyTests.)
        var earlier = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), 1).ToParsableString();
        var now = DateTimeOffset.UtcNow;
        await Store.AcquireLeaseAsync(new LeaseRequest(OutboxDispatcher.LeasePrefix + Subscription, earlier, now, now.AddHours(1)), CancellationToken.None);

        await StartAsync(silos: 1);
        var events = await CommitAsync(1);
        await _deliveries.WhenAsync(events[^1]);

        Assert.Equal(Cluster.Silos[0].SiloAddress.ToParsableString(), await HolderAsync());
    }

    private async Task StartAsync(int silos)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Services.AddSingleton(_deliveries));
        builder.ConfigureSilo((_, silo) => silo
            .AddGroupCommitGrainStorage(Storage, _ => Store)
            .UseGroupCommitOutbox(Storage, o => (o.PollInterval, o.RenewInterval, o.LeaseDuration) =
                (TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)))
            .AddOutboxSubscription(Subscription, "ct", (services, e, _) =>
            {
                services.GetRequiredService<Deliveries>().Add(services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString(), e.Sequence);
                return Task.CompletedTask;
            }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>Who holds the lease: asked as an outsider whose clock says no lease has expired, so it is never granted.</summary>
    private async Task<string> HolderAsync()
    {
        var lease = await Store.AcquireLeaseAsync(
            new LeaseRequest(OutboxDispatcher.LeasePrefix + Subscription, "outsider", DateTimeOffset.MinValue, DateTimeOffset.MinValue), CancellationToken.None);
        Assert.NotEqual("outsider", lease.Holder);
        return lease.Holder;
    }

    private async Task<long[]> CommitAsync(int count)
    {
        var before = (await Store.ReadEventsAsync(0, 10_000, CancellationToken.None)).Count;
        var events = Enumerable.Range(0, count).Select(_ => new EventAppend("ct/k", "e", Encoding.UTF8.GetBytes("{}"), DateTimeOffset.UtcNow)).ToArray();
        Assert.True((await Store.CommitAsync(new CommitBatch([], events, []), CancellationToken.None)).IsCommitted);
        return [.. (await Store.ReadEventsAsync(0, 10_000, CancellationToken.None)).Skip(before).Select(e => e.Sequence)];
    }

    /// <summary>Which silo delivered which event, shared by the silos of the process.</summary>
    private sealed class Deliveries
    {
        private readonly Lock _lock = new();
        private readonly List<(string Silo, long Sequence)> _seen = [];
        private readonly List<(long Sequence, TaskCompletionSource Done)> _waiters = [];

        public void Add(string silo, long sequence)
        {
            List<TaskCompletionSource> done = [];
            lock (_lock)
            {
                _seen.Add((silo, sequence));
                _waiters.RemoveAll(w =>
                {
                    if (w.Sequence != sequence)
                    {
                        return false;
                    }

                    done.Add(w.Done);
                    return true;
                });
            }

            done.ForEach(d => d.TrySetResult());
        }

        public IReadOnlyList<(string Silo, long Sequence)> Of(IEnumerable<long> sequences)
        {
            lock (_lock)
            {
                return [.. _seen.Where(s => sequences.Contains(s.Sequence))];
            }
        }

        public Task WhenAsync(long sequence)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_seen.Any(s => s.Sequence == sequence))
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((sequence, done));
            }

            return Waits.For(done.Task, $"event {sequence} to be delivered by some silo");
        }
    }
}
