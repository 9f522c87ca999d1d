using Microsoft.Extensions.DependencyInjection;
using System.Collections.Immutable;
using PointsMall.Contracts.Sessions;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Sessions;

public sealed record SessionsState
{
    /// <summary>Oldest first.</summary>
    public ImmutableList<SessionEntry> Sessions { get; init; } = [];
}

/// <summary>
/// One session: the hash of its current refresh token (null when it has access tokens only), the hashes of the last
/// few it rotated away (newest first, to recognise one presented again), and when its refresh token and its last
/// access token expire.
/// </summary>
public sealed record SessionEntry
{
    public required string Id { get; init; }

    public string? RefreshHash { get; init; }

    public ImmutableList<string> Rotated { get; init; } = [];

    public DateTimeOffset RefreshExpiresAt { get; init; }

    public DateTimeOffset AccessExpiresAt { get; init; }

    /// <summary>Nothing it issued can be used any more: it can be forgotten without a revocation.</summary>
    public bool IsDeadAt(DateTimeOffset now) => now >= RefreshExpiresAt && now >= AccessExpiresAt;
}

/// <summary>
/// A subject's sign-in sessions (key: <see cref="SessionKeys"/>). Refresh tokens are stored as SHA-256 hashes only.
/// Every revocation (sign-out, revoke-all, a rotated token presented again, eviction past <see cref="MaxSessions"/>)
/// removes the session and, when its last access token may still be live, puts it on the cluster's revocation list
/// before answering: the list is what API nodes check each request against.
/// </summary>
[GrainType("sessions")]
public sealed class SessionsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<SessionsState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, ISessionsGrain
{
    /// <summary>Sessions kept per subject (devices, tabs); opening one more revokes the oldest.</summary>
    public const int MaxSessions = 32;

    /// <summary>Rotated refresh-token hashes kept per session to recognise reuse; an older one is just unknown.</summary>
    public const int MaxRotated = 8;

    public async Task<IReadOnlyList<RevokedSession>> OpenAsync(OpenSession command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.SessionId);
        var now = time.GetUtcNow();
        var sessions = Live(now);
        if (sessions.Exists(s => s.Id == command.SessionId))
        {
            // A retried call: the session is already open.
            return [];
        }

        var evicted = new List<SessionEntry>();
        while (sessions.Count >= MaxSessions)
        {
            evicted.Add(sessions[0]);
            sessions = sessions.RemoveAt(0);
        }

        sessions = sessions.Add(new SessionEntry
        {
            Id = command.SessionId,
            RefreshHash = command.RefreshHash,
            RefreshExpiresAt = command.RefreshHash is null ? command.AccessExpiresAt : now + command.RefreshLifetime,
            AccessExpiresAt = command.AccessExpiresAt,
        });
        state.State = state.State with { Sessions = sessions };
        return await RevokeListedAsync(evicted, now);
    }

    public async Task<RefreshResult> RefreshAsync(RefreshSession command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var sessions = Live(now);
        var index = sessions.FindIndex(s => s.Id == command.SessionId);
        if (index < 0 || sessions[index] is not { RefreshHash: { } current } session)
        {
            Forget(sessions);
            return new RefreshResult(RefreshOutcome.Unknown, []);
        }

        if (current == command.NextHash && session.Rotated.FirstOrDefault() == command.PresentedHash)
        {
            // The same refresh again (its answer was lost on the way): its rotation already happened.
            return new RefreshResult(RefreshOutcome.Rotated, []);
        }

        if (session.Rotated.Contains(command.PresentedHash))
        {
            // A spent token came back: whoever holds the session's tokens, one of them is not its owner.
            state.State = state.State with { Sessions = sessions.RemoveAt(index) };
            return new RefreshResult(RefreshOutcome.Reused, await RevokeListedAsync([session], now));
        }

        if (current != command.PresentedHash || now >= session.RefreshExpiresAt)
        {
            Forget(sessions);
            return new RefreshResult(RefreshOutcome.Unknown, []);
        }

        var rotated = session.Rotated.Insert(0, current);
        state.State = state.State with
        {
            Sessions = sessions.SetItem(index, session with
            {
                RefreshHash = command.NextHash,
                Rotated = rotated.Count > MaxRotated ? rotated.RemoveRange(MaxRotated, rotated.Count - MaxRotated) : rotated,
                RefreshExpiresAt = now + command.RefreshLifetime,
                AccessExpiresAt = command.AccessExpiresAt > session.AccessExpiresAt ? command.AccessExpiresAt : session.AccessExpiresAt,
            }),
        };
        return new RefreshResult(RefreshOutcome.Rotated, []);
    }

    public async Task<RevokedSession> RevokeAsync(string sessionId, DateTimeOffset accessExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var now = time.GetUtcNow();
        var sessions = Live(now);
        var index = sessions.FindIndex(s => s.Id == sessionId);
        if (index < 0)
        {
            // Not (or no longer) held here; listed all the same, so the token it was asked with is refused.
            Forget(sessions);
            return (await RevokeListedAsync([new SessionEntry { Id = sessionId, AccessExpiresAt = accessExpiresAt }], now))[0];
        }

        var session = sessions[index];
        state.State = state.State with { Sessions = sessions.RemoveAt(index) };
        var until = accessExpiresAt > session.AccessExpiresAt ? accessExpiresAt : session.AccessExpiresAt;
        return (await RevokeListedAsync([session with { AccessExpiresAt = until }], now))[0];
    }

    public async Task<IReadOnlyList<RevokedSession>> RevokeAllAsync()
    {
        var now = time.GetUtcNow();
        var sessions = Live(now);
        if (!state.State.Sessions.IsEmpty)
        {
            state.State = state.State with { Sessions = [] };
        }

        return await RevokeListedAsync(sessions, now);
    }

    public Task<int> CountAsync() => Task.FromResult(Live(time.GetUtcNow()).Count);

    /// <summary>The sessions something they issued may still be used with.</summary>
    private ImmutableList<SessionEntry> Live(DateTimeOffset now) => state.State.Sessions.RemoveAll(s => s.IsDeadAt(now));

    /// <summary>Drops dead sessions from the state, on calls that change nothing else (written only if any were dropped).</summary>
    private void Forget(ImmutableList<SessionEntry> live)
    {
        if (live.Count != state.State.Sessions.Count)
        {
            state.State = state.State with { Sessions = live };
        }
    }

    /// <summary>
    /// Puts the sessions whose access tokens may still be live on the cluster's revocation list, before the call
    /// answers; answers all of them, each with when its last access token stops being accepted.
    /// </summary>
    private async Task<IReadOnlyList<RevokedSession>> RevokeListedAsync(IReadOnlyCollection<SessionEntry> sessions, DateTimeOffset now)
    {
        var revoked = sessions.Select(s => new RevokedSession(s.Id, s.AccessExpiresAt)).ToList();
        var live = revoked.Where(r => r.Until > now).ToList();
        if (live.Count > 0)
        {
            await GrainFactory.GetGrain<IRevokedSessionsGrain>(IRevokedSessionsGrain.Key).AddAsync(live);
        }

        return revoked;
    }
}
