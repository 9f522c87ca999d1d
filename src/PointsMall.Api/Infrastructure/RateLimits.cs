using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StackExchange.Redis;

namespace PointsMall.Api.Infrastructure;

/// <summary>Marks an endpoint whose calls count against the shopper limits (redemptions, draws, sign-ins).</summary>
public sealed record ShopperRateLimited(string Operation);

/// <summary>Per-member and per-IP limits from the <c>RateLimits</c> section; a limit of 0 turns that limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Calls one member may make per window on each limited operation.</summary>
    public int PerMember { get; set; } = 20;

    /// <summary>Calls one client address may make per window on each limited operation; 0 for trusted gateways and load generators.</summary>
    public int PerIp { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A StackExchange.Redis configuration string (e.g. <c>127.0.0.1:6379,abortConnect=false</c>): the windows are
    /// then counted in Redis, shared by every API node. Empty: counted in this process.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>With Redis configured but unreachable: <c>open</c> lets limited requests through, <c>closed</c> refuses them (503).</summary>
    public string WhenRedisDown { get; set; } = RateLimits.Open;
}

/// <summary>
/// Shopper rate limits. Both limits must hold, so they are one chained global limiter whose partitions are
/// "no limit" except on endpoints marked <see cref="ShopperRateLimited"/>; a refusal is a 429 problem with
/// <c>code = rate_limited</c> and a <c>Retry-After</c> header. With <see cref="RateLimitOptions.Redis"/> the fixed
/// windows live in Redis (RedisRateLimiting: one atomic script per request), so the limits hold across API nodes;
/// if Redis cannot be reached the request is let through or refused as <see cref="RateLimitOptions.WhenRedisDown"/>
/// says, logged and counted, never a 500.
/// </summary>
public static partial class RateLimits
{
    public const string Redemptions = "redemption";
    public const string Draws = "draw";
    public const string SignIns = "sign_in";

    public const string Open = "open";
    public const string Closed = "closed";

    /// <summary>Counts this endpoint's calls against the per-member and per-IP limits of <paramref name="operation"/>.</summary>
    public static TBuilder RequireShopperRateLimit<TBuilder>(this TBuilder builder, string operation)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ShopperRateLimited(operation));

    public static IServiceCollection AddShopperRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.WhenRedisDown is not (Open or Closed))
        {
            throw new InvalidOperationException($"RateLimits:WhenRedisDown '{options.WhenRedisDown}' is not one of open or closed.");
        }

        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            // abortConnect=false: the API starts, and reconnects by itself, while Redis is away.
            var redis = ConfigurationOptions.Parse(options.Redis);
            redis.AbortOnConnectFail = false;
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        }

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            var shared = string.IsNullOrWhiteSpace(options.Redis)
                ? null
                : new SharedWindows(sp.GetRequiredService<IConnectionMultiplexer>(), options.WhenRedisDown == Open, sp.GetRequiredService<ApiMetrics>(), sp.GetRequiredService<ILogger<SharedWindows>>());
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Partitioned("member", options.PerMember, options.Window, shared, c => Auth.AuthClaims.SubjectOf(c.User)),
                Partitioned("ip", options.PerIp, options.Window, shared, c => c.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
            o.OnRejected = OnRejectedAsync(options);
        });
        return services;
    }

    private static Func<OnRejectedContext, CancellationToken, ValueTask> OnRejectedAsync(RateLimitOptions options) => async (context, cancellationToken) =>
    {
        var http = context.HttpContext;
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<ShopperRateLimited>()?.Operation ?? "request";
        var unavailable = context.Lease.TryGetMetadata(SharedWindows.Unavailable, out _);
        var retryAfter = !unavailable && context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var code = unavailable ? "rate_limiter_unavailable" : "rate_limited";
        http.RequestServices.GetRequiredService<ApiMetrics>().Refused(operation, code);
        var problem = unavailable
            ? ApiProblems.Of(code, $"The request limiter is unavailable, so {operation} requests are refused for now; retry after {seconds} s.")
            : ApiProblems.Of(code, $"Too many {operation} requests; retry after {seconds} s.");
        await problem.ExecuteAsync(http);
    };

    private static PartitionedRateLimiter<HttpContext> Partitioned(string scope, int limit, TimeSpan window, SharedWindows? shared, Func<HttpContext, string?> keyOf)
        => PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var operation = context.GetEndpoint()?.Metadata.GetMetadata<ShopperRateLimited>()?.Operation;
            var key = operation is null || limit <= 0 ? null : keyOf(context);
            if (key is null)
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }

            var partition = $"{operation}|{scope}|{key}";
            return shared is null
                ? RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 })
                : shared.Partition(partition, limit, window);
        });
}
