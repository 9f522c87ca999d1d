using System.Text.Json.Serialization;

namespace PointsMall.Domain.Rules;

/// <summary>
/// A loyalty programme's rules as one versioned value: how points are earned, how tiers are reached, when lots
/// expire, and the time zone that decides what "a day" is for sign-ins, task caps and calendar expiry.
/// </summary>
public sealed record ProgramRules(int Version, string TimeZoneId, EarnRules Earn, TierPolicy Tiers, ExpiryPolicy Expiry)
{
    public static ProgramRules Default { get; } = new(1, "Asia/Shanghai", EarnRules.Default, TierPolicy.Default, ExpiryPolicy.RollingMonths(12));

    [JsonIgnore]
    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
}
