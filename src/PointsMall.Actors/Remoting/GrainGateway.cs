using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PointsMall.Actors.Runtime;

namespace PointsMall.Actors.Remoting;

/// <summary>Options of the silo gateway.</summary>
public sealed class GrainGatewayOptions
{
    /// <summary>When set, every call must carry it (header <c>pm-gateway-secret</c>); API nodes configure the same value.</summary>
    public string? Secret { get; set; }
}

public static class GrainGatewayEndpoints
{
    /// <summary>
    /// Maps the silo gateway (<c>POST /silo/v1/calls</c>, <c>GET /silo/v1/ready</c>): grain calls from API nodes
    /// in other processes run here as local calls, so each reply still waits for durability. Serve it over HTTP/2.
    /// </summary>
    public static RouteGroupBuilder MapGrainGateway(this IEndpointRouteBuilder endpoints, GrainGatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var gateway = new GrainGateway(
            services.GetRequiredService<GrainRuntime>(),
            options ?? new GrainGatewayOptions(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<GrainGateway>());
        var group = endpoints.MapGroup("");
        group.MapPost(GrainWire.CallsPath, (RequestDelegate)gateway.HandleCallAsync);
        group.MapGet(GrainWire.ReadyPath, (RequestDelegate)gateway.HandleReadyAsync);
        return group;
    }
}

/// <summary>The server side of remote grain calls: see <see cref="GrainWire"/> for the protocol.</summary>
internal sealed partial class GrainGateway(GrainRuntime runtime, GrainGatewayOptions options, ILogger<GrainGateway> logger)
{
    private readonly byte[]? _secret = string.IsNullOrEmpty(options.Secret) ? null : Encoding.UTF8.GetBytes(options.Secret);

    public async Task HandleCallAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Authorized(request))
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "gateway_secret", "The gateway secret is missing or wrong: Silo:GatewaySecret must be the same on the API and the silo.").ConfigureAwait(false);
            return;
        }

        var grainType = request.Headers[GrainWire.GrainTypeHeader].ToString();
        var escapedKey = request.Headers[GrainWire.GrainKeyHeader];
        var methodId = Uri.UnescapeDataString(request.Headers[GrainWire.MethodHeader].ToString());
        if (grainType.Length == 0 || escapedKey.Count != 1 || methodId.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "bad_call", $"A call needs the headers {GrainWire.GrainTypeHeader}, {GrainWire.GrainKeyHeader} and {GrainWire.MethodHeader}.").ConfigureAwait(false);
            return;
        }

        if (!runtime.Catalog.Hosts(grainType))
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, "unknown_grain_type", $"This silo hosts no grain type '{grainType}'.").ConfigureAwait(false);
            return;
        }

        var method = RemoteMethods.Find(grainType, methodId);
        if (method is null)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, "unknown_method", $"Grain type '{grainType}' has no method '{methodId}' here: the API and the silo were built from different grain contracts.").ConfigureAwait(false);
            return;
        }

        var grain = new GrainId(grainType, Uri.UnescapeDataString(escapedKey.ToString()));
        Task<byte[]?> reply;
        try
        {
            using var arguments = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted).ConfigureAwait(false);

            // The request is rebuilt (arguments copied out of the document) before InvokeAsync returns.
            reply = method.InvokeAsync(runtime, grain, arguments.RootElement, GrainJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or RemoteArgumentsException)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "bad_arguments", ex.Message).ConfigureAwait(false);
            return;
        }

        byte[]? result;
        try
        {
            // The local call: answered only once what it changed is durable.
            result = await reply.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the call threw belongs to the remote caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await WriteFaultAsync(context, grain, methodId, ex).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (result is null)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = result.Length;
        await response.Body.WriteAsync(result, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task HandleReadyAsync(HttpContext context)
    {
        if (!Authorized(context.Request))
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "gateway_secret", "The gateway secret is missing or wrong: Silo:GatewaySecret must be the same on the API and the silo.").ConfigureAwait(false);
            return;
        }

        if (!runtime.IsAccepting)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "unavailable", "The silo is not running.").ConfigureAwait(false);
            return;
        }

        try
        {
            await runtime.Store.PingAsync(context.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any storage failure means not ready.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "unavailable", $"The silo cannot reach its {runtime.Store.Name} store: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.WriteAsync($"ready ({runtime.Store.Name})", context.RequestAborted).ConfigureAwait(false);
    }

    private bool Authorized(HttpRequest request)
    {
        if (_secret is null)
        {
            return true;
        }

        var presented = request.Headers[GrainWire.SecretHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret);
    }

    private async Task WriteFaultAsync(HttpContext context, GrainId grain, string methodId, Exception exception)
    {
        var fault = GrainWire.ToFault(exception);
        if (fault.Kind == GrainWire.ThrownFault)
        {
            LogGrainFault(logger, grain, methodId, fault.Type);
        }
        else
        {
            LogRuntimeFault(logger, grain, methodId, fault.Kind, fault.Message);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return; // The caller gave up (its timeout): nobody to answer.
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status500InternalServerError;
        response.ContentType = GrainWire.FaultMediaType;
        await JsonSerializer.SerializeAsync(response.Body, fault, GrainJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new GatewayProblem("The silo gateway refused the call", status, code, detail),
            GrainJson.Options,
            "application/problem+json",
            context.RequestAborted);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Remote call {Grain}.{Method} threw {ExceptionType}")]
    private static partial void LogGrainFault(ILogger logger, GrainId grain, string method, string exceptionType);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Remote call {Grain}.{Method} failed in the runtime ({Kind}): {Detail}")]
    private static partial void LogRuntimeFault(ILogger logger, GrainId grain, string method, string kind, string detail);
}

/// <summary>The gateway's own refusals, shaped like RFC 7807 problems.</summary>
internal sealed record GatewayProblem(string Title, int Status, string Code, string Detail);
