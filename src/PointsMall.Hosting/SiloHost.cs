using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Hosting;

/// <summary>
/// The silo process: an Orleans silo (<see cref="SiloStorage"/>) whose gateway API nodes connect to, and health
/// endpoints over HTTP. Configuration as in any ASP.NET Core app (appsettings, env vars such as
/// <c>Storage__Provider</c>, command line such as <c>--urls</c> or <c>--orleans:gatewayport</c>).
/// </summary>
public static class SiloHost
{
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>Builds the silo host; <paramref name="configure"/> may add configuration sources first (tests do).</summary>
    public static WebApplication Build(string[] args, Action<ConfigurationManager>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["Urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddPointsMallSilo();

        // No scrape endpoint here: the silo's telemetry leaves only by OTLP, when configured.
        builder.AddPointsMallTelemetry("pointsmall-silo", [GroupCommitMetrics.MeterName, "Microsoft.Orleans"]);
        builder.Services.AddHealthChecks().AddStoreCheck();

        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>Readiness includes storage: a node that cannot reach its store should not get calls.</summary>
public sealed class StoreHealthCheck(IGrainStore store, GroupCommitGrainStorage storage) : IHealthCheck
{
    /// <summary>
    /// A failed commit this recent makes the node not ready even if the store answers reads: a full disk or a
    /// read-only file refuses only writes. Older failures are forgotten, so a node taken out of rotation (and so given
    /// no writes to prove it healthy) comes back and tries again.
    /// </summary>
    public static readonly TimeSpan FailedWritesWindow = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the store may take to answer the probe: a stalled store (a hung disk, a frozen database) is
    /// reported as not ready instead of holding the probe, and the load balancer's, until it returns.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // WaitAsync: the answer comes at the timeout even from a store call that ignores cancellation.
            await store.PingAsync(cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (storage.FailingWrites is { } failing && failing.SinceLast < FailedWritesWindow)
            {
                return HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                    $"{store.Name} refuses writes (for {failing.Duration.TotalSeconds:0} s): {failing.Reason}"));
            }

            return HealthCheckResult.Healthy($"{store.Name} reachable");
        }
#pragma warning disable CA1031 // Any failure means not ready.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"{store.Name} unreachable", ex);
        }
    }
}

public static class StoreHealthCheckRegistration
{
    /// <summary>The <c>storage</c> readiness check (tag <c>ready</c>), bounded by <see cref="StoreHealthCheck.Timeout"/>.</summary>
    public static IHealthChecksBuilder AddStoreCheck(this IHealthChecksBuilder builder)
        => builder.AddCheck<StoreHealthCheck>("storage", failureStatus: null, tags: ["ready"], timeout: StoreHealthCheck.Timeout);
}
