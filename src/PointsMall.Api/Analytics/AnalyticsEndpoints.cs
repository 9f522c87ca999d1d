using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Catalog;

namespace PointsMall.Api.Analytics;

/// <summary>
/// The operators' figures over a range of days (any operator may read them; analysts read nothing else): read from the
/// day grains, which the outbox and the API nodes feed, so reading them costs the shop nothing.
/// </summary>
public static class AnalyticsEndpoints
{
    public const int MaxDays = 92;

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/analytics").WithTags("Analytics").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/", ReportAsync).WithName("GetAnalytics")
            .WithSummary("The figures of each day from `from` to `to` (local dates; the last 7 days by default, at most 92) and their totals.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapGet("/export", ExportAsync).WithName("ExportAnalytics")
            .WithSummary("The same days as CSV, one row per day.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        return routes;
    }

    private static async Task<Results<Ok<AnalyticsReportDto>, ProblemHttpResult>> ReportAsync(
        [AsParameters] AnalyticsRange range, IGrainFactory grains, TimeProvider time, IOptions<AnalyticsOptions> options)
    {
        if (Days(range, time, options.Value) is not { } days)
        {
            return RangeProblem();
        }

        var report = AnalyticsReportDto.Of(days[0], days[^1], options.Value.TimeZone, await FiguresAsync(grains, days));
        return TypedResults.Ok(report with { Products = await NamedAsync(grains, report.Products) });
    }

    /// <summary>A product only viewed (never ordered) in the range is known by its id alone: its name and kind are read from it.</summary>
    private static async Task<List<ProductReportDto>> NamedAsync(IGrainFactory grains, IReadOnlyList<ProductReportDto> products)
        => [.. await Task.WhenAll(products.Select(async p => p.Name.Length > 0 || await grains.GetGrain<IProductGrain>(p.ProductId).GetAsync() is not { } view
            ? p
            : p with { Name = view.Product.Name, Category = view.Product.Category.ToString() }))];

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        [AsParameters] AnalyticsRange range, IGrainFactory grains, TimeProvider time, IOptions<AnalyticsOptions> options)
    {
        if (Days(range, time, options.Value) is not { } days)
        {
            return RangeProblem();
        }

        var figures = await FiguresAsync(grains, days);
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        await using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            await csv.WriteRecordsAsync(figures.Select(DayRowDto.Of));
        }

        var name = $"pointsmall-analytics-{AnalyticsDays.Key(days[0])}-{AnalyticsDays.Key(days[^1])}.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary>The days asked for, oldest first; null when the range is backwards or longer than <see cref="MaxDays"/>.</summary>
    private static List<DateOnly>? Days(AnalyticsRange range, TimeProvider time, AnalyticsOptions options)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), options.Zone).DateTime);
        var to = range.To ?? today;
        var from = range.From ?? to.AddDays(-6);
        var count = to.DayNumber - from.DayNumber + 1;
        return count is < 1 or > MaxDays ? null : [.. Enumerable.Range(0, count).Select(from.AddDays)];
    }

    private static ProblemHttpResult RangeProblem()
        => ApiProblems.Validation(new Dictionary<string, string[]> { ["to"] = [$"from must not be after to, and the range is at most {MaxDays} days."] });

    private static async Task<DayFigures[]> FiguresAsync(IGrainFactory grains, List<DateOnly> days)
        => await Task.WhenAll(days.Select(d => grains.GetGrain<IAnalyticsDayGrain>(AnalyticsDays.Key(d)).GetAsync()));
}

/// <summary>A range of local dates, <c>yyyy-MM-dd</c>.</summary>
public sealed record AnalyticsRange
{
    [FromQuery(Name = "from")]
    public DateOnly? From { get; init; }

    [FromQuery(Name = "to")]
    public DateOnly? To { get; init; }
}

/// <summary>One day as a CSV row.</summary>
public sealed record DayRowDto(
    string Day, long Logins, long ActiveMembers, long ProductViews, long Searches, long SearchesWithoutResults, long Redemptions, long Units,
    long PointsRedeemed, decimal Cash, long Cancellations, long PointsEarned, long PointsSpent, long PointsRefunded, long PointsExpired)
{
    public static DayRowDto Of(DayFigures d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Day, d.Logins, d.ActiveMembers, d.ProductViews, d.Searches, d.SearchesWithoutResults, d.Redemptions, d.Units,
            d.PointsRedeemed, d.CashFen / 100m, d.Cancellations, d.PointsEarned, d.PointsSpent, d.PointsRefunded, d.PointsExpired);
    }
}

/// <summary>A product over the range, with its conversion (redemptions per view; null before any view).</summary>
public sealed record ProductReportDto(string ProductId, string Name, string Category, long Views, long Redemptions, long Units, long Points, decimal? Conversion);

/// <summary>
/// The range's figures: each day, the totals, the breakdowns summed over the days, the products by redemptions and
/// the searches. <c>averageOrderPoints</c> and <c>averageOrderCash</c> are per redemption.
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
    IReadOnlyList<KeywordCount> TopSearchesWithoutResults)
{
    public const int MaxProducts = 50;

    public static AnalyticsReportDto Of(DateOnly from, DateOnly to, string timeZone, IReadOnlyList<DayFigures> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var rows = days.Select(DayRowDto.Of).ToList();

        // Members active over the range cannot be added up from daily estimates: the total shows the busiest day.
        var totals = new DayRowDto($"{AnalyticsDays.Key(from)}..{AnalyticsDays.Key(to)}", rows.Sum(r => r.Logins), rows.Count == 0 ? 0 : rows.Max(r => r.ActiveMembers),
            rows.Sum(r => r.ProductViews), rows.Sum(r => r.Searches), rows.Sum(r => r.SearchesWithoutResults), rows.Sum(r => r.Redemptions), rows.Sum(r => r.Units),
            rows.Sum(r => r.PointsRedeemed), rows.Sum(r => r.Cash), rows.Sum(r => r.Cancellations), rows.Sum(r => r.PointsEarned), rows.Sum(r => r.PointsSpent),
            rows.Sum(r => r.PointsRefunded), rows.Sum(r => r.PointsExpired));
        var products = days.SelectMany(d => d.Products).GroupBy(p => p.ProductId)
            .Select(g => new ProductReportDto(g.Key, g.Select(p => p.Name).LastOrDefault(n => n.Length > 0) ?? "", g.Select(p => p.Category).LastOrDefault(c => c.Length > 0) ?? "",
                g.Sum(p => p.Views), g.Sum(p => p.Redemptions), g.Sum(p => p.Units), g.Sum(p => p.Points), Ratio(g.Sum(p => p.Redemptions), g.Sum(p => p.Views))))
            .OrderByDescending(p => p.Redemptions).ThenByDescending(p => p.Views).ThenBy(p => p.ProductId, StringComparer.Ordinal)
            .Take(MaxProducts).ToList();
        return new(AnalyticsDays.Key(from), AnalyticsDays.Key(to), timeZone, rows, totals,
            Ratio(totals.Redemptions, totals.ProductViews), Ratio(totals.PointsRedeemed, totals.Redemptions), totals.Redemptions == 0 ? null : decimal.Round(totals.Cash / totals.Redemptions, 2),
            Sum(days.Select(d => d.EarnedBySource)), Sum(days.Select(d => d.SpentBySource)), Sum(days.Select(d => d.RedemptionsByCategory)),
            Sum(days.Select(d => d.CancellationsByReason)), products, Top(days.Select(d => d.TopSearches)), Top(days.Select(d => d.TopSearchesWithoutResults)));
    }

    private static decimal? Ratio(long part, long whole) => whole == 0 ? null : decimal.Round((decimal)part / whole, 4);

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
        => counts.SelectMany(c => c).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);

    private static List<KeywordCount> Top(IEnumerable<IReadOnlyList<KeywordCount>> days)
        => [.. days.SelectMany(d => d).GroupBy(k => k.Keyword, StringComparer.Ordinal).Select(g => new KeywordCount(g.Key, g.Sum(k => k.Count)))
            .OrderByDescending(k => k.Count).ThenBy(k => k.Keyword, StringComparer.Ordinal).Take(20)];
}
