using PointsMall.Api.Auth;

namespace PointsMall.Api.Members;

/// <summary>
/// Issues member access tokens without a login (for members an operator provisions, who have no password): the same
/// JWTs a sign-in gives, each in a session of its own that is stored like a sign-in's, so revoking the member's
/// sessions reaches them. They come without a refresh token: the session ends when the token expires.
/// </summary>
public sealed class MemberTokens(SignInSessions sessions, AuthOptions options)
{
    public TimeSpan Lifetime => options.AccessTokenLifetime;

    public Task<string> IssueAsync(string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        return sessions.OpenAccessOnlyAsync(SessionSubject.Member(memberId));
    }
}
