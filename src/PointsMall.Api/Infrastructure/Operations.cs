using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using OpenTelemetry.Metrics;
using PointsMall.Hosting;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// What an operator needs around the API: client addresses behind a reverse proxy, request logs of refusals and
/// faults, and OpenTelemetry (traces, and the metrics behind <c>GET /metrics</c>).
/// </summary>
/// <remarks>
/// Forwarded headers (section <c>ForwardedHeaders</c>): <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
/// believed only from loopback (nginx on the same host) and from <c>KnownProxies</c> (addresses) and
/// <c>KnownNetworks</c> (CIDR), given as arrays or as one comma-separated string; <c>Enabled=false</c> turns it off.
/// Per-IP rate limits then count the client's address, not the proxy's.
/// </remarks>
public static class Operations
{
    /// <summary>
    /// Meters of this host exposed on /metrics and to OTLP, besides the .NET runtime's: only this host's instances, by
    /// meter-factory scope. ASP.NET Core's are listed here, not added by OpenTelemetry's ASP.NET Core instrumentation,
    /// whose subscription by name would also read other hosts' instances in the process.
    /// </summary>
    public static readonly IReadOnlyList<string> HostMeters =
    [
        ApiMetrics.MeterName,
        PointsMall.GroupCommit.GroupCommitMetrics.MeterName,
        "Microsoft.Orleans",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
    ];

    public static WebApplicationBuilder AddPointsMallOperations(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var forwarded = builder.Configuration.GetSection("ForwardedHeaders");
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = forwarded.GetValue("ForwardLimit", 1);
            foreach (var proxy in ListOf(forwarded.GetSection("KnownProxies")))
            {
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies entry '{proxy}' is not an IP address."));
            }

            foreach (var network in ListOf(forwarded.GetSection("KnownNetworks")))
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks entry '{network}' is not a CIDR network such as 10.0.0.0/8."));
            }
        });

        var extraMeters = ListOf(builder.Configuration.GetSection("Metrics:Meters"));
        var scraped = builder.Configuration.GetValue("Metrics:Enabled", true);
        builder.AddPointsMallTelemetry("pointsmall-api", HostMeters, sharedMeters: extraMeters, configureMetrics: metrics =>
        {
            if (scraped)
            {
                // Every scrape reads the current numbers: a cached answer would hide what a test or operator just did.
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }
        });
        builder.Services.AddProblemCodeCapture();
        return builder;
    }

    /// <summary>First in the pipeline: fix up the client address, then log how each request ended.</summary>
    public static WebApplication UsePointsMallOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Configuration.GetValue("ForwardedHeaders:Enabled", true))
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<RequestLogging>();
        return app;
    }

    /// <summary>A list from configuration: array entries (<c>Key:0</c>, <c>Key:1</c>) or one comma/space-separated value.</summary>
    internal static IReadOnlyList<string> ListOf(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (section.Value is { } single)
        {
            items.AddRange(single.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return items.Where(i => i.Length > 0).ToList();
    }
}
