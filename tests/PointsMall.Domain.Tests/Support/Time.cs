using PointsMall.Domain.Common;

namespace PointsMall.Domain.Tests.Support;

internal static class Time
{
    public static TimeZoneInfo Shanghai => ZonedTime.China;

    /// <summary>A wall-clock time in Shanghai (UTC+8).</summary>
    public static DateTimeOffset Cn(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(8));
}
