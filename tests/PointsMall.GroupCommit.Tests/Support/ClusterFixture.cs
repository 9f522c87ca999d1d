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
            .AddGroupCommitGrainStorage(GrainsUnderTest.Storage, _ => Store)
            .UseGroupCommitReminders(GrainsUnderTest.Storage)
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
