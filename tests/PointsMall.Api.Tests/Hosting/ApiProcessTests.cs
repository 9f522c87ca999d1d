using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>The built API as a real process: what an operator starts with systemd or <c>dotnet PointsMall.Api.dll</c>.</summary>
public sealed partial class ApiProcessTests : IDisposable
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(60);

    private readonly string _data = Directory.CreateTempSubdirectory("pointsmall-process-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    [Fact]
    public async Task The_host_serves_health_docs_metrics_and_auth_logs_json_and_stops_on_sigterm()
    {
        await using var api = ApiProcess.Start(_data, new Dictionary<string, string?>
        {
            ["POINTSMALL_ADMIN_PASSWORD"] = "process-admin-password",
            ["Logging__Console__FormatterName"] = "json",
        });
        await api.WaitUntilReadyAsync(Startup);
        var client = api.Client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        var openApi = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Contains("/api/v1/auth/login", openApi, StringComparison.Ordinal);
        var docs = await client.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("swagger", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // A member registers and signs in; the admin signs in with the configured password.
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "member-password-1", displayName = "进程测试" });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var memberToken = await TokenAsync(client, phone, "member-password-1");
        var adminToken = await TokenAsync(client, "admin", "process-admin-password");
        Assert.False(string.IsNullOrEmpty(memberToken));
        Assert.False(string.IsNullOrEmpty(adminToken));

        // A refused login relayed by a proxy on loopback: logged as JSON with its problem code and the client's address.
        using (var refused = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { login = phone, password = "wrong-password-1" }) })
        {
            refused.Headers.Add("X-Forwarded-For", "203.0.113.7");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(refused)).StatusCode);
        }

        var logged = await api.WaitForLineAsync(
            l => l.StartsWith('{') && l.Contains("PointsMall.Api.Requests", StringComparison.Ordinal) && l.Contains("203.0.113.7", StringComparison.Ordinal),
            "a JSON request log line for the refused login",
            TimeSpan.FromSeconds(30));
        using (var json = JsonDocument.Parse(logged))
        {
            var state = json.RootElement.GetProperty("State");
            Assert.Equal("Information", json.RootElement.GetProperty("LogLevel").GetString());
            Assert.Equal("unauthorized", state.GetProperty("ProblemCode").GetString());
            Assert.Equal("401", state.GetProperty("StatusCode").ToString());
            Assert.Equal("/api/v1/auth/login", state.GetProperty("Path").GetString());
            Assert.Equal("203.0.113.7", state.GetProperty("Client").GetString());
        }

        // Metrics from loopback: Orleans', the group-commit storage's and ASP.NET Core's meters, in Prometheus text.
        var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Matches(GrainCalls(), text);
        Assert.Contains("# TYPE pointsmall_groupcommit_commit_duration_milliseconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("kestrel_active_connections", text, StringComparison.Ordinal);

        // Kestrel does not name itself; the browser protections are on real responses too.
        var me = await SendAsync(client, HttpMethod.Get, "/api/v1/me", "Bearer not-a-token-but-secret-looking");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.False(me.Headers.Contains("Server"), "Kestrel's Server header is sent.");
        Assert.Equal("nosniff", me.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("default-src 'none'", me.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(0, await api.StopAsync(Shutdown));

        // Nothing secret reached the log: no password that was sent, no token issued or presented.
        foreach (var secret in new[] { "member-password-1", "wrong-password-1", "process-admin-password", memberToken, adminToken, "not-a-token-but-secret-looking" })
        {
            Assert.DoesNotContain(api.Lines, l => l.Contains(secret!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_a_configured_password_the_generated_one_is_printed_once_and_accepted()
    {
        string password;
        await using (var first = ApiProcess.Start(_data, new Dictionary<string, string?>()))
        {
            await first.WaitUntilReadyAsync(Startup);
            var line = await first.WaitForLineAsync(l => l.Contains("Admin console login:", StringComparison.Ordinal), "the generated admin password", TimeSpan.FromSeconds(30));
            password = GeneratedPassword().Match(line) is { Success: true } m ? m.Groups["password"].Value : throw new InvalidOperationException($"No password in '{line}'.");
            Assert.Single(first.Lines, l => l.Contains("Admin console login:", StringComparison.Ordinal));
            Assert.False(string.IsNullOrEmpty(await TokenAsync(first.Client, "admin", password)));
            Assert.Equal(0, await first.StopAsync(Shutdown));
        }

        await using var second = ApiProcess.Start(_data, new Dictionary<string, string?>());
        await second.WaitUntilReadyAsync(Startup);

        // The banner is printed once the host listens, after the admin bootstrap ran; output is one ordered pipe,
        // so once the banner is read, a password line would have been read too.
        await second.WaitForLineAsync(l => l.Contains("PointsMall is running", StringComparison.Ordinal), "the startup banner", TimeSpan.FromSeconds(30));
        Assert.False(string.IsNullOrEmpty(await TokenAsync(second.Client, "admin", password)));
        Assert.DoesNotContain(second.Lines, l => l.Contains("Admin console login:", StringComparison.Ordinal));
        Assert.Equal(0, await second.StopAsync(Shutdown));
    }

    private static async Task<string?> TokenAsync(HttpClient client, string login, string password)
    {
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password });
        Assert.True(response.IsSuccessStatusCode, $"sign in as {login}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string authorization)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await client.SendAsync(request);
    }

    [GeneratedRegex(@"password: (?<password>\S+)")]
    private static partial Regex GeneratedPassword();

    /// <summary>Grain calls made: the count of Orleans' request-latency histogram.</summary>
    [GeneratedRegex(@"(?m)^orleans_app_requests_latency_milliseconds_count\{otel_scope_name=""Microsoft.Orleans""\} [1-9]\d*$")]
    private static partial Regex GrainCalls();
}
