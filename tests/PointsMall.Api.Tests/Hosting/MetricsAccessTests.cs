using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>
/// Who may read GET /metrics, and which client address the API sees behind a proxy (the address per-IP rate limits
/// count). The test server has no network peer, so a startup filter plays the TCP peer from an X-Test-Peer header.
/// </summary>
public sealed class MetricsAccessTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task By_default_metrics_are_refused_to_a_remote_client_with_a_forbidden_problem()
    {
        using var client = Host().CreateClient();

        var response = await SendAsync(client, peer: "198.51.100.20");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_local_client_reads_the_runtime_and_http_metrics()
    {
        using var client = Host().CreateClient();
        await client.PostAsJsonAsync("/api/v1/auth/login", new { login = "nobody", password = "wrong-password" });

        var response = await SendAsync(client, peer: "127.0.0.1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        // The grain runtime's numbers are Orleans' now: grain calls made (the request-latency histogram's count)
        // and live grain activations by type. OpenTelemetry's exporter labels each series with its meter (otel_scope_name).
        Assert.Matches(@"(?m)^orleans_app_requests_latency_milliseconds_count\{otel_scope_name=""Microsoft.Orleans""\} [1-9]\d*$", text);
        Assert.Matches(@"(?m)^orleans_grains\{.*grain_type=""[^""]+"".*\} [1-9]\d*$", text);

        // Exactly one: another host in this process (other tests) does not add its requests to this host's numbers.
        Assert.Matches(@"(?m)^http_server_request_duration_seconds_count\{.*http_route=""/api/v1/auth/login"".*\} 1$", text);
    }

    [Fact]
    public async Task A_forwarded_client_address_from_a_loopback_proxy_is_the_one_checked()
    {
        using var client = Host().CreateClient();

        // nginx on this host relays a public client: the API must see the public address, not loopback.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, peer: "127.0.0.1", forwardedFor: "203.0.113.9")).StatusCode);

        // An untrusted peer cannot claim to be relaying for a local client.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, peer: "10.1.2.3", forwardedFor: "127.0.0.1")).StatusCode);
    }

    [Fact]
    public async Task Known_proxies_and_allowed_networks_come_from_configuration()
    {
        using var trusting = Host(("ForwardedHeaders:KnownProxies:0", "10.1.2.3")).CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(trusting, peer: "10.1.2.3", forwardedFor: "127.0.0.1")).StatusCode);

        using var scraper = Host(("Metrics:AllowedNetworks", "10.0.0.0/8, 192.168.0.0/16")).CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(scraper, peer: "10.9.9.9")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(scraper, peer: "172.16.0.1")).StatusCode);
    }

    [Fact]
    public async Task With_admin_access_metrics_need_an_admin_token()
    {
        var host = Host(("Metrics:Access", "Admin"));
        using var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(anonymous, peer: "127.0.0.1")).StatusCode);

        using var member = host.CreateClient();
        var phone = $"136{Random.Shared.Next(10_000_000, 99_999_999)}";
        await ApiFactory.EnsureAsync(await member.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "member-password-1", displayName = "m" }), "register");
        await ApiFactory.SignInAsync(member, phone, "member-password-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(member, peer: "198.51.100.20")).StatusCode);

        using var admin = host.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        var response = await SendAsync(admin, peer: "198.51.100.20");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE orleans_app_requests_latency_milliseconds histogram", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_metrics_endpoint_is_not_in_the_public_api_document()
    {
        using var client = factory.CreateClient();
        var document = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.DoesNotContain("\"/metrics\"", document, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string peer, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(PeerFilter.Header, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await client.SendAsync(request);
    }

    /// <summary>A host of its own (own database) with extra settings and the peer-playing startup filter.</summary>
    private WebApplicationFactory<Program> Host(params (string Key, string Value)[] settings)
        => factory.WithWebHostBuilder(b =>
        {
            var directory = Path.Combine(Path.GetTempPath(), "pointsmall-api-tests", Guid.NewGuid().ToString("n"));
            b.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "api.db"));
            b.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }

            b.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerFilter>());
        });

    /// <summary>Sets the connection's remote address from <see cref="Header"/> before anything else runs.</summary>
    private sealed class PeerFilter : IStartupFilter
    {
        public const string Header = "X-Test-Peer";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var peer))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
