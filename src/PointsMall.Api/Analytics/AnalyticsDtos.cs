using Microsoft.AspNetCore.Mvc;
using PointsMall.Contracts.Analytics;

namespace PointsMall.Api.Analytics;

/// <summary>A range of local dates, <c>yyyy-MM-dd</c>.</summary>
public sealed record AnalyticsRange
{
    [FromQuery(Name = "from")]
    public DateOnly? From { get; init; }

    [FromQuery(Name = "to")]
    public DateOnly? To { get; init; }
}

/// <summary>One day as a CSV row: its figures, and its cohort's returns (empty until the day they fall on has come).</summary>
public sealed record DayRowDto(
    string Day, long Logins, long ActiveMembers, long ProductViews, long Searches, long SearchesWithoutResults, long Redemptions, long Units,
    long PointsRedeemed, decimal Cash, long Cancellations, long PointsEarned, long PointsSpent, long PointsRefunded, long PointsExpired,
    long NewMembers, long? RetainedD1 = null, long? RetainedD7 = null, long? RetainedD30 = null)
{
    public static DayRowDto Of(DayFigures d, CohortDto? cohort = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Day, d.Logins, d.ActiveMembers, d.ProductViews, d.Searches, d.SearchesWithoutResults, d.Redemptions, d.Units,
            d.PointsRedeemed, d.CashFen / 100m, d.Cancellations, d.PointsEarned, d.PointsSpent, d.PointsRefunded, d.PointsExpired, d.NewMembers,
            cohort?.D1?.Members, cohort?.D7?.Members, cohort?.D30?.Members);
    }
}

/// <summary>Of a cohort, how many were active that many days after joining, and what share of the cohort that is.</summary>
public sealed record RetainedDto(long Members, decimal? Rate);

/// <summary>
/// The members who joined on <see cref="Day"/> and how many of them were active (signed in, earned or spent points)
/// 1, 7 and 30 days later; a period that has not ended yet is null. Counts of returns are estimates within about 2 %.
/// </summary>
public sealed record CohortDto(string Day, long NewMembers, RetainedDto? D1, RetainedDto? D7, RetainedDto? D30)
{
    /// <summary>The cohorts of <paramref name="days"/>, whose returns are read from the days after each (in <paramref name="days"/> or <paramref name="later"/>).</summary>
    public static List<CohortDto> Of(IReadOnlyList<DayFigures> days, IReadOnlyList<DayFigures> later)
    {
        var byDay = days.Concat(later).ToDictionary(d => d.Day, StringComparer.Ordinal);
        return [.. days.Select(d =>
        {
            var day = DateOnly.Parse(d.Day, System.Globalization.CultureInfo.InvariantCulture);
            RetainedDto? After(int n) => byDay.TryGetValue(AnalyticsDays.Key(day.AddDays(n)), out var then)
                ? Retained(Math.Min(then.Returned.GetValueOrDefault(n), d.NewMembers), d.NewMembers)
                : null;
            return new CohortDto(d.Day, d.NewMembers, After(1), After(7), After(30));
        })];
    }

    private static RetainedDto Retained(long members, long cohort) => new(members, AnalyticsReportDto.Ratio(members, cohort));
}

/// <summary>
/// The points the mall owes (<see cref="PointsLiability"/>), and the range's breakage rate: of the points that left
/// members' balances in the range, the share that expired unspent (expired ÷ (spent − refunded + expired)).
/// </summary>
public sealed record LiabilityDto(
    long Outstanding, long ExpiringWithin30Days, long ExpiringWithin60Days, long ExpiringWithin90Days, long NeverExpiring, long AwaitingExpiry,
    DateTimeOffset AsOf, decimal? BreakageRate);

/// <summary>
/// A product's redemption attempts on one day: granted and refused (by reason), the first attempt, the first
/// <c>sold_out</c>, the seconds between them when units were granted, and whether every API node granted its units in
/// arrival order (<see cref="GrantedOutOfOrder"/> is 0).
/// </summary>
public sealed record DropReportDto(
    string Day, string ProductId, string Name, long Attempts, long Granted, IReadOnlyDictionary<string, long> Refusals,
    DateTimeOffset FirstAttemptAt, DateTimeOffset? LastGrantAt, DateTimeOffset? SoldOutAt, decimal? SecondsToSellOut, long GrantedOutOfOrder,
    bool InArrivalOrder)
{
    public static DropReportDto Of(string day, DropTally d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var seconds = d is { Granted: > 0, SoldOutAt: { } soldOut } ? decimal.Round((decimal)(soldOut - d.FirstAttemptAt).TotalSeconds, 3) : (decimal?)null;
        return new(day, d.ProductId, "", d.Attempts, d.Granted, d.Refusals, d.FirstAttemptAt, d.LastGrantAt, d.SoldOutAt, seconds, d.GrantedOutOfOrder,
            d.GrantedOutOfOrder == 0);
    }
}

/// <summary>A product over the range, with its conversion (redemptions per view; null before any view).</summary>
public sealed record ProductReportDto(string ProductId, string Name, string Category, long Views, long Redemptions, long Units, long Points, decimal? Conversion);

/// <summary>
/// The range's figures: each day, the totals, the breakdowns summed over the days, the products by redemptions, the
/// searches, the cohorts, the points liability and the busiest drops. <c>averageOrderPoints</c> and
/// <c>averageOrderCash</c> are per redemption.
/// </summary>
public sealed record AnalyticsReportDto(
    string From,
    string To,
    string TimeZone,
    IReadOnlyList<DayRowDto> Days,
    DayRowDto Totals,
    decimal? Conversion,
    decimal? AverageOrderPoints,
    decimal? AverageOrderCash,
    IReadOnlyDictionary<string, long> EarnedBySource,
    IReadOnlyDictionary<string, long> SpentBySource,
    IReadOnlyDictionary<string, long> RedemptionsByCategory,
    IReadOnlyDictionary<string, long> CancellationsByReason,
    IReadOnlyList<ProductReportDto> Products,
    IReadOnlyList<KeywordCount> TopSearches,
    IReadOnlyList<KeywordCount> TopSearchesWithoutResults,
    IReadOnlyList<CohortDto> Cohorts,
    LiabilityDto Liability,
    IReadOnlyList<DropReportDto> Drops)
{
    public const int MaxProducts = 50;

    public const int MaxDrops = 20;

    /// <param name="days">The range's days, oldest first.</param>
    /// <param name="later">The days after the range that hold its cohorts' returns.</param>
    public static AnalyticsReportDto Of(DateOnly from, DateOnly to, string timeZone, IReadOnlyList<DayFigures> days, IReadOnlyList<DayFigures> later, PointsLiability liability)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(liability);
        var cohorts = CohortDto.Of(days, later);
        var rows = days.Zip(cohorts, DayRowDto.Of).ToList();

        // Members active over the range cannot be added up from daily estimates: the total shows the busiest day.
        var totals = new DayRowDto($"{AnalyticsDays.Key(from)}..{AnalyticsDays.Key(to)}", rows.Sum(r => r.Logins), rows.Count == 0 ? 0 : rows.Max(r => r.ActiveMembers),
            rows.Sum(r => r.ProductViews), rows.Sum(r => r.Searches), rows.Sum(r => r.SearchesWithoutResults), rows.Sum(r => r.Redemptions), rows.Sum(r => r.Units),
            rows.Sum(r => r.PointsRedeemed), rows.Sum(r => r.Cash), rows.Sum(r => r.Cancellations), rows.Sum(r => r.PointsEarned), rows.Sum(r => r.PointsSpent),
            rows.Sum(r => r.PointsRefunded), rows.Sum(r => r.PointsExpired), rows.Sum(r => r.NewMembers));
        var products = days.SelectMany(d => d.Products).GroupBy(p => p.ProductId)
            .Select(g => new ProductReportDto(g.Key, g.Select(p => p.Name).LastOrDefault(n => n.Length > 0) ?? "", g.Select(p => p.Category).LastOrDefault(c => c.Length > 0) ?? "",
                g.Sum(p => p.Views), g.Sum(p => p.Redemptions), g.Sum(p => p.Units), g.Sum(p => p.Points), Ratio(g.Sum(p => p.Redemptions), g.Sum(p => p.Views))))
            .OrderByDescending(p => p.Redemptions).ThenByDescending(p => p.Views).ThenBy(p => p.ProductId, StringComparer.Ordinal)
            .Take(MaxProducts).ToList();
        var left = totals.PointsSpent - totals.PointsRefunded + totals.PointsExpired;
        var owed = new LiabilityDto(liability.Outstanding, liability.ExpiringWithin30Days, liability.ExpiringWithin60Days, liability.ExpiringWithin90Days,
            liability.NeverExpiring, liability.AwaitingExpiry, liability.AsOf, Ratio(totals.PointsExpired, left));
        var drops = days.SelectMany(d => d.Drops.Select(drop => DropReportDto.Of(d.Day, drop)))
            .OrderByDescending(d => d.Attempts).ThenBy(d => d.Day, StringComparer.Ordinal).ThenBy(d => d.ProductId, StringComparer.Ordinal).Take(MaxDrops).ToList();
        return new(AnalyticsDays.Key(from), AnalyticsDays.Key(to), timeZone, rows, totals,
            Ratio(totals.Redemptions, totals.ProductViews), Ratio(totals.PointsRedeemed, totals.Redemptions), totals.Redemptions == 0 ? null : decimal.Round(totals.Cash / totals.Redemptions, 2),
            Sum(days.Select(d => d.EarnedBySource)), Sum(days.Select(d => d.SpentBySource)), Sum(days.Select(d => d.RedemptionsByCategory)),
            Sum(days.Select(d => d.CancellationsByReason)), products, Top(days.Select(d => d.TopSearches)), Top(days.Select(d => d.TopSearchesWithoutResults)),
            cohorts, owed, drops);
    }

    internal static decimal? Ratio(long part, long whole) => whole <= 0 ? null : decimal.Round((decimal)part / whole, 4);

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
        => counts.SelectMany(c => c).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);

    private static List<KeywordCount> Top(IEnumerable<IReadOnlyList<KeywordCount>> days)
        => [.. days.SelectMany(d => d).GroupBy(k => k.Keyword, StringComparer.Ordinal).Select(g => new KeywordCount(g.Key, g.Sum(k => k.Count)))
            .OrderByDescending(k => k.Count).ThenBy(k => k.Keyword, StringComparer.Ordinal).Take(20)];
}
