using System.Net;

namespace PointsMall.Api.Infrastructure;

/// <summary>Who may read <c>GET /metrics</c> (configuration <c>Metrics:Access</c>).</summary>
public enum MetricsAccess
{
    /// <summary>The default: clients on this machine (a local Prometheus or agent) and <c>Metrics:AllowedNetworks</c>.</summary>
    Loopback,

    /// <summary>Callers with an admin bearer token.</summary>
    Admin,

    /// <summary>Anyone who can reach the port (put it behind a private network).</summary>
    Anyone,
}

/// <summary>Section <c>Metrics</c>.</summary>
public sealed class MetricsEndpointOptions
{
    public bool Enabled { get; set; } = true;

    public MetricsAccess Access { get; set; } = MetricsAccess.Loopback;
}

/// <summary>
/// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter over the API, Orleans, runtime and ASP.NET Core meters
/// (<see cref="Operations.HostMeters"/>). Open to loopback
/// clients by default (the client address is the forwarded one behind a trusted proxy, so a public request relayed
/// by nginx is refused); <c>Metrics:Access=Admin</c> requires an admin token, <c>Anyone</c> opens it.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static WebApplication MapMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var section = app.Configuration.GetSection("Metrics");
        var options = section.Get<MetricsEndpointOptions>() ?? new MetricsEndpointOptions();
        if (!options.Enabled)
        {
            return app;
        }

        var allowed = Operations.ListOf(section.GetSection("AllowedNetworks"))
            .Select(n => System.Net.IPNetwork.TryParse(n, out var network)
                ? network
                : throw new InvalidOperationException($"Metrics:AllowedNetworks entry '{n}' is not a CIDR network such as 10.0.0.0/8."))
            .ToList();

        // The exporter answers in a branch of its own; the address check runs first in that branch.
        var endpoint = app.MapPrometheusScrapingEndpoint(
                Path,
                meterProvider: null,
                configureBranchedPipeline: branch => branch.Use(async (context, next) =>
                {
                    if (options.Access == MetricsAccess.Loopback && !IsAllowed(context.Connection.RemoteIpAddress, allowed))
                    {
                        await ApiProblems.Of("forbidden", "Metrics are served to local clients only (see Metrics:Access and Metrics:AllowedNetworks).")
                            .ExecuteAsync(context).ConfigureAwait(false);
                        return;
                    }

                    await next(context).ConfigureAwait(false);
                }),
                optionsName: null)
            .ExcludeFromDescription();
        if (options.Access == MetricsAccess.Admin)
        {
            endpoint.RequireAuthorization(ApiSetup.AdminPolicy);
        }

        return app;
    }

    private static bool IsAllowed(IPAddress? client, List<System.Net.IPNetwork> allowed)
    {
        if (client is null)
        {
            return false;
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        return IPAddress.IsLoopback(client) || allowed.Exists(n => n.Contains(client));
    }
}
