using Microsoft.Extensions.DependencyInjection;
using System.Collections.Immutable;
using PointsMall.Contracts.Sessions;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Sessions;

public sealed record RevokedSessionsState
{
    /// <summary>Chosen when the list is first written: a node holding another list's version starts over.</summary>
    public string Epoch { get; init; } = "";

    public long Version { get; init; }

    /// <summary>In the order they were added (ascending <see cref="RevokedEntry.Version"/>).</summary>
    public ImmutableList<RevokedEntry> Entries { get; init; } = [];
}

public sealed record RevokedEntry(string SessionId, DateTimeOffset Until, long Version);

/// <summary>
/// The cluster's revoked sessions whose access tokens may still be live (key: <see cref="IRevokedSessionsGrain.Key"/>).
/// Each addition gets the next version; API nodes ask for what came after the version they hold. Entries are dropped
/// once their <c>Until</c> has passed, so the list is as long as one access-token lifetime's revocations.
/// </summary>
[GrainType("revoked-sessions")]
public sealed class RevokedSessionsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<RevokedSessionsState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, IRevokedSessionsGrain
{
    public Task AddAsync(IReadOnlyList<RevokedSession> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var now = time.GetUtcNow();
        var current = state.State;
        var version = current.Version;
        var entries = current.Entries.RemoveAll(e => e.Until <= now)
            .AddRange(sessions.Where(s => s.Until > now).Select(s => new RevokedEntry(s.SessionId, s.Until, ++version)));
        state.State = current with
        {
            Epoch = current.Epoch.Length > 0 ? current.Epoch : Guid.NewGuid().ToString("n"),
            Version = version,
            Entries = entries,
        };
        return Task.CompletedTask;
    }

    public Task<RevocationChanges> GetChangesAsync(string? epoch, long version)
    {
        var now = time.GetUtcNow();
        var current = state.State;
        var complete = version <= 0 || version > current.Version || !string.Equals(epoch, current.Epoch, StringComparison.Ordinal);
        var changes = current.Entries
            .Where(e => (complete || e.Version > version) && e.Until > now)
            .Select(e => new RevokedSession(e.SessionId, e.Until))
            .ToList();
        return Task.FromResult(new RevocationChanges(current.Epoch, current.Version, changes, complete));
    }
}
