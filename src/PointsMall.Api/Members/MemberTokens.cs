using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;
using PointsMall.Api.Auth;

namespace PointsMall.Api.Members;

/// <summary>
/// Issues member access tokens without a login, exactly as the bearer-token handler would on sign-in (same
/// protector, same ticket scheme, same expiry), so the API accepts them like any other token.
/// </summary>
public sealed class MemberTokens(IOptionsMonitor<BearerTokenOptions> options)
{
    private const string AccessTokenPurpose = ":AccessToken";

    public TimeSpan Lifetime => Options.BearerTokenExpiration;

    private BearerTokenOptions Options => options.Get(BearerTokenDefaults.AuthenticationScheme);

    public string Issue(string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        var current = Options;
        var now = (current.TimeProvider ?? TimeProvider.System).GetUtcNow();
        var properties = new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + current.BearerTokenExpiration };
        var ticket = new AuthenticationTicket(
            AuthEndpoints.Principal(memberId, "member"), properties, BearerTokenDefaults.AuthenticationScheme + AccessTokenPurpose);
        return current.BearerTokenProtector.Protect(ticket);
    }
}
