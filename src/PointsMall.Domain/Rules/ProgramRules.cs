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

    /// <summary>
    /// Everything wrong with these rules (empty when they can be used). An operator's edit is checked here
    /// before it replaces the running rules, so a member grain never meets rules it cannot apply.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Version < 1)
        {
            errors.Add("version must be at least 1");
        }

        if (!IsKnownTimeZone(TimeZoneId))
        {
            errors.Add($"time zone '{TimeZoneId}' is unknown");
        }

        if (Earn is null || Tiers is null || Expiry is null)
        {
            errors.Add("earn rules, tier policy and expiry policy are required");
            return errors;
        }

        errors.AddRange(Earn.Validate());
        errors.AddRange(Tiers.Validate());
        errors.AddRange(Expiry.Validate());
        return errors;
    }

    /// <summary>A time zone id this system knows (IANA, e.g. Asia/Shanghai).</summary>
    public static bool IsKnownTimeZone(string? id) => !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
