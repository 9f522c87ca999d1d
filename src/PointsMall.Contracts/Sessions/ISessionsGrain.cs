namespace PointsMall.Contracts.Sessions;

/// <summary>
/// Who a session belongs to, as the key of its <see cref="ISessionsGrain"/>: <c>member:{member id}</c> or
/// <c>operator:{operator login}</c>. The kind decides the role its access tokens carry.
/// </summary>
public static class SessionKeys
{
    public const string MemberPrefix = "member:";
    public const string OperatorPrefix = "operator:";

    public static string Member(string memberId) => MemberPrefix + memberId;

    public static string Operator(string login) => OperatorPrefix + login;
}

/// <summary>
/// A revoked session: its access tokens are refused from now on, until <see cref="Until"/>, when the last one it issued
/// stops being accepted anyway (already past for a session whose last access token had expired).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RevokedSession([property: Id(0)] string SessionId, [property: Id(1)] DateTimeOffset Until);

/// <summary>
/// A new session. <see cref="RefreshHash"/> is the SHA-256 of its first refresh token (null for a session that has
/// access tokens only, such as an operator's bulk members'); <see cref="AccessExpiresAt"/> is when the access token
/// issued with it expires, clock skew included.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OpenSession(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string? RefreshHash,
    [property: Id(2)] TimeSpan RefreshLifetime,
    [property: Id(3)] DateTimeOffset AccessExpiresAt);

/// <summary>Trades the refresh token hashed as <see cref="PresentedHash"/> for the one hashed as <see cref="NextHash"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record RefreshSession(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string PresentedHash,
    [property: Id(2)] string NextHash,
    [property: Id(3)] TimeSpan RefreshLifetime,
    [property: Id(4)] DateTimeOffset AccessExpiresAt);

public enum RefreshOutcome
{
    /// <summary>The presented token was current: it is spent and the next one takes its place.</summary>
    Rotated,

    /// <summary>No live session with that id (never opened, expired, revoked or evicted), or not that token.</summary>
    Unknown,

    /// <summary>An already rotated token was presented again: the session is revoked (one of its tokens was stolen).</summary>
    Reused,
}

/// <summary>A refresh's outcome, with the sessions it revoked (on reuse) for the caller's node to refuse at once.</summary>
[GenerateSerializer, Immutable]
public sealed record RefreshResult([property: Id(0)] RefreshOutcome Outcome, [property: Id(1)] IReadOnlyList<RevokedSession> Revoked);

/// <summary>
/// The sign-in sessions of one subject (key: <see cref="SessionKeys"/>): each session's id, the hash of its current
/// refresh token and a few rotated ones, when the refresh token and the last access token expire. Bounded: past
/// <c>MaxSessions</c> the oldest session is revoked. Every revocation is also put on <see cref="IRevokedSessionsGrain"/>
/// before the call answers, which is how every API node comes to refuse the session's access tokens.
/// </summary>
[Alias("sessions")]
public interface ISessionsGrain : IGrainWithStringKey
{
    /// <summary>Opens a session; answers the sessions it evicted to stay within bounds (already revoked).</summary>
    Task<IReadOnlyList<RevokedSession>> OpenAsync(OpenSession command);

    Task<RefreshResult> RefreshAsync(RefreshSession command);

    /// <summary>
    /// Revokes one session (a sign-out). Its access tokens are refused at least until <paramref name="accessExpiresAt"/>
    /// (that of the token the caller signed out with), even if this grain no longer held the session.
    /// </summary>
    Task<RevokedSession> RevokeAsync(string sessionId, DateTimeOffset accessExpiresAt);

    /// <summary>
    /// Revokes every session of this subject (a password change, a disabled account, an operator's decision); answers
    /// the sessions that were live.
    /// </summary>
    Task<IReadOnlyList<RevokedSession>> RevokeAllAsync();

    /// <summary>How many live sessions this subject has.</summary>
    Task<int> CountAsync();
}
