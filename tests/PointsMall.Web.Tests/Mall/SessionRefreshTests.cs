using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>Short-lived access tokens in the browser: refreshed behind the shopper's back, ended by signing out.</summary>
public sealed class SessionRefreshTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private const string StoreKey = "pointsmall.member";

    [Fact]
    public async Task A_refused_access_token_is_refreshed_without_the_shopper_noticing_and_signing_out_ends_the_session_on_the_server()
    {
        var member = await app.NewPageAsync(width: 414, height: 896);
        await member.GotoAsync("/register");
        var register = member.GetByTestId("register-form");
        await register.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync($"135{Random.Shared.Next(10_000_000, 99_999_999)}");
        await register.GetByLabel("昵称 Display name").FillAsync("续期会员");
        await register.GetByLabel("密码 Password").FillAsync("member-refresh-password");
        await register.GetByRole(AriaRole.Button, new() { Name = "注册并登录 Register" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");
        var signedIn = await StoredAsync(member);

        // As if the access token had expired: the API refuses it, and the page must not send the shopper to sign in.
        await member.EvaluateAsync(
            "([key, token]) => { const s = JSON.parse(localStorage.getItem(key)); s.accessToken = token; localStorage.setItem(key, JSON.stringify(s)); }",
            new object[] { StoreKey, "expired." + signedIn.AccessToken[7..] });
        await member.GotoAsync("/");

        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");
        var refreshed = await StoredAsync(member);
        Assert.NotEqual(signedIn.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(signedIn.AccessToken, refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(refreshed.AccessToken));

        await member.GotoAsync("/me");
        var signedOut = await member.RunAndWaitForResponseAsync(
            () => member.GetByTestId("logout").ClickAsync(), r => r.Url.EndsWith("/api/v1/auth/logout", StringComparison.Ordinal));
        Assert.Equal(204, signedOut.Status);
        await Expect(member.GetByRole(AriaRole.Link, new() { Name = "登录 / 注册 Sign in" })).ToBeVisibleAsync();

        Assert.Null(await member.EvaluateAsync<string?>("key => localStorage.getItem(key)", StoreKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(refreshed.AccessToken));
    }

    private static async Task<(string AccessToken, string RefreshToken)> StoredAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("key => localStorage.getItem(key)", StoreKey);
        var stored = JsonDocument.Parse(json).RootElement;
        return (stored.GetProperty("accessToken").GetString()!, stored.GetProperty("refreshToken").GetString()!);
    }

    private async Task<HttpStatusCode> MeStatusAsync(string token)
    {
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync(new Uri("api/v1/me", UriKind.Relative))).StatusCode;
    }
}
