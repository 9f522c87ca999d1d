using System.Diagnostics.Metrics;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// The API's business metrics (meter <c>PointsMall.Api</c>): what a shopper asked for and how it ended. Refusals are
/// tagged with their stable problem code so a dashboard shows "sold_out vs insufficient_points" without log parsing.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "PointsMall.Api";

    private readonly Counter<long> _redemptions;
    private readonly Counter<long> _draws;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _limiterUnavailable;

    public ApiMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _redemptions = meter.CreateCounter<long>("pointsmall.redemptions", "{order}", "Redemptions accepted (orders placed).");
        _draws = meter.CreateCounter<long>("pointsmall.lottery.draws", "{draw}", "Lottery draws performed.");
        _refusals = meter.CreateCounter<long>("pointsmall.refusals", "{request}", "Requests refused, by operation and problem code.");
        _limiterUnavailable = meter.CreateCounter<long>(
            "pointsmall.ratelimit.unavailable", "{request}", "Limited requests decided without the shared limiter (Redis down), by what was done: let through (open) or refused (closed).");
    }

    public void Redeemed(string payment) => _redemptions.Add(1, new KeyValuePair<string, object?>("payment", payment));

    public void Drew(bool won) => _draws.Add(1, new KeyValuePair<string, object?>("won", won));

    /// <summary>A limited request decided without Redis: <paramref name="mode"/> is <c>open</c> (let through) or <c>closed</c> (refused).</summary>
    public void RateLimiterUnavailable(string mode) => _limiterUnavailable.Add(1, new KeyValuePair<string, object?>("mode", mode));

    /// <summary>A refusal of <paramref name="operation"/> (redemption, draw, sign_in, …) with its problem code.</summary>
    public void Refused(string operation, string code)
        => _refusals.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("code", code));
}
