using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using PointsMall.Api.Tests.Support;
using PointsMall.Hosting;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Api.Tests.Split;

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;

/// <summary>
/// A cluster in one test process: silos (PointsMall.Silo's host) over one PostgreSQL database that holds the grain
/// state, with the membership either in that database (<c>Orleans:Membership adonet</c>) or in a Redis
/// (<c>redis</c>), and an API node in the <c>api</c> role that is given no silo address: it finds the gateways in
/// the membership.
/// </summary>
public sealed class ClusteredHosts : IAsyncDisposable
{
    private readonly List<WebApplication> _silos = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-cluster-tests", Guid.NewGuid().ToString("n"));
    private ClusteredApiFactory? _api;

    private readonly Dictionary<string, string?> _settings;

    private ClusteredHosts(string connectionString, string clusterId, Dictionary<string, string?> settings)
    {
        ConnectionString = connectionString;
        ClusterId = clusterId;
        _settings = settings;
    }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    public IReadOnlyList<WebApplication> Silos => _silos;

    public WebApplicationFactory<Program> Api => _api ?? throw new InvalidOperationException("The API node is not started.");

    /// <param name="membershipRedis">With it, the membership lives in this Redis (a StackExchange.Redis configuration string) instead of PostgreSQL.</param>
    /// <param name="more">More settings every node is given.</param>
    public static async Task<ClusteredHosts> StartAsync(string connectionString, int silos, string? membershipRedis = null, IReadOnlyDictionary<string, string?>? more = null)
    {
        var shared = new Dictionary<string, string?>(more ?? new Dictionary<string, string?>());
        if (membershipRedis is not null)
        {
            shared["Orleans:Membership"] = Clustering.Redis;
            shared["Orleans:MembershipRedis"] = membershipRedis;
        }

        var hosts = new ClusteredHosts(connectionString, $"c{Guid.NewGuid():n}"[..12], shared);
        try
        {
            for (var i = 0; i < silos; i++)
            {
                var settings = FreePorts.OrleansSettings();
                foreach (var (key, value) in hosts.Shared())
                {
                    settings[key] = value;
                }

                settings["Urls"] = "http://127.0.0.1:0";
                settings["Logging:LogLevel:Default"] = "Warning";
                var silo = SiloHost.Build([], configuration => configuration.AddInMemoryCollection(settings));
                hosts._silos.Add(silo);
                await silo.StartAsync();
            }

            hosts._api = new ClusteredApiFactory(hosts);
            _ = hosts._api.Services; // starts the API node; its admin bootstrap already goes through the cluster
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    /// <summary>What every node of the cluster is given: the database, the clustering, one cluster id.</summary>
    private Dictionary<string, string?> Shared()
    {
        var shared = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgresql",
            ["Storage:PostgreSql:ConnectionString"] = ConnectionString,
            ["Storage:PostgreSql:Schema"] = ClusterId,
            ["Orleans:Membership"] = Clustering.AdoNet,
            ["Orleans:MembershipSchema"] = ClusterId + "_orleans",
            ["Orleans:ClusterId"] = ClusterId,
            ["Orleans:ServiceId"] = ClusterId,
        };
        foreach (var (key, value) in _settings)
        {
            shared[key] = value;
        }

        return shared;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        foreach (var silo in _silos)
        {
            await silo.StopAsync();
            await silo.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class ClusteredApiFactory(ClusteredHosts hosts) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Role", "api");
            foreach (var (key, value) in hosts.Shared())
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("DataProtection:KeysPath", Path.Combine(hosts._directory, "keys"));
            builder.UseSetting("Admin:Password", ApiFactory.AdminPassword);
            builder.UseSetting("Demo:Seed", "false");
            builder.UseSetting("RateLimits:PerIp", "0");
            builder.UseSetting("RateLimits:PerMember", "0");
        }
    }
}
