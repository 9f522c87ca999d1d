using System.Net;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.LocalServers;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>When the engine itself fails (here its database goes away), the client gets a 503 it may retry, never a 500.</summary>
public sealed class EngineFaultTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_grain_whose_state_cannot_be_read_answers_unavailable_with_a_retry_after()
    {
        var postgres = await PostgresServer.StartAsync();
        await using var api = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:Provider", "postgresql");
            b.UseSetting("Storage:PostgreSql:ConnectionString", postgres.ConnectionString);
        });
        var admin = api.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);

        // The database stops; a member not yet active must be read from it.
        await postgres.DisposeAsync();
        var response = await admin.GetAsync(new Uri("/api/v1/admin/members/m-never-read", UriKind.Relative));

        await ShopKit.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
    }
}
