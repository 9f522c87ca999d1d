
namespace PointsMall.Api.Infrastructure;

/// <summary>The stable problem code of the problem+json this response carries (set when the problem is written).</summary>
public sealed record ProblemCodeFeature(string Code);

/// <summary>
/// Logs every request that ended in a refusal (4xx, Information) or a fault (5xx, Warning) with its problem code,
/// under category <c>PointsMall.Api.Requests</c>; successful requests are left to metrics. With
/// <c>Logging:Console:FormatterName=json</c> each is one JSON object whose <c>State</c> holds the fields.
/// </summary>
internal sealed partial class RequestLogging(RequestDelegate next, ILoggerFactory loggers, TimeProvider time)
{
    public const string Category = "PointsMall.Api.Requests";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception ex) when (Log(context, started, StatusCodes.Status500InternalServerError, ex))
        {
            throw; // Not reached: the filter logs and lets the exception go on to the server.
        }

        var status = context.Response.StatusCode;
        if (status >= 400)
        {
            Log(context, started, status, null);
        }
    }

    private bool Log(HttpContext context, long started, int status, Exception? exception)
    {
        if (!_logger.IsEnabled(status >= 500 ? LogLevel.Warning : LogLevel.Information))
        {
            return false;
        }

        var code = context.Features.Get<ProblemCodeFeature>()?.Code ?? (exception is null ? "none" : "internal_error");
        var elapsed = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
        var member = Auth.AuthClaims.SubjectOf(context.User);
        var client = context.Connection.RemoteIpAddress?.ToString();
        var method = context.Request.Method;
        var path = context.Request.Path.ToString();
        var trace = context.TraceIdentifier;
        if (status >= 500)
        {
            LogFault(_logger, exception, method, path, status, code, elapsed, client, member, trace);
        }
        else
        {
            LogRefusal(_logger, method, path, status, code, elapsed, client, member, trace);
        }

        return false;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "{Method} {Path} refused {StatusCode} {ProblemCode} in {ElapsedMs} ms (client {Client}, member {Member}, trace {TraceId})")]
    private static partial void LogRefusal(ILogger logger, string method, string path, int statusCode, string problemCode, double elapsedMs, string? client, string? member, string traceId);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "{Method} {Path} failed {StatusCode} {ProblemCode} in {ElapsedMs} ms (client {Client}, member {Member}, trace {TraceId})")]
    private static partial void LogFault(ILogger logger, Exception? exception, string method, string path, int statusCode, string problemCode, double elapsedMs, string? client, string? member, string traceId);
}

/// <summary>Remembers the code of every problem written through <see cref="IProblemDetailsService"/> for the request log.</summary>
internal static class ProblemCodeCapture
{
    public static IServiceCollection AddProblemCodeCapture(this IServiceCollection services)
        => services.PostConfigure<ProblemDetailsOptions>(o =>
        {
            var customize = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                if (context.ProblemDetails.Extensions.TryGetValue("code", out var code) && code is not null)
                {
                    context.HttpContext.Features.Set(new ProblemCodeFeature(code.ToString() ?? "none"));
                }
            };
        });
}
