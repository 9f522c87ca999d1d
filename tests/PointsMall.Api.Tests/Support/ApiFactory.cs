using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PointsMall.Testing;

namespace PointsMall.Api.Tests.Support;

/// <summary>
/// The all-in-one host (API + silo) in memory over a real SQLite file in a temp folder, with a known admin
/// password and no demo data. One per test class (IClassFixture) keeps classes independent.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-test-password";

    /// <summary>The key the tests sign share callbacks with, as the sharing partner would.</summary>
    public const string ShareSecret = "share-partner-test-secret";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-api-tests", Guid.NewGuid().ToString("n"));

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Runs for each host built from this factory (WithWebHostBuilder included), so each gets its own ports.
        builder.UseFreeOrleansPorts();
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_directory, "api.db"));
        builder.UseSetting("DataProtection:KeysPath", Path.Combine(_directory, "keys"));
        builder.UseSetting("Admin:Password", AdminPassword);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Partners:ShareSecret", ShareSecret);
    }

    /// <summary>A client authenticated as the admin operator.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = CreateClient();
        await SignInAsync(client, "admin", AdminPassword);
        return client;
    }

    /// <summary>A new operator of <paramref name="role"/> (created by the admin), and a client signed in as it.</summary>
    public async Task<(string Login, HttpClient Client)> OperatorClientAsync(string role, string password = "operator-password-1")
    {
        using var admin = await AdminClientAsync();
        var login = $"op-{role}-{Guid.NewGuid().ToString("n")[..6]}";
        await EnsureAsync(await admin.PostAsJsonAsync("/api/v1/admin/operators", new { login, role, password, displayName = $"测试 {role}" }), $"create a {role} operator");
        var client = CreateClient();
        await SignInAsync(client, login, password);
        return (login, client);
    }

    /// <summary>Registers a new member (unique phone) and returns its id and a client signed in as it.</summary>
    public async Task<(string MemberId, HttpClient Client)> NewMemberAsync(string password = "member-password-1")
    {
        var client = CreateClient();
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password, displayName = "测试会员" });
        await EnsureAsync(response, "register a member");
        var memberId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberId").GetString()!;
        await SignInAsync(client, phone, password);
        return (memberId, client);
    }

    public static async Task SignInAsync(HttpClient client, string login, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password });
        await EnsureAsync(response, $"sign in as {login}");
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Fails with the response body in the message, which is what one needs to see when a call fails.</summary>
    public static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }
}
