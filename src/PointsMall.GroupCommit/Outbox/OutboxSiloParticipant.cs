namespace PointsMall.GroupCommit.Outbox;

/// <summary>Runs the outbox dispatcher while the silo is active, woken by the silo's own commits that carried events.</summary>
internal sealed class OutboxSiloParticipant(GroupCommitGrainStorage storage, OutboxDispatcher dispatcher) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(OutboxDispatcher), ServiceLifecycleStage.Active, _ => Start(), StopAsync);
    }

    /// <summary>
    /// Whether a lease holder (a silo address) is gone: dead by the membership, or not in it at all while older than
    /// this silo: an earlier run (with localhost clustering each run has a membership of its own), or a silo long
    /// removed from the table. A younger unknown holder is a silo that joined after this one's last look at the table:
    /// alive. So two silos never take a lease from each other in turn; and a wrong verdict costs at most a redelivered
    /// page, since the checkpoint write is fenced.
    /// </summary>
    internal static bool IsGone(IClusterMembershipService membership, SiloAddress self, string holder)
    {
        SiloAddress address;
        try
        {
            address = SiloAddress.FromParsableString(holder);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }

        return membership.CurrentSnapshot.GetSiloStatus(address) switch
        {
            SiloStatus.Dead => true,
            SiloStatus.None => address.Generation < self.Generation,
            _ => false,
        };
    }

    private Task Start()
    {
        storage.EventsCommitted += dispatcher.Wake;
        dispatcher.Start();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        storage.EventsCommitted -= dispatcher.Wake;
        await dispatcher.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
