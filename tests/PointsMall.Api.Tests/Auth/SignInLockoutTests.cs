using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Grains.Messages;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>
/// Guessing passwords: a login that had five wrong ones is refused for a while even with the right one, and says when
/// to retry. Logins that do not exist lock the same way, so the answers tell nothing about which do. (Each class has its
/// own host: in a test host every client has the same address, and the address is counted too.)
/// </summary>
public sealed partial class SignInLockoutTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_login_even_for_the_right_one_until_retry_after()
    {
        var (_, phone) = await api.RegisterAsync();
        var (_, bystander) = await api.RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            await Problems.AssertAsync(await LoginAsync(phone, "not-the-password"), HttpStatusCode.Unauthorized, "unauthorized");
        }

        var locked = await LoginAsync(phone, AuthKit.MemberPassword);

        await Problems.AssertAsync(locked, HttpStatusCode.TooManyRequests, "locked");
        Assert.InRange(locked.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 15 * 60);
        await AuthKit.PairAsync(await LoginAsync(bystander, AuthKit.MemberPassword), "sign in as another member from the same address");
    }

    [Fact]
    public async Task A_login_that_does_not_exist_locks_like_one_that_does()
    {
        var nobody = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        for (var i = 0; i < 5; i++)
        {
            await Problems.AssertAsync(await LoginAsync(nobody, "guess-" + i), HttpStatusCode.Unauthorized, "unauthorized");
        }

        await Problems.AssertAsync(await LoginAsync(nobody, "guess-5"), HttpStatusCode.TooManyRequests, "locked");
    }

    [Fact]
    public async Task The_owner_of_a_locked_login_unlocks_it_by_resetting_the_password_with_a_code()
    {
        var (_, phone) = await api.RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(phone, "still-not-it");
        }

        await Problems.AssertAsync(await LoginAsync(phone, AuthKit.MemberPassword), HttpStatusCode.TooManyRequests, "locked");
        using var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = phone })).StatusCode);
        var sms = api.Services.GetRequiredService<SandboxMessageSender>().Sent.Last(m => m.To == "+86" + phone);
        var code = SixDigits().Match(sms.Text).Value;
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { login = phone, code, newPassword = "unlocked-password-2" })).StatusCode);

        await AuthKit.PairAsync(await LoginAsync(phone, "unlocked-password-2"), "sign in after the reset");
    }

    private async Task<HttpResponseMessage> LoginAsync(string login, string password)
    {
        using var client = api.CreateClient();
        return await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password });
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}

/// <summary>Spraying guesses over many logins from one address: after 30 failures the address is refused, whoever it signs in as.</summary>
public sealed class AddressLockoutTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Thirty_failures_from_one_address_refuse_it_even_for_a_right_password()
    {
        var (_, phone) = await api.RegisterAsync();
        using var client = api.CreateClient();
        for (var i = 0; i < 30; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = $"guess{i}@example.com", password = "password-guess" });
            await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        var refused = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, password = AuthKit.MemberPassword });

        await Problems.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
    }
}
