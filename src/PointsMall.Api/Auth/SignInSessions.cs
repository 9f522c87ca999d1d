using System.Security.Claims;
using PointsMall.Contracts.Operators;
using PointsMall.Contracts.Sessions;

namespace PointsMall.Api.Auth;

/// <summary>What a sign-in, a refresh or the login route answers (the field names clients read).</summary>
public sealed record AccessTokenResponse(string TokenType, string AccessToken, long ExpiresIn, string RefreshToken);

/// <summary>
/// Sign-in sessions: each sign-in opens one in the subject's <see cref="ISessionsGrain"/> (with the hash of its refresh
/// token), a refresh rotates its refresh token, and a revocation ends it everywhere (see <see cref="SessionRevocations"/>).
/// </summary>
public sealed class SignInSessions(IGrainFactory grains, AccessTokens tokens, SessionRevocations revocations)
{
    public const string TokenType = "Bearer";

    private AuthOptions Options => tokens.Options;

    /// <summary>The access token's lifetime in seconds, as <c>expiresIn</c> tells it.</summary>
    public long ExpiresIn => (long)Options.AccessTokenLifetime.TotalSeconds;

    /// <summary>Opens a session with an access token and a refresh token.</summary>
    public async Task<AccessTokenResponse> OpenAsync(SessionSubject subject)
    {
        var sessionId = RefreshTokens.NewSessionId();
        var refresh = RefreshTokens.Create(subject.Key, sessionId);
        var access = tokens.Issue(subject, sessionId);
        revocations.Add(await Sessions(subject).OpenAsync(new OpenSession(sessionId, refresh.Hash, Options.RefreshTokenLifetime, access.AcceptedUntil)));
        return new AccessTokenResponse(TokenType, access.Token, ExpiresIn, refresh.Token);
    }

    /// <summary>
    /// Opens a session with an access token only (no refresh token: when it expires, so does the session); for members
    /// an operator provisions in bulk. Stored like any other, so revoking the member's sessions reaches it.
    /// </summary>
    public async Task<string> OpenAccessOnlyAsync(SessionSubject subject)
    {
        var sessionId = RefreshTokens.NewSessionId();
        var access = tokens.Issue(subject, sessionId);
        revocations.Add(await Sessions(subject).OpenAsync(new OpenSession(sessionId, null, Options.RefreshTokenLifetime, access.AcceptedUntil)));
        return access.Token;
    }

    /// <summary>
    /// A new access token and refresh token for a current refresh token, which is spent; null when the token is not
    /// one (malformed, unknown, expired, revoked). Presenting a spent one revokes its session.
    /// </summary>
    public async Task<AccessTokenResponse?> RefreshAsync(string refreshToken)
    {
        if (!RefreshTokens.TryRead(refreshToken, out var key, out var sessionId, out var hash) || !SessionSubject.TryParse(key, out var subject))
        {
            return null;
        }

        if (subject.IsOperator)
        {
            // The role is read afresh: a disabled operator gets no new token, and a role change (which also revokes
            // every session) never lives on in a renewed one.
            if (await grains.GetGrain<IOperatorGrain>(subject.Id).GetAsync() is not { Disabled: false } account)
            {
                return null;
            }

            subject = subject with { OperatorRole = account.Role };
        }

        var next = RefreshTokens.Create(key, sessionId);
        var access = tokens.Issue(subject, sessionId);
        var result = await Sessions(subject).RefreshAsync(new RefreshSession(sessionId, hash, next.Hash, Options.RefreshTokenLifetime, access.AcceptedUntil));
        revocations.Add(result.Revoked);
        return result.Outcome == RefreshOutcome.Rotated ? new AccessTokenResponse(TokenType, access.Token, ExpiresIn, next.Token) : null;
    }

    /// <summary>Ends the caller's session: its access and refresh tokens stop working on every node.</summary>
    public async Task SignOutAsync(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (SessionSubject.Of(user) is not { } subject || user.FindFirstValue(AuthClaims.SessionId) is not { } sessionId)
        {
            return;
        }

        // Until the token itself stops being accepted, whatever the session's grain knew of it.
        var expires = long.TryParse(user.FindFirstValue("exp"), out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : tokens.Time.GetUtcNow() + Options.AccessTokenLifetime;
        var revoked = await Sessions(subject).RevokeAsync(sessionId, expires + Options.ClockSkew);
        revocations.Add([revoked]);
    }

    /// <summary>Ends every session of the subject; answers how many were live.</summary>
    public async Task<int> RevokeAllAsync(SessionSubject subject)
    {
        var revoked = await Sessions(subject).RevokeAllAsync();
        revocations.Add(revoked);
        return revoked.Count;
    }

    private ISessionsGrain Sessions(SessionSubject subject) => grains.GetGrain<ISessionsGrain>(subject.Key);
}
