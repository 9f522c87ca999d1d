using System.Globalization;

namespace PointsMall.Contracts.Analytics;

/// <summary>Where the analytics' days begin and end (<c>Analytics:TimeZone</c>, Asia/Shanghai by default), and whether they are recorded.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>Off: orders and members publish no activity and the API records none (for measuring what recording costs).</summary>
    public bool Enabled { get; set; } = true;

    public string TimeZone { get; set; } = "Asia/Shanghai";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

/// <summary>The day grains' keys: local dates as <c>yyyy-MM-dd</c>.</summary>
public static class AnalyticsDays
{
    public static string Key(DateTimeOffset at, TimeZoneInfo zone) => Key(Date(at, zone));

    /// <summary>The local date of <paramref name="at"/> in <paramref name="zone"/>.</summary>
    public static DateOnly Date(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    public static string Key(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The retention the analytics keep: of the members who joined on a day, how many were active 1, 7 and 30 days later.</summary>
public static class Retention
{
    public static IReadOnlyList<int> Days { get; } = [1, 7, 30];
}
