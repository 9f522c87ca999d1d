using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.OrleansAdoNet.Tests;

/// <summary>Orleans' own ADO.NET membership on PostgreSQL, over the tables and queries this project creates.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class ClusteringTests(PostgresServerFixture postgres)
{
    private const int Active = 3;
    private const int Dead = 6;

    [Fact]
    public async Task Two_silos_and_a_client_find_each_other_through_the_membership_table()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(ScratchDatabase.PostgreSql, postgres, GetType());
        var clusterId = $"c-{Guid.NewGuid():n}"[..16];
        await using var first = await AdoNetSilo.JoinAsync(scratch.Database, clusterId);
        var second = await AdoNetSilo.JoinAsync(scratch.Database, clusterId);
        try
        {
            Assert.Equal(2, await scratch.ScalarAsync<int>($"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = {Active}"));

            // The client knows no silo address: it reads the gateways from the table.
            using var client = await StartClientAsync(scratch.Database, clusterId);
            var counters = client.Services.GetRequiredService<IClusterClient>();
            Assert.Equal(5, await counters.GetGrain<IAdoNetCounterGrain>("k-1").AddAsync(5));
            Assert.Equal(7, await counters.GetGrain<IAdoNetCounterGrain>("k-1").AddAsync(2));
            await client.StopAsync();
        }
        finally
        {
            await second.DisposeAsync();
        }

        // A silo that leaves says so in the table; every change moved the cluster's version on.
        Assert.Equal(1, await scratch.ScalarAsync<int>($"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = {Dead}"));
        Assert.Equal(1, await scratch.ScalarAsync<int>($"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = {Active}"));
        Assert.True(await scratch.ScalarAsync<int>($"SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = '{clusterId}'") >= 4);
    }

    [Fact]
    public async Task Membership_tables_are_refused_on_SQLite()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(ScratchDatabase.Sqlite, postgres, GetType());
        await Assert.ThrowsAsync<NotSupportedException>(() => AdoNetSchema.EnsureCreatedAsync(scratch.Database, AdoNetTables.Clustering));
    }

    private static async Task<IHost> StartClientAsync(AdoNetDatabase database, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            client.UseAdoNetClusteringWithTables(database);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
