using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using PointsMall.Api.Auth;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Operators;
using PointsMall.Contracts.Sessions;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>Refresh tokens (rotation, reuse), sign-out and revocation on one node.</summary>
public sealed class SessionTests(ClockedApi host) : IClassFixture<ClockedApi>
{
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _api = host.Api;

    [Fact]
    public async Task A_refresh_rotates_the_refresh_token_and_gives_an_access_token_of_the_same_session_that_works()
    {
        var (memberId, phone) = await _api.RegisterAsync();
        var first = await _api.SignInAsync(phone, AuthKit.MemberPassword);

        var second = await AuthKit.PairAsync(await _api.RefreshAsync(first.RefreshToken), "refresh");

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(Sid(first.AccessToken), Sid(second.AccessToken));
        Assert.Equal(memberId, new JsonWebToken(second.AccessToken).Subject);
        await ApiFactory.EnsureAsync(await _api.MeAsync(second.AccessToken), "read /me with the refreshed token");
        var third = await AuthKit.PairAsync(await _api.RefreshAsync(second.RefreshToken), "refresh again");
        Assert.NotEqual(second.RefreshToken, third.RefreshToken);
    }

    [Fact]
    public async Task A_refresh_token_still_works_after_its_access_token_expired()
    {
        var (_, phone) = await _api.RegisterAsync();
        var pair = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        host.Clock.Advance(TimeSpan.FromMinutes(20));
        await AuthKit.UnauthorizedAsync(await _api.MeAsync(pair.AccessToken));

        var refreshed = await AuthKit.PairAsync(await _api.RefreshAsync(pair.RefreshToken), "refresh after expiry");

        await ApiFactory.EnsureAsync(await _api.MeAsync(refreshed.AccessToken), "read /me");
    }

    [Fact]
    public async Task A_rotated_refresh_token_used_again_revokes_the_session()
    {
        var (memberId, phone) = await _api.RegisterAsync();
        var stolen = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        var owner = await AuthKit.PairAsync(await _api.RefreshAsync(stolen.RefreshToken), "the owner's refresh");
        var other = await _api.SignInAsync(phone, AuthKit.MemberPassword);

        await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(stolen.RefreshToken));

        // The whole session is over: its latest refresh token and its access tokens, old and new.
        await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(owner.RefreshToken));
        await AuthKit.UnauthorizedAsync(await _api.MeAsync(owner.AccessToken));
        await AuthKit.UnauthorizedAsync(await _api.MeAsync(stolen.AccessToken));

        // Another session of the same member is not touched.
        await ApiFactory.EnsureAsync(await _api.MeAsync(other.AccessToken), "use the member's other session");
        Assert.Equal(1, await _api.Grains().GetGrain<ISessionsGrain>(SessionKeys.Member(memberId)).CountAsync());
    }

    [Fact]
    public async Task Signing_out_revokes_the_session_at_once_on_this_node_access_and_refresh_token_alike()
    {
        var (_, phone) = await _api.RegisterAsync();
        var pair = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        var other = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        await ApiFactory.EnsureAsync(await _api.MeAsync(pair.AccessToken), "read /me before signing out");

        var signedOut = await _api.SignOutAsync(pair.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        await AuthKit.UnauthorizedAsync(await _api.MeAsync(pair.AccessToken));
        await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(pair.RefreshToken));
        await AuthKit.UnauthorizedAsync(await _api.SignOutAsync(pair.AccessToken));
        await ApiFactory.EnsureAsync(await _api.MeAsync(other.AccessToken), "use the member's other session");
    }

    [Fact]
    public async Task Signing_out_needs_a_token()
    {
        using var anonymous = _api.CreateClient();

        await AuthKit.UnauthorizedAsync(await anonymous.PostAsync(new Uri("/api/v1/auth/logout", UriKind.Relative), null));
    }

    [Fact]
    public async Task An_operator_revokes_every_session_of_a_member_bulk_tokens_included()
    {
        var (memberId, phone) = await _api.RegisterAsync();
        var pairs = new[] { await _api.SignInAsync(phone, AuthKit.MemberPassword), await _api.SignInAsync(phone, AuthKit.MemberPassword) };
        var issued = await _api.TokenForAsync(memberId);
        var (otherId, otherPhone) = await _api.RegisterAsync();
        var bystander = await _api.SignInAsync(otherPhone, AuthKit.MemberPassword);
        var admin = await _api.SignInAsync("admin", ApiFactory.AdminPassword);

        var response = await Post(admin.AccessToken, $"/api/v1/admin/members/{memberId}/sessions/revoke");

        await ApiFactory.EnsureAsync(response, "revoke the member's sessions");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((memberId, 3), (body.GetProperty("memberId").GetString(), body.GetProperty("revoked").GetInt32()));
        foreach (var pair in pairs)
        {
            await AuthKit.UnauthorizedAsync(await _api.MeAsync(pair.AccessToken));
            await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(pair.RefreshToken));
        }

        await AuthKit.UnauthorizedAsync(await _api.MeAsync(issued));
        await ApiFactory.EnsureAsync(await _api.MeAsync(bystander.AccessToken), $"use {otherId}'s session");

        // The member signs in again as usual.
        await ApiFactory.EnsureAsync(await _api.MeAsync((await _api.SignInAsync(phone, AuthKit.MemberPassword)).AccessToken), "sign in again");
    }

    [Fact]
    public async Task Revoking_sessions_is_for_operators_and_of_members_that_exist()
    {
        var (memberId, phone) = await _api.RegisterAsync();
        var member = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        var admin = await _api.SignInAsync("admin", ApiFactory.AdminPassword);

        await AuthKit.ProblemAsync(await Post(member.AccessToken, $"/api/v1/admin/members/{memberId}/sessions/revoke"), HttpStatusCode.Forbidden, "forbidden");
        await AuthKit.ProblemAsync(await Post(null, $"/api/v1/admin/members/{memberId}/sessions/revoke"), HttpStatusCode.Unauthorized, "unauthorized");
        await AuthKit.ProblemAsync(await Post(admin.AccessToken, "/api/v1/admin/members/m-nobody-at-all/sessions/revoke"), HttpStatusCode.NotFound, "not_found");
        await ApiFactory.EnsureAsync(await _api.MeAsync(member.AccessToken), "use the member's session");
    }

    [Fact]
    public async Task A_new_operator_password_revokes_every_session_of_the_operator()
    {
        var admin = await _api.SignInAsync("admin", ApiFactory.AdminPassword);
        var operators = _api.Grains().GetGrain<IOperatorGrain>(AuthEndpoints.AdminLogin);
        try
        {
            await operators.SetPasswordAsync("a-brand-new-password");

            // Revoked in the grains, not through this node: seen here once the node's copy is older than the interval.
            host.Clock.Advance(_api.Services.GetRequiredService<AuthOptions>().RevocationRefresh);
            await AuthKit.UnauthorizedAsync(await Post(admin.AccessToken, "/api/v1/admin/members/bulk", new { count = 1 }));
            await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(admin.RefreshToken));
        }
        finally
        {
            await operators.SetPasswordAsync(ApiFactory.AdminPassword);
        }
    }

    [Fact]
    public async Task Past_the_bound_on_sessions_a_new_sign_in_revokes_the_oldest()
    {
        var (memberId, phone) = await _api.RegisterAsync();
        var oldest = await _api.SignInAsync(phone, AuthKit.MemberPassword);
        for (var i = 1; i < PointsMall.Grains.Sessions.SessionsGrain.MaxSessions; i++)
        {
            await _api.TokenForAsync(memberId);
        }

        await ApiFactory.EnsureAsync(await _api.MeAsync(oldest.AccessToken), "use the oldest session while within bounds");
        await _api.SignInAsync(phone, AuthKit.MemberPassword);

        await AuthKit.UnauthorizedAsync(await _api.MeAsync(oldest.AccessToken));
        await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(oldest.RefreshToken));
        Assert.Equal(PointsMall.Grains.Sessions.SessionsGrain.MaxSessions, await _api.Grains().GetGrain<ISessionsGrain>(SessionKeys.Member(memberId)).CountAsync());
    }

    public static TheoryData<string, int, string> BadRefreshes() => new()
    {
        { "{}", 400, "validation_failed" },
        { "{\"refreshToken\":\"\"}", 400, "validation_failed" },
        { "{\"refreshToken\":null}", 400, "validation_failed" },
        { "{\"refreshToken\":42}", 400, "validation_failed" },
        { "{\"refreshToken\":", 400, "validation_failed" },
        { "null", 400, "validation_failed" },
        { "{\"refreshToken\":\"garbage\"}", 401, "unauthorized" },
        { "{\"refreshToken\":\"a.b.c\"}", 401, "unauthorized" },
        { "{\"refreshToken\":\"...\"}", 401, "unauthorized" },
        { $"{{\"refreshToken\":\"{new string('A', 5000)}\"}}", 400, "validation_failed" },
        { "{\"refreshToken\":\"   \"}", 400, "validation_failed" },
        { $"{{\"refreshToken\":\"{Encode("member:m-nobody")}.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}", 401, "unauthorized" },
        { $"{{\"refreshToken\":\"{Encode("someone:else")}.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}", 401, "unauthorized" },
        { $"{{\"refreshToken\":\"{Encode("member:has space")}.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}", 401, "unauthorized" },
        { "{\"refreshToken\":\"A.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", 401, "unauthorized" },
        { "{\"refreshToken\":\"bWVtYmVyOm0teA.short.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", 401, "unauthorized" },
    };

    [Theory]
    [MemberData(nameof(BadRefreshes))]
    public async Task A_bad_refresh_request_is_a_validation_or_unauthorized_problem_never_a_server_error(string body, int status, string code)
    {
        using var client = _api.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        await AuthKit.ProblemAsync(await client.PostAsync(new Uri("/api/v1/auth/refresh", UriKind.Relative), content), (HttpStatusCode)status, code);
    }

    [Fact]
    public async Task An_access_token_is_no_refresh_token()
    {
        var (_, phone) = await _api.RegisterAsync();
        var pair = await _api.SignInAsync(phone, AuthKit.MemberPassword);

        await AuthKit.UnauthorizedAsync(await _api.RefreshAsync(pair.AccessToken));
        await AuthKit.UnauthorizedAsync(await _api.MeAsync(pair.RefreshToken));
    }

    private static string Sid(string token) => new JsonWebToken(token).GetClaim("sid").Value;

    private static string Encode(string text) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(text);

    private async Task<HttpResponseMessage> Post(string? token, string path, object? body = null)
    {
        using var client = _api.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.PostAsJsonAsync(path, body ?? new { });
    }
}
