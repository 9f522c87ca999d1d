using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using PointsMall.OrleansAdoNet;

namespace PointsMall.Hosting;

/// <summary>
/// How silos find each other and API nodes find the silos, from the <c>Orleans</c> section. <c>Membership</c> is
/// <c>localhost</c> (the default: one silo, and API nodes given <c>Silo:Gateway</c>) or <c>adonet</c>: Orleans'
/// ADO.NET membership table in the PostgreSQL database that holds the grain state (schema <c>Orleans:MembershipSchema</c>,
/// default <c>orleans</c>), where every silo of the cluster registers and every API node reads the gateways; or
/// <c>redis</c>: Orleans' Redis membership in the Redis at <c>Orleans:MembershipRedis</c> (a StackExchange.Redis
/// configuration string), for a cluster that keeps the membership out of the grain state's database.
/// (Not <c>Orleans:Clustering</c>: Orleans reads that section itself as its own provider configuration.)
/// </summary>
public static class Clustering
{
    public const string Localhost = "localhost";
    public const string AdoNet = "adonet";
    public const string Redis = "redis";

    public static string Mode(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = (configuration["Orleans:Membership"] ?? Localhost).Trim().ToLowerInvariant();
        return mode is Localhost or AdoNet or Redis
            ? mode
            : throw new InvalidOperationException($"Orleans:Membership '{configuration["Orleans:Membership"]}' is not one of localhost, adonet or redis.");
    }

    /// <summary>The membership database: the grain state's PostgreSQL database, in a schema of its own.</summary>
    public static AdoNetDatabase MembershipDatabase(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration["Storage:PostgreSql:ConnectionString"];
        if (configuration["Storage:Provider"] != "postgresql" || string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Orleans:Membership adonet keeps the membership in the grain state's PostgreSQL database: set Storage:Provider to postgresql and Storage:PostgreSql:ConnectionString (on API nodes too).");
        }

        return AdoNetDatabase.PostgreSql(connectionString, configuration["Orleans:MembershipSchema"] ?? "orleans");
    }

    /// <summary>The membership Redis: <c>Orleans:MembershipRedis</c>, a StackExchange.Redis configuration string.</summary>
    public static string MembershipRedis(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var redis = configuration["Orleans:MembershipRedis"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            throw new InvalidOperationException(
                "Orleans:Membership redis keeps the membership in Redis: set Orleans:MembershipRedis to its StackExchange.Redis configuration string, e.g. 127.0.0.1:6379 (on silos and API nodes alike).");
        }

        return redis;
    }

    /// <summary>Fails now, naming the missing setting, rather than when the first silo or client tries to join.</summary>
    public static void Validate(IConfiguration configuration)
    {
        switch (Mode(configuration))
        {
            case AdoNet:
                _ = MembershipDatabase(configuration);
                break;
            case Redis:
                _ = MembershipRedis(configuration);
                break;
        }
    }

    internal static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        var siloPort = orleans.GetValue("SiloPort", SiloStorage.DefaultSiloPort);
        var gatewayPort = orleans.GetValue("GatewayPort", SiloStorage.DefaultGatewayPort);

        // How fast a lost silo is declared dead (Orleans' names: ProbeTimeout, NumMissedProbesLimit, …); Orleans'
        // defaults unless set. Shorter times fail over sooner but risk declaring a silo dead that is only starved.
        silo.Configure<ClusterMembershipOptions>(orleans.GetSection("FailureDetection"));
        if (Mode(configuration) == Localhost)
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primarySiloEndpoint: null, serviceId: ServiceId(configuration), clusterId: ClusterId(configuration));
            return;
        }

        // Other silos and the API nodes reach this one at the advertised address (this machine's, as they see it).
        silo.ConfigureEndpoints(AdvertisedAddress(configuration), siloPort, gatewayPort, listenOnAnyHostAddress: true);
        silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (ServiceId(configuration), ClusterId(configuration)));
        if (Mode(configuration) == Redis)
        {
            silo.UseRedisClustering(MembershipRedis(configuration));
        }
        else
        {
            silo.UseAdoNetClusteringWithTables(MembershipDatabase(configuration));
        }
    }

    /// <summary>An API node's client: the silos' gateways from the membership (table or Redis), or <c>Silo:Gateway</c>.</summary>
    public static void Configure(IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(configuration);
        switch (Mode(configuration))
        {
            case AdoNet:
                client.UseAdoNetClusteringWithTables(MembershipDatabase(configuration));
                break;
            case Redis:
                client.UseRedisClustering(MembershipRedis(configuration));
                break;
            default:
                client.UseStaticClustering(SiloStorage.GatewayEndpoint(configuration));
                break;
        }

        client.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (ServiceId(configuration), ClusterId(configuration)));

        // The API node's grain calls carry the HTTP request's trace to the silo.
        client.AddActivityPropagation();
    }

    private static string ServiceId(IConfiguration configuration) => configuration["Orleans:ServiceId"] ?? "pointsmall";

    private static string ClusterId(IConfiguration configuration) => configuration["Orleans:ClusterId"] ?? "pointsmall";

    private static IPAddress AdvertisedAddress(IConfiguration configuration)
    {
        var text = configuration["Orleans:AdvertisedAddress"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new InvalidOperationException($"Orleans:AdvertisedAddress '{text}' is not an IP address (the address other machines reach this silo at).");
    }
}
