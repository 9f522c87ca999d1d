using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Serialization;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Rules;
using PointsMall.Payments;
using PointsMall.Hosting;

namespace PointsMall.Api.Hosting;

/// <summary>
/// Where the API's grain calls go, by configuration <c>Role</c> (<c>--role</c> on the command line):
/// <c>all</c> (the default) co-hosts a silo in this process with the store from the <c>Storage</c> section;
/// <c>api</c> hosts no grains and no store: it is an Orleans client of the silo gateway at <c>Silo:Gateway</c> (host:port).
/// </summary>
public static class EngineHosting
{
    public const string AllRole = "all";
    public const string ApiRole = "api";

    public static WebApplicationBuilder AddPointsMallEngine(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var role = RoleOf(builder.Configuration);
        if (role == ApiRole)
        {
            AddRemoteSilo(builder);
        }
        else
        {
            builder.AddPointsMallSilo();
        }

        // After the silo (registered first, so started first) or the remote client: grain calls work from here on.
        builder.Services.AddHostedService<AdminBootstrap>();
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }

    public static string RoleOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var role = (configuration["Role"] ?? AllRole).Trim().ToLowerInvariant();
        return role is AllRole or ApiRole
            ? role
            : throw new InvalidOperationException($"Role '{configuration["Role"]}' is not one of all (API with an embedded silo) or api (API forwarding to Silo:Gateway).");
    }

    private static void AddRemoteSilo(WebApplicationBuilder builder)
    {
        // Checked now, so a missing setting stops the process at start with its name, not at the first request.
        if (Clustering.Mode(builder.Configuration) == Clustering.Localhost)
        {
            _ = SiloStorage.GatewayEndpoint(builder.Configuration);
        }
        else
        {
            Clustering.Validate(builder.Configuration);
        }

        builder.UseOrleansClient(client =>
        {
            Clustering.Configure(client, builder.Configuration);
            OperatorDashboard.Configure(client, builder.Configuration);
            client.Services.AddSerializer(s => s.AddPointsMallWire());
        });
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Services the API's own endpoints use that the silo setup would otherwise have registered: the payment
        // provider verifies callbacks here. (Across processes its sandbox secret must be configured, not random.)
        builder.Services.AddSandboxPayments();

        // Readiness is the silo's (it reaches its store through a grain); this node has no store of its own.
        builder.Services.AddHealthChecks().AddCheck<SiloGatewayHealthCheck>("silo", tags: ["ready"]);
        builder.Services.PostConfigure<HealthCheckServiceOptions>(o =>
        {
            foreach (var storage in o.Registrations.Where(r => r.Name == "storage").ToList())
            {
                o.Registrations.Remove(storage);
            }
        });
    }
}

/// <summary>In the api role, ready means a grain call through the gateway answers (the silo reached its store).</summary>
internal sealed class SiloGatewayHealthCheck(IClusterClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetGrain<IProgramGrain>(Programs.Default).GetAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("silo gateway ready");
        }
#pragma warning disable CA1031 // Any failure means not ready.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("silo gateway unreachable", ex);
        }
    }
}
