using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Rules;

[JsonConverter(typeof(JsonStringEnumConverter<ExpiryKind>))]
public enum ExpiryKind
{
    /// <summary>Points never expire.</summary>
    Never,

    /// <summary>Each lot expires <c>Periods</c> days after it was earned (same local time of day).</summary>
    RollingDays,

    /// <summary>Each lot expires <c>Periods</c> months after it was earned (day clamped to month length).</summary>
    RollingMonths,

    /// <summary>Fixed calendar: at the end of the month, <c>Periods</c> months after the one it was earned in.</summary>
    EndOfMonth,

    /// <summary>Fixed calendar: end of quarter, <c>Periods</c> quarters after the earning quarter.</summary>
    EndOfQuarter,

    /// <summary>Fixed calendar: end of year, <c>Periods</c> years after the earning year.</summary>
    EndOfYear,
}

/// <summary>
/// A programme's expiry policy. Calendar boundaries are taken in the programme's time zone;
/// "end of a period" is the first instant of the next period (the lot counts up to, not including, it).
/// For the fixed-calendar kinds, <see cref="Periods"/> = 0 means the end of the period the lot was earned in.
/// </summary>
public sealed record ExpiryPolicy(ExpiryKind Kind, int Periods)
{
    public static ExpiryPolicy Never { get; } = new(ExpiryKind.Never, 0);

    public static ExpiryPolicy RollingDays(int days) => new(ExpiryKind.RollingDays, days);

    public static ExpiryPolicy RollingMonths(int months) => new(ExpiryKind.RollingMonths, months);

    public static ExpiryPolicy EndOfMonth(int periodsAfter = 0) => new(ExpiryKind.EndOfMonth, periodsAfter);

    public static ExpiryPolicy EndOfQuarter(int periodsAfter = 0) => new(ExpiryKind.EndOfQuarter, periodsAfter);

    public static ExpiryPolicy EndOfYear(int periodsAfter = 0) => new(ExpiryKind.EndOfYear, periodsAfter);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Kind is ExpiryKind.RollingDays or ExpiryKind.RollingMonths && Periods <= 0)
        {
            errors.Add("periods must be positive for a rolling policy");
        }

        if (Periods < 0)
        {
            errors.Add("periods must not be negative");
        }

        return errors;
    }

    /// <summary>When a lot earned at <paramref name="earnedAt"/> expires, or null for never.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset earnedAt, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Validate() is { Count: > 0 } errors)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        var local = ZonedTime.ToLocal(earnedAt, zone);
        var firstOfMonth = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return Kind switch
        {
            ExpiryKind.Never => null,
            ExpiryKind.RollingDays => ZonedTime.ToInstant(local.AddDays(Periods), zone),
            ExpiryKind.RollingMonths => ZonedTime.ToInstant(local.AddMonths(Periods), zone),
            ExpiryKind.EndOfMonth => ZonedTime.ToInstant(firstOfMonth.AddMonths(Periods + 1), zone),
            ExpiryKind.EndOfQuarter => ZonedTime.ToInstant(
                firstOfMonth.AddMonths(-((local.Month - 1) % 3)).AddMonths(3 * (Periods + 1)), zone),
            ExpiryKind.EndOfYear => ZonedTime.ToInstant(
                new DateTime(local.Year + Periods + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), zone),
            _ => throw new InvalidOperationException($"Unknown expiry kind {Kind}."),
        };
    }
}
