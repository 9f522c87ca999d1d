using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PointsMall.Api.Tests.Support;
using PointsMall.Testing;

namespace PointsMall.Api.Tests.RateLimiting;

/// <summary>
/// One API node (with its own embedded silo and SQLite file) whose shopper limits count in <paramref name="redis"/>
/// when given. Nodes made with the same <paramref name="directory"/> share their data-protection keys, so a token
/// one node issues is accepted by the others, as behind a load balancer.
/// </summary>
internal sealed class LimitedNode(string directory, string? redis, int perMember, string whenRedisDown = "open") : WebApplicationFactory<Program>
{
    private readonly string _node = Guid.NewGuid().ToString("n")[..8];

    /// <summary>Registers a shopper on this node and returns a client that sends its bearer token.</summary>
    public async Task<HttpClient> ShopperAsync()
    {
        var client = CreateClient();
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        await ApiFactory.EnsureAsync(await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "limits-password-1", displayName = "限流 Limits" }), "register");
        await ApiFactory.SignInAsync(client, phone, "limits-password-1");
        return client;
    }

    /// <summary>A client of this node carrying the same token as <paramref name="shopper"/> (same member).</summary>
    public HttpClient SameShopper(HttpClient shopper)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", shopper.DefaultRequestHeaders.Authorization!.Parameter);
        return client;
    }

    /// <summary>A redemption of a product that does not exist: the limiter counts it before the endpoint refuses it.</summary>
    public static async Task<(int Status, string? Code)> RedeemAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/redemptions") { Content = JsonContent.Create(new { productId = "no-such-product", quantity = 1 }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("n"));
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var code = body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        return ((int)response.StatusCode, code);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseFreeOrleansPorts();
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, _node, "api.db"));
        builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
        builder.UseSetting("Admin:Password", ApiFactory.AdminPassword);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("RateLimits:PerMember", perMember.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimits:PerIp", "0");
        builder.UseSetting("RateLimits:Window", "00:10:00");
        builder.UseSetting("RateLimits:WhenRedisDown", whenRedisDown);
        if (redis is not null)
        {
            builder.UseSetting("RateLimits:Redis", redis);
        }
    }
}
