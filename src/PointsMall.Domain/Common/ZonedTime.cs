namespace PointsMall.Domain.Common;

/// <summary>Calendar arithmetic in a programme's time zone (days, month ends, sign-in dates).</summary>
public static class ZonedTime
{
    /// <summary>The programme's time zone by default (mainland China, no DST).</summary>
    public static TimeZoneInfo China => TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).DateTime;

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(ToLocal(instant, zone));

    /// <summary>
    /// The instant of a local wall-clock time. A time skipped by a DST jump maps to the first valid
    /// instant after it; an ambiguous time takes the earlier (standard-offset-before-change) reading.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(unspecified)
            ? zone.GetAmbiguousTimeOffsets(unspecified).Max()
            : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }

    /// <summary>Start of a local calendar day as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone) =>
        ToInstant(date.ToDateTime(TimeOnly.MinValue), zone);

    /// <summary>A birthday's date in <paramref name="year"/>: 29 February is kept on 28 February in other years.</summary>
    public static DateOnly Anniversary(DateOnly date, int year) =>
        new(year, date.Month, Math.Min(date.Day, DateTime.DaysInMonth(year, date.Month)));
}
