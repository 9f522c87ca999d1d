using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Split;
using PointsMall.Api.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>An all-in-one API host with <c>Dashboard:Enabled</c>, shared by the tests of a class.</summary>
public sealed class DashboardApi : IAsyncLifetime, IAsyncDisposable
{
    private readonly ApiFactory _factory = new();

    public DashboardApi() => Api = _factory.WithWebHostBuilder(b => b.UseSetting("Dashboard:Enabled", "true"));

    public WebApplicationFactory<Program> Api { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await _factory.DisposeAsync();
    }
}

/// <summary>The Orleans Dashboard at /dashboard in the all-in-one host: operators only, this cluster's silo in its data.</summary>
public sealed class DashboardTests(DashboardApi dashboard) : IClassFixture<DashboardApi>
{
    private const string Counters = "/dashboard/DashboardCounters";

    private WebApplicationFactory<Program> Api => dashboard.Api;

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    [InlineData(Counters)]
    public async Task Anonymous_requests_are_refused_with_a_401_problem(string path)
    {
        using var response = await Api.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", await CodeAsync(response));
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData(Counters)]
    public async Task A_signed_in_shopper_is_forbidden(string path)
    {
        var (_, shopper) = await NewMemberAsync();

        using var response = await shopper.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", await CodeAsync(response));
    }

    [Fact]
    public async Task The_admin_gets_the_dashboard_page()
    {
        var admin = await AdminAsync();

        using var response = await admin.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Orleans Dashboard</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_data_shows_the_admin_this_hosts_silo()
    {
        var admin = await AdminAsync();
        var silo = Api.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

        // The counters are refreshed at most once a second, so the first answer may predate the silo's entry.
        await ShopKit.EventuallyAsync(async () => (await ActiveHostsAsync(admin)).Contains(silo), $"silo {silo} in {Counters}");
    }

    [Fact]
    public async Task A_browser_gets_in_with_the_cookie_the_admin_console_asks_for_and_a_shopper_cannot_get_one()
    {
        var admin = await AdminAsync();
        var browser = Api.CreateClient(); // keeps cookies, sends no token
        var token = admin.DefaultRequestHeaders.Authorization!;

        using (var anonymous = await browser.PostAsync("/api/v1/admin/dashboard/session", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var (_, shopper) = await NewMemberAsync();
        using (var refused = await shopper.PostAsync("/api/v1/admin/dashboard/session", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var session = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/dashboard/session") { Headers = { Authorization = token } })
        using (var given = await browser.SendAsync(session))
        {
            Assert.Equal(HttpStatusCode.NoContent, given.StatusCode);
            var cookie = Assert.Single(given.Headers.GetValues("Set-Cookie"));
            Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        }

        using (var page = await browser.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // The cookie opens the dashboard only, not the admin API.
        using (var adminApi = await browser.GetAsync("/api/v1/admin/orders"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, adminApi.StatusCode);
        }

        using (var end = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/admin/dashboard/session") { Headers = { Authorization = token } })
        using (var ended = await browser.SendAsync(end))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        using var after = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Without_Dashboard_Enabled_there_is_no_dashboard()
    {
        await using var plain = new ApiFactory();
        var admin = await plain.AdminClientAsync();

        using var response = await admin.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The addresses of the silos the dashboard's counters list as active.</summary>
    internal static async Task<List<string>> ActiveHostsAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync(Counters);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("hosts").EnumerateArray()
            .Where(h => h.GetProperty("siloStatus").ValueKind == JsonValueKind.Number
                ? h.GetProperty("siloStatus").GetInt32() == (int)SiloStatus.Active
                : h.GetProperty("siloStatus").GetString() == nameof(SiloStatus.Active))
            .Select(h => h.GetProperty("siloAddress").GetString()!)
            .ToList();
    }

    private async Task<HttpClient> AdminAsync()
    {
        var admin = Api.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        return admin;
    }

    private async Task<(string MemberId, HttpClient Client)> NewMemberAsync()
    {
        var client = Api.CreateClient();
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        await ApiFactory.EnsureAsync(await client.PostAsync("/api/v1/auth/register", JsonContent(new { phone, password = "member-password-1", displayName = "看板 Dashboard" })), "register");
        await ApiFactory.SignInAsync(client, phone, "member-password-1");
        return (phone, client);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return body.StartsWith('{') && JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}

/// <summary>The dashboard on an API node in the api role: its data comes from the silos of the cluster through the client.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class ClusteredDashboardTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task On_an_api_node_the_dashboard_lists_every_silo_of_the_cluster()
    {
        await using var cluster = await ClusteredHosts.StartAsync(
            await postgres.DatabaseForAsync(GetType()), silos: 2, more: new Dictionary<string, string?> { ["Dashboard:Enabled"] = "true" });
        var admin = cluster.Api.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        var silos = cluster.Silos.Select(s => s.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()).ToList();

        using (var shopperRefused = await (await cluster.Api.ClientForAsync("m-nobody")).GetAsync("/dashboard/DashboardCounters"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, shopperRefused.StatusCode);
        }

        await ShopKit.EventuallyAsync(async () =>
        {
            var hosts = await DashboardTests.ActiveHostsAsync(admin);
            return silos.All(hosts.Contains);
        }, $"silos {string.Join(", ", silos)} in the dashboard's counters");
    }
}
