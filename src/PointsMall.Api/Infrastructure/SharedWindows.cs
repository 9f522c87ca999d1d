using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// Fixed windows counted in Redis (RedisRateLimiting), each wrapped so that a Redis failure decides the request as
/// the operator chose (let through, or refused with <see cref="Unavailable"/> on the lease) instead of throwing
/// into the request pipeline.
/// </summary>
public sealed partial class SharedWindows(IConnectionMultiplexer redis, bool failOpen, ApiMetrics metrics, ILogger<SharedWindows> logger)
{
    /// <summary>Set on a refused lease when the refusal is Redis being unreachable, not the limit.</summary>
    public static readonly MetadataName<bool> Unavailable = new("pointsmall.ratelimit.unavailable");

    public RateLimitPartition<string> Partition(string key, int limit, TimeSpan window)
    {
        var inner = RedisRateLimitPartition.GetFixedWindowRateLimiter(
            "pointsmall:ratelimit:" + key,
            _ => new RedisFixedWindowRateLimiterOptions { ConnectionMultiplexerFactory = () => redis, PermitLimit = limit, Window = window });
        return RateLimitPartition.Get(key, _ => new FailSafe(inner.Factory(inner.PartitionKey), this));
    }

    private Decided Decide(Exception ex)
    {
        LogUnavailable(logger, failOpen ? "let through" : "refused", ex.GetType().Name, ex.Message);
        metrics.RateLimiterUnavailable(failOpen ? RateLimits.Open : RateLimits.Closed);
        return failOpen ? Decided.Permitted : Decided.Refused;
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared rate limiter could not reach Redis, so the request was {Decision}: {Error}: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string decision, string error, string detail);

    private sealed class FailSafe(RateLimiter inner, SharedWindows owner) : RateLimiter
    {
        public override TimeSpan? IdleDuration => inner.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            try
            {
                return inner.AttemptAcquire(permitCount);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                return owner.Decide(ex);
            }
        }

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.AcquireAsync(permitCount, cancellationToken);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                return owner.Decide(ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Decided(bool acquired) : RateLimitLease
    {
        public static readonly Decided Permitted = new(true);
        public static readonly Decided Refused = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => acquired ? [] : [Unavailable.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !acquired && metadataName == Unavailable.Name ? true : null;
            return metadata is not null;
        }
    }
}
