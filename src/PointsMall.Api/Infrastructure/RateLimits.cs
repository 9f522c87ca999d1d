using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;

namespace PointsMall.Api.Infrastructure;

/// <summary>Marks an endpoint whose calls count against the shopper limits (redemptions, draws).</summary>
public sealed record ShopperRateLimited(string Operation);

/// <summary>Per-member and per-IP limits from the <c>RateLimits</c> section; a limit of 0 turns that limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Calls one member may make per window on each limited operation.</summary>
    public int PerMember { get; set; } = 20;

    /// <summary>Calls one client address may make per window on each limited operation; 0 for trusted gateways and load generators.</summary>
    public int PerIp { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Shopper rate limits. Both limits must hold, so they are one chained global limiter whose partitions are
/// "no limit" except on endpoints marked <see cref="ShopperRateLimited"/>; a refusal is a 429 problem with
/// <c>code = rate_limited</c> and a <c>Retry-After</c> header.
/// </summary>
public static class RateLimits
{
    public const string Redemptions = "redemption";
    public const string Draws = "draw";

    /// <summary>Counts this endpoint's calls against the per-member and per-IP limits of <paramref name="operation"/>.</summary>
    public static TBuilder RequireShopperRateLimit<TBuilder>(this TBuilder builder, string operation)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ShopperRateLimited(operation));

    public static IServiceCollection AddShopperRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Partitioned(options.PerMember, options.Window, c => c.User.FindFirstValue(ClaimTypes.NameIdentifier)),
                Partitioned(options.PerIp, options.Window, c => c.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var operation = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ShopperRateLimited>()?.Operation ?? "request";
                context.HttpContext.RequestServices.GetRequiredService<ApiMetrics>().Refused(operation, "rate_limited");
                await ApiProblems.Of("rate_limited", $"Too many {operation} requests; retry after {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(int limit, TimeSpan window, Func<HttpContext, string?> keyOf)
        => PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var operation = context.GetEndpoint()?.Metadata.GetMetadata<ShopperRateLimited>()?.Operation;
            var key = operation is null || limit <= 0 ? null : keyOf(context);
            return key is null
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetFixedWindowLimiter(operation + "|" + key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = window,
                    QueueLimit = 0,
                });
        });
}
