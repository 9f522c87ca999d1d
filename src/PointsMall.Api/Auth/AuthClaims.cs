using System.Security.Claims;

namespace PointsMall.Api.Auth;

/// <summary>
/// The claims an access token (and the dashboard cookie) carries, under their JWT names: inbound claims are not mapped
/// to the long <see cref="ClaimTypes"/> URIs, so what a handler reads is what the token holds.
/// </summary>
public static class AuthClaims
{
    /// <summary>The member id, or the operator's login.</summary>
    public const string Subject = "sub";

    /// <summary><see cref="MemberRole"/> or <see cref="AdminRole"/> (the authorization policies check it).</summary>
    public const string Role = "role";

    /// <summary>The sign-in session: what sign-out and revocation refuse.</summary>
    public const string SessionId = "sid";

    /// <summary>The token's own id.</summary>
    public const string TokenId = "jti";

    /// <summary>An operator's role (<c>super-admin</c>, <c>merchandiser</c>, …): what its permissions are read from.</summary>
    public const string OperatorRole = "orole";

    public const string MemberRole = "member";
    public const string AdminRole = "admin";

    /// <summary>The caller's subject (member id or operator login), or null when anonymous.</summary>
    public static string? SubjectOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(Subject);
    }
}

/// <summary>The clock tokens are issued and checked by: a keyed <see cref="TimeProvider"/>, so tests move it without moving Orleans'.</summary>
public static class AuthClock
{
    public const string Key = "auth";
}
