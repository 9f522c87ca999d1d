using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PointsMall.Api.Auth;
using PointsMall.Api.Tests.Support;
using PointsMall.Grains.Messages;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>What a sign-in or a refresh answered.</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, long ExpiresIn, string TokenType);

/// <summary>
/// The all-in-one host whose auth clock (the keyed <see cref="TimeProvider"/> tokens are issued and checked by, and
/// by which a node decides its copy of the revocation list is stale) is a <see cref="FakeTimeProvider"/> the tests move.
/// Orleans and the grains keep the system clock.
/// </summary>
#pragma warning disable CA1001 // Disposed in DisposeAsync, which xunit calls for an IAsyncLifetime fixture.
public sealed class ClockedApi : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly ApiFactory _base = new();

    public ClockedApi()
    {
        Api = _base.WithWebHostBuilder(b => b.UseAuthClock(Clock));
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public WebApplicationFactory<Program> Api { get; }

    public Task InitializeAsync()
    {
        _ = Api.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _base.DisposeAsync();
}

public static class AuthKit
{
    /// <summary>Makes <paramref name="clock"/> the host's auth clock.</summary>
    public static IWebHostBuilder UseAuthClock(this IWebHostBuilder builder, TimeProvider clock)
        => builder.ConfigureTestServices(s => s.AddKeyedSingleton(AuthClock.Key, clock));

    public static async Task<TokenPair> SignInAsync(this WebApplicationFactory<Program> api, string login, string password)
    {
        using var client = api.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password });
        return await PairAsync(response, $"sign in as {login}");
    }

    /// <summary>Registers a member with a phone and a password; answers its id and phone.</summary>
    public static async Task<(string MemberId, string Phone)> RegisterAsync(this WebApplicationFactory<Program> api, string password = MemberPassword)
    {
        using var client = api.CreateClient();
        var phone = $"136{Random.Shared.Next(10_000_000, 99_999_999)}";
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password, displayName = "令牌 Token" });
        await ApiFactory.EnsureAsync(response, "register a member");
        return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberId").GetString()!, phone);
    }

    public const string MemberPassword = "member-password-1";

    /// <summary>The six digits of the last code the sandbox provider sent to <paramref name="to"/> (+86… or an e-mail).</summary>
    public static string LastCodeTo(this WebApplicationFactory<Program> api, string to)
    {
        ArgumentNullException.ThrowIfNull(api);
        var sent = api.Services.GetRequiredService<SandboxMessageSender>().Sent.Last(m => m.To == to);
        return System.Text.RegularExpressions.Regex.Match(sent.Text, "[0-9]{6}").Value;
    }

    public static async Task<HttpResponseMessage> RefreshAsync(this WebApplicationFactory<Program> api, string? refreshToken)
    {
        using var client = api.CreateClient();
        return await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });
    }

    public static async Task<TokenPair> PairAsync(HttpResponseMessage response, string what)
    {
        await ApiFactory.EnsureAsync(response, what);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TokenPair(
            body.GetProperty("accessToken").GetString()!,
            body.GetProperty("refreshToken").GetString()!,
            body.GetProperty("expiresIn").GetInt64(),
            body.GetProperty("tokenType").GetString()!);
    }

    /// <summary>GET /api/v1/me with this token.</summary>
    public static async Task<HttpResponseMessage> MeAsync(this WebApplicationFactory<Program> api, string token)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync(new Uri("/api/v1/me", UriKind.Relative));
    }

    public static async Task<HttpResponseMessage> SignOutAsync(this WebApplicationFactory<Program> api, string token)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PostAsync(new Uri("/api/v1/auth/logout", UriKind.Relative), null);
    }

    /// <summary>Asserts a problem+json answer with this status and code.</summary>
    public static Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) => Problems.AssertAsync(response, status, code);

    public static Task UnauthorizedAsync(HttpResponseMessage response) => ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
}
