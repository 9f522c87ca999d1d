using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
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

        var (figures, later) = await FiguresAsync(grains, days, Today(time, options.Value));
        var liability = await grains.GetGrain<IPointsLiabilityGrain>(IPointsLiabilityGrain.Key).GetAsync();
        var report = AnalyticsReportDto.Of(days[0], days[^1], options.Value.TimeZone, figures, later, liability);
        var products = await NamedAsync(grains, report.Products);
        var names = products.Where(p => p.Name.Length > 0).ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        return TypedResults.Ok(report with { Products = products, Drops = await NamedAsync(grains, report.Drops, names) });
    }

    /// <summary>A product only viewed (never ordered) in the range is known by its id alone: its name and kind are read from it.</summary>
    private static async Task<List<ProductReportDto>> NamedAsync(IGrainFactory grains, IReadOnlyList<ProductReportDto> products)
        => [.. await Task.WhenAll(products.Select(async p => p.Name.Length > 0 || await grains.GetGrain<IProductGrain>(p.ProductId).GetAsync() is not { } view
            ? p
            : p with { Name = view.Product.Name, Category = view.Product.Category.ToString() }))];

    private static async Task<List<DropReportDto>> NamedAsync(IGrainFactory grains, IReadOnlyList<DropReportDto> drops, Dictionary<string, string> known)
        => [.. await Task.WhenAll(drops.Select(async d => d with
        {
            Name = known.GetValueOrDefault(d.ProductId) ?? (await grains.GetGrain<IProductGrain>(d.ProductId).GetAsync())?.Product.Name ?? d.ProductId,
        }))];

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        [AsParameters] AnalyticsRange range, IGrainFactory grains, TimeProvider time, IOptions<AnalyticsOptions> options)
    {
        if (Days(range, time, options.Value) is not { } days)
        {
            return RangeProblem();
        }

        var (figures, later) = await FiguresAsync(grains, days, Today(time, options.Value));
        var cohorts = CohortDto.Of(figures, later);
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        await using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            await csv.WriteRecordsAsync(figures.Zip(cohorts, DayRowDto.Of));
        }

        var name = $"pointsmall-analytics-{AnalyticsDays.Key(days[0])}-{AnalyticsDays.Key(days[^1])}.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary>The days asked for, oldest first; null when the range is backwards or longer than <see cref="MaxDays"/>.</summary>
    private static List<DateOnly>? Days(AnalyticsRange range, TimeProvider time, AnalyticsOptions options)
    {
        var to = range.To ?? Today(time, options);
        var from = range.From ?? to.AddDays(-6);
        var count = to.DayNumber - from.DayNumber + 1;
        return count is < 1 or > MaxDays ? null : [.. Enumerable.Range(0, count).Select(from.AddDays)];
    }

    private static ProblemHttpResult RangeProblem()
        => ApiProblems.Validation(new Dictionary<string, string[]> { ["to"] = [$"from must not be after to, and the range is at most {MaxDays} days."] });

    private static DateOnly Today(TimeProvider time, AnalyticsOptions options) => AnalyticsDays.Date(time.GetUtcNow(), options.Zone);

    /// <summary>
    /// The days' figures, and those of the days after them up to the longest retention period (today at the latest),
    /// which hold the range's cohorts' returns.
    /// </summary>
    private static async Task<(DayFigures[] Days, DayFigures[] Later)> FiguresAsync(IGrainFactory grains, List<DateOnly> days, DateOnly today)
    {
        var last = days[^1];
        var later = Enumerable.Range(1, Retention.Days.Max()).Select(last.AddDays).Where(d => d <= today);
        var all = await Task.WhenAll(days.Concat(later).Select(d => grains.GetGrain<IAnalyticsDayGrain>(AnalyticsDays.Key(d)).GetAsync()));
        return (all[..days.Count], all[days.Count..]);
    }
}
