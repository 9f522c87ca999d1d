namespace PointsMall.Contracts.Sessions;

/// <summary>
/// What an API node has not seen yet: the revocations after the version it gave, or, when <see cref="Complete"/>, the
/// whole list (the node had none yet, or a version of another <see cref="Epoch"/>), which replaces what it holds.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RevocationChanges(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] IReadOnlyList<RevokedSession> Sessions,
    [property: Id(3)] bool Complete);

/// <summary>
/// The cluster's list of revoked sessions whose access tokens may still be live (key: <see cref="Key"/>). Sessions
/// grains add to it; every API node reads what changed since its last look, at most every
/// <c>Auth:RevocationRefresh</c>. An entry is dropped once its <see cref="RevokedSession.Until"/> has passed, so the
/// list holds only the revocations of the last access-token lifetime.
/// </summary>
[Alias("revoked-sessions")]
public interface IRevokedSessionsGrain : IGrainWithStringKey
{
    public const string Key = "all";

    Task AddAsync(IReadOnlyList<RevokedSession> sessions);

    /// <summary>The revocations after <paramref name="version"/> of <paramref name="epoch"/> (version 0: all of them).</summary>
    Task<RevocationChanges> GetChangesAsync(string? epoch, long version);
}
