using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace PointsMall.Hosting;

/// <summary>
/// OpenTelemetry for both hosts: traces of ASP.NET Core requests, outgoing HttpClient calls and Orleans grain calls
/// (silos and clients propagate the trace with <c>AddActivityPropagation</c>, so a request's trace continues into
/// its grain calls, across processes too); metrics of the given meters (ASP.NET Core's among them) and the .NET runtime.
/// </summary>
/// <remarks>
/// Spans are recorded only when an OTLP endpoint is configured or <c>OpenTelemetry:Tracing:Enabled</c> is true.
/// Nothing leaves the process unless an OTLP endpoint is configured: <c>OpenTelemetry:Otlp:Endpoint</c> or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (then both metrics and traces go there; <c>OpenTelemetry:Otlp:Protocol</c>
/// is <c>grpc</c>, the default, or <c>http/protobuf</c>). The API adds its Prometheus scrape endpoint on top.
/// </remarks>
public static class Telemetry
{
    /// <summary>Orleans' activity sources traced: grain calls, the runtime's own calls, and grain state reads and writes.</summary>
    public static readonly IReadOnlyList<string> OrleansActivitySources =
    [
        ActivitySources.ApplicationGrainActivitySourceName,
        ActivitySources.RuntimeActivitySourceName,
        ActivitySources.StorageActivitySourceName,
    ];

    /// <summary>The name of OpenTelemetry's metrics listener, which metric rules address.</summary>
    private const string OpenTelemetryListener = "OpenTelemetry";

    /// <param name="meters">This host's meters: only the instances its own meter factory created are read.</param>
    /// <param name="sharedMeters">Meters read whoever created them (libraries with a static meter).</param>
    /// <param name="configureMetrics">More for the meter provider, such as a scrape exporter.</param>
    public static IHostApplicationBuilder AddPointsMallTelemetry(
        this IHostApplicationBuilder builder,
        string serviceName,
        IEnumerable<string> meters,
        IEnumerable<string>? sharedMeters = null,
        Action<MeterProviderBuilder>? configureMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(meters);
        var otlp = OtlpEndpoint(builder.Configuration);
        var protocol = OtlpProtocol(builder.Configuration);

        // Meters are enabled by rule rather than with AddMeter, which would read every instance of a meter name in
        // the process: with several hosts in one process (tests) each host's numbers must stay its own.
        foreach (var meter in meters)
        {
            builder.Metrics.EnableMetrics(meter, listenerName: OpenTelemetryListener, scopes: MeterScope.Local);
        }

        foreach (var meter in sharedMeters ?? [])
        {
            builder.Metrics.EnableMetrics(meter, listenerName: OpenTelemetryListener);
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t =>
            {
                // Spans cost CPU on every request and grain call even with nowhere to send them, so they are recorded
                // only when something takes them: an OTLP collector, or OpenTelemetry:Tracing:Enabled (a processor of
                // the host's own, as in tests).
                if (otlp is null && !builder.Configuration.GetValue("OpenTelemetry:Tracing:Enabled", false))
                {
                    return;
                }

                t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource([.. OrleansActivitySources]);
                if (otlp is not null)
                {
                    t.AddOtlpExporter(o => Configure(o, otlp, protocol, "v1/traces"));
                }
            })
            .WithMetrics(m =>
            {
                // The runtime's meter (System.Runtime) is one per process, so subscribing it by name is right.
                m.AddRuntimeInstrumentation();
                configureMetrics?.Invoke(m);
                if (otlp is not null)
                {
                    m.AddOtlpExporter(o => Configure(o, otlp, protocol, "v1/metrics"));
                }
            });
        return builder;
    }

    /// <summary>The OTLP collector's address, or null when no export is configured.</summary>
    internal static Uri? OtlpEndpoint(IConfiguration configuration)
    {
        var text = configuration["OpenTelemetry:Otlp:Endpoint"];
        if (string.IsNullOrWhiteSpace(text))
        {
            // Environment variables are part of the configuration of both hosts.
            text = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"OpenTelemetry:Otlp:Endpoint '{text}' is not an absolute URL such as http://localhost:4317.");
    }

    private static OtlpExportProtocol OtlpProtocol(IConfiguration configuration)
    {
        var text = configuration["OpenTelemetry:Otlp:Protocol"] ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "grpc";
        return text.Trim().ToLowerInvariant() switch
        {
            "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new InvalidOperationException($"OpenTelemetry:Otlp:Protocol '{text}' is not one of grpc or http/protobuf."),
        };
    }

    private static void Configure(OtlpExporterOptions options, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        options.Protocol = protocol;

        // An address set in code is used as is, and over HTTP each signal has its own path under the base address.
        options.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }
}
