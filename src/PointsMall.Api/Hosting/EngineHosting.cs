using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PointsMall.Actors;
using PointsMall.Actors.Remoting;
using PointsMall.Payments;
using PointsMall.Hosting;

namespace PointsMall.Api.Hosting;

/// <summary>
/// Where the API's grain calls go, by configuration <c>Role</c> (<c>--role</c> on the command line):
/// <c>all</c> (the default) co-hosts a silo in this process with the store from the <c>Storage</c> section;
/// <c>api</c> hosts no grains and no store and forwards every call to the silo at <c>Silo:Gateway</c> over HTTP/2.
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
        var silo = builder.Configuration.GetSection("Silo");
        var gateway = silo["Gateway"];
        if (string.IsNullOrWhiteSpace(gateway) || !Uri.TryCreate(gateway, UriKind.Absolute, out var gatewayUri))
        {
            throw new InvalidOperationException("Role api needs Silo:Gateway, the silo's URL (e.g. --silo:gateway http://127.0.0.1:5090).");
        }

        // The client waits a little longer than the silo does, so a timeout inside the silo arrives as its answer.
        var timeout = silo.GetValue<TimeSpan?>("RemoteCallTimeout") ?? (silo.GetValue<TimeSpan?>("CallTimeout") ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromSeconds(5);
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Services the API's own endpoints use that the silo setup would otherwise have registered: the payment
        // provider verifies callbacks here. (Across processes its sandbox secret must be configured, not random.)
        builder.Services.AddSandboxPayments();
        builder.Services.AddRemoteGrainClient(o =>
        {
            o.Gateway = gatewayUri;
            o.Secret = silo["GatewaySecret"];
            o.CallTimeout = timeout;
        });

        // Readiness is the silo's (it checks its store); this node has no store of its own.
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

/// <summary>In the api role, ready means the silo gateway answers and reaches its store.</summary>
internal sealed class SiloGatewayHealthCheck(RemoteGrainClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"silo gateway {client.Gateway} ready");
        }
        catch (SiloUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}
