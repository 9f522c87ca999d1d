using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PointsMall.Api.Auth;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>JWT access tokens: what a sign-in gives, what the API accepts and what it refuses, by the auth clock.</summary>
public sealed class AccessTokenTests(ClockedApi host) : IClassFixture<ClockedApi>
{
    private AccessTokens Tokens => host.Api.Services.GetRequiredService<AccessTokens>();

    [Fact]
    public async Task A_sign_in_gives_a_short_lived_bearer_access_token_and_a_refresh_token_and_the_access_token_works()
    {
        var (memberId, phone) = await host.Api.RegisterAsync();

        var pair = await host.Api.SignInAsync(phone, AuthKit.MemberPassword);

        Assert.Equal("Bearer", pair.TokenType);
        Assert.Equal(15 * 60, pair.ExpiresIn);
        Assert.NotEmpty(pair.RefreshToken);
        var jwt = new JsonWebToken(pair.AccessToken);
        Assert.Equal(("HS256", memberId, "member"), (jwt.Alg, jwt.Subject, jwt.GetClaim("role").Value));
        Assert.False(string.IsNullOrEmpty(jwt.GetClaim("sid").Value));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds() + pair.ExpiresIn, jwt.GetPayloadValue<long>("exp"));
        var me = await host.Api.MeAsync(pair.AccessToken);
        await ApiFactory.EnsureAsync(me, "read /me");
    }

    [Fact]
    public async Task An_access_token_is_accepted_until_its_expiry_plus_the_clock_skew_and_refused_after()
    {
        var (_, phone) = await host.Api.RegisterAsync();
        var pair = await host.Api.SignInAsync(phone, AuthKit.MemberPassword);
        var options = host.Api.Services.GetRequiredService<AuthOptions>();

        host.Clock.Advance(options.AccessTokenLifetime + options.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await host.Api.MeAsync(pair.AccessToken)).StatusCode);

        host.Clock.Advance(TimeSpan.FromSeconds(2));
        var expired = await host.Api.MeAsync(pair.AccessToken);

        await AuthKit.UnauthorizedAsync(expired);
        Assert.Contains("invalid_token", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_token_carries_the_admin_role_and_a_member_token_does_not_open_admin_routes()
    {
        var admin = await host.Api.SignInAsync("admin", ApiFactory.AdminPassword);
        var (_, phone) = await host.Api.RegisterAsync();
        var member = await host.Api.SignInAsync(phone, AuthKit.MemberPassword);

        Assert.Equal(("admin", "admin"), (new JsonWebToken(admin.AccessToken).Subject, new JsonWebToken(admin.AccessToken).GetClaim("role").Value));
        using var asAdmin = Client(admin.AccessToken);
        using var asMember = Client(member.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync(new Uri("/api/v1/admin/members", UriKind.Relative))).StatusCode);
        await AuthKit.ProblemAsync(await asMember.GetAsync(new Uri("/api/v1/admin/members", UriKind.Relative)), HttpStatusCode.Forbidden, "forbidden");
    }

    public static TheoryData<string> Forgeries() =>
    [
        "signed with another key",
        "tampered payload",
        "tampered signature",
        "alg none",
        "HS512 with the right key",
        "another issuer",
        "another audience",
        "no session",
        "no expiry",
        "not yet valid",
        "not a JWT",
    ];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_or_altered_token_is_refused_with_an_unauthorized_problem(string forgery)
    {
        var (memberId, _) = await host.Api.RegisterAsync();
        var genuine = Tokens.Issue(SessionSubject.Member(memberId), RefreshTokens.NewSessionId()).Token;
        var now = host.Clock.GetUtcNow().UtcDateTime;
        var token = forgery switch
        {
            "signed with another key" => Forge(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), memberId),
            "tampered payload" => Tamper(genuine, 1, memberId, "m-someone-else"),
            "tampered signature" => genuine[..^4] + (genuine[^4] == 'A' ? "BBBB" : "AAAA"),
            "alg none" => Unsigned(genuine),
            "HS512 with the right key" => Resigned(genuine, "HS512", Tokens.Key.Key),
            "another issuer" => Forge(Tokens.Key, memberId, issuer: "somebody-else"),
            "another audience" => Forge(Tokens.Key, memberId, audience: "another-api"),
            "no session" => Forge(Tokens.Key, memberId, sessionId: null),
            "no expiry" => Forge(Tokens.Key, memberId, withExpiry: false),
            "not yet valid" => Forge(Tokens.Key, memberId, notBefore: now.AddMinutes(5)),
            _ => "not-a-jwt",
        };

        await AuthKit.UnauthorizedAsync(await host.Api.MeAsync(token));
    }

    [Fact]
    public async Task A_token_forged_with_the_right_key_and_every_claim_is_accepted_which_is_what_the_checks_rely_on()
    {
        // The control for the forgeries above: the forging helper itself makes tokens the API accepts.
        var (memberId, _) = await host.Api.RegisterAsync();

        Assert.Equal(HttpStatusCode.OK, (await host.Api.MeAsync(Forge(Tokens.Key, memberId))).StatusCode);
    }

    private HttpClient Client(string token)
    {
        var client = host.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private string Forge(
        SecurityKey key, string memberId, string issuer = "pointsmall", string audience = "pointsmall-api", string? sessionId = "forged-session",
        DateTime? notBefore = null, bool withExpiry = true)
    {
        var now = host.Clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = memberId, ["role"] = "member", ["jti"] = Guid.NewGuid().ToString("n") };
        if (sessionId is not null)
        {
            claims["sid"] = sessionId;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = notBefore ?? now,
            Expires = withExpiry ? now.AddMinutes(5) : null,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The token with one part's JSON edited (the signature left as it was).</summary>
    private static string Tamper(string token, int part, string from, string to)
    {
        var parts = token.Split('.');
        parts[part] = Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[part]).Replace(from, to, StringComparison.Ordinal));
        return string.Join('.', parts);
    }

    /// <summary>The same claims under another HMAC algorithm, signed with the right key (the API takes HS256 only).</summary>
    private static string Resigned(string token, string algorithm, byte[] key)
    {
        var payload = token.Split('.')[1];
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($"{{\"alg\":\"{algorithm}\",\"typ\":\"JWT\"}}"));
        var signature = HMACSHA512.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>The same claims under <c>alg: none</c> and no signature.</summary>
    private static string Unsigned(string token)
    {
        var payload = token.Split('.')[1];
        return $"{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"))}.{payload}.";
    }
}
