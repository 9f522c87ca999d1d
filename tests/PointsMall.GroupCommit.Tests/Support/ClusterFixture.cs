using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PointsMall.GroupCommit.Tests.Grains;
using PointsMall.Storage;
using Xunit;

namespace PointsMall.GroupCommit.Tests.Support;

/// <summary>
/// One Orleans silo in process (Orleans' test cluster) whose grain storage is the group-commit storage over
/// <paramref name="store"/>, wrapped in a <see cref="ControlledStore"/>; the test grains report to <see cref="Probe"/>.
/// </summary>
public class ClusterFixture(Func<IGrainStore> store) : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    /// <summary>Orleans' minimum reminder period here: the retry period of a one-shot reminder, and so the delay of one already due.</summary>
    public static readonly TimeSpan ReminderRetry = TimeSpan.FromSeconds(2);

    public ControlledStore Store { get; } = new(store());

    public Probe Probe { get; } = new();

    public IClusterClient Client => (_cluster ?? throw new InvalidOperationException("The cluster is not started.")).Client;

    public GroupCommitGrainStorage Storage =>
        (GroupCommitGrainStorage)_cluster!.GetSiloServiceProvider().GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(GrainsUnderTest.Storage);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Services.AddSingleton(Probe));
        builder.ConfigureSilo((_, silo) => silo
            .Configure<ReminderOptions>(o => o.MinimumReminderPeriod = ReminderRetry)
            .AddGroupCommitGrainStorage(GrainsUnderTest.Storage, _ => Store)
            .UseGroupCommitReminders(GrainsUnderTest.Storage, refreshPeriod: TimeSpan.FromSeconds(1))
            .UseGroupCommitOutbox(GrainsUnderTest.Storage)
            .AddOutboxSubscription("test-turns", TurnGrain.Stream, (services, e, _) =>
            {
                services.GetRequiredService<Probe>().Delivered(e.Stream.Key, e.Sequence);
                return Task.CompletedTask;
            }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        Storage.WriteQueued = key => Probe.Queued(key.Key);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The cluster over the in-memory store, shared by the tests of one collection (each uses its own keys).</summary>
public sealed class MemoryClusterFixture() : ClusterFixture(() => new InMemoryGrainStore());

[CollectionDefinition(Name)]
public sealed class MemoryCluster : ICollectionFixture<MemoryClusterFixture>
{
    public const string Name = "group commit over the in-memory store";
}
