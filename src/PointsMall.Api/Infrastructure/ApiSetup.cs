using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using PointsMall.Api.Auth;
using PointsMall.Grains.Messages;
using PointsMall.Api.Operators;
using PointsMall.Domain.Operators;
using PointsMall.Hosting;

namespace PointsMall.Api.Infrastructure;

/// <summary>The API's cross-cutting pieces: JSON, problem details, bearer tokens (JWT access tokens), roles, OpenAPI.</summary>
public static class ApiSetup
{
    public const string MemberPolicy = "member";
    public const string AdminPolicy = "admin";

    public static WebApplicationBuilder AddPointsMallApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // The server's name and version help only an attacker.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            RequestValidation.Normalise(context);

            // Every problem carries a stable code, including the ones the framework writes (401, 404, 415, …).
            if (!context.ProblemDetails.Extensions.ContainsKey("code"))
            {
                context.ProblemDetails.Extensions["code"] = ApiProblems.CodeForStatus(context.ProblemDetails.Status);
            }
        });
        services.AddValidation();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddPointsMallBearer(builder.Configuration).AddDashboardCookie();
        services.AddAuthorizationBuilder()
            .AddPolicy(MemberPolicy, p => p.RequireRole(AuthClaims.MemberRole))
            .AddPolicy(AdminPolicy, p => p.RequireRole(AuthClaims.AdminRole).AddRequirements(new OperatorPermissions.PermissionRequirement(Permission.ConsoleRead)))
            .AddPolicy(DashboardEndpoint.Policy, p => p
                .AddAuthenticationSchemes(AuthSetup.BearerScheme, DashboardEndpoint.CookieScheme)
                .RequireRole(AuthClaims.AdminRole))
            .AddPermissionPolicies();

        // The dashboard cookie is protected by data-protection keys, and the generated token signing key lives in the
        // same folder: keeping them on disk lets both survive a restart and lets several API nodes that share the
        // folder accept each other's tokens and cookies.
        var keys = builder.Configuration["DataProtection:KeysPath"] ?? "./data/keys";
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keys)).SetApplicationName("PointsMall");
        services.AddMetrics();
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<Orders.SoldOutHints>();
        services.AddSingleton<Members.MemberTokens>();
        services.AddMessaging(builder.Configuration);

        // Sign-ins, product views and searches, handed to the analytics' day grains in batches.
        services.AddOptions<Contracts.Analytics.AnalyticsOptions>().BindConfiguration(Contracts.Analytics.AnalyticsOptions.Section);
        services.AddSingleton<Analytics.ShopperActivityRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Analytics.ShopperActivityRecorder>());

        // One logistics provider today, the sandbox carrier; a real one (a carrier's or an aggregator's API) goes here.
        services.AddSingleton<Orders.Logistics.ILogisticsProvider, Orders.Logistics.SandboxCarrier>();
        services.AddOptions<OperatorOptions>().BindConfiguration("Operators");
        services.AddOptions<Tasks.PartnerOptions>().BindConfiguration(Tasks.PartnerOptions.Section);
        services.AddShopperRateLimits(builder.Configuration);
        services.AddPointsMallOpenApi();
        services.AddHealthChecks().AddStoreCheck();
        builder.AddPointsMallOperations();
        return builder;
    }

    public static WebApplication UsePointsMallApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UsePointsMallOperations();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAdminAudit();
        app.UseRateLimiter();
        return app;
    }
}

/// <summary>Turns faults into problems: a malformed request is the client's 400, an engine hiccup is a 503, never a bare 500.</summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge => (413, "payload_too_large", "The request body is too large."),
            BadHttpRequestException bad => (400, "validation_failed", bad.InnerException?.Message ?? bad.Message),
            System.Text.Json.JsonException json => (400, "validation_failed", json.Message),
            // The engine's own faults: a silo lost or unreachable, its store failing or fencing a write, an error it
            // could not even carry back to this node. Grains answer refusals as values, so these are never the
            // client's fault; a retry with the same Idempotency-Key gives the first outcome if it was applied.
            // A store error can also surface raw (a database timeout while an activation reads its state), and so can
            // a cancellation inside the engine that the client did not ask for.
            TimeoutException or PointsMall.GroupCommit.GrainStorageCommitException or Orleans.Runtime.OrleansException or Orleans.Serialization.CodecNotFoundException
                or System.Data.Common.DbException
                => (503, "unavailable", Unavailable),
            OperationCanceledException when !httpContext.RequestAborted.IsCancellationRequested => (503, "unavailable", Unavailable),
            _ => (500, "internal_error", "An unexpected error occurred."),
        };
        if (status >= 500)
        {
            LogFault(logger, exception, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail, Extensions = { ["code"] = code } },
        });
    }

    private const string Unavailable = "The engine could not complete the request. Retry it: with the same Idempotency-Key a retry gives the first outcome if this one was applied.";

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Request {Path} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string path);
}
