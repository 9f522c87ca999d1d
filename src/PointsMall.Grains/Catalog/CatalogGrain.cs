using System.Collections.Immutable;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

/// <summary>A summary and when the index first saw the product (what "newest" sorts by).</summary>
public sealed record CatalogEntry(ProductSummary Summary, DateTimeOffset ListedAt);

public sealed record CatalogState
{
    public ImmutableDictionary<string, CatalogEntry> Products { get; init; } = ImmutableDictionary<string, CatalogEntry>.Empty;
}

/// <summary>
/// The catalogue index, fed by the <c>product</c> stream. Delivery is at least once and in order per stream, so
/// an upsert replaces by id and ignores a summary older than the one it holds.
/// </summary>
[GrainType("catalog")]
public sealed class CatalogGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<CatalogState> state) : MallGrain, ICatalogGrain
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public Task UpsertAsync(ProductSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary.Id);
        var products = state.State.Products;
        if (products.TryGetValue(summary.Id, out var existing))
        {
            // Equal timestamps are accepted: in-order delivery means the later event is the newer one.
            if (summary.UpdatedAt < existing.Summary.UpdatedAt || summary == existing.Summary)
            {
                return Task.CompletedTask;
            }

            state.State = state.State with { Products = products.SetItem(summary.Id, existing with { Summary = summary }) };
        }
        else
        {
            state.State = state.State with { Products = products.Add(summary.Id, new CatalogEntry(summary, summary.UpdatedAt)) };
        }

        return Task.CompletedTask;
    }

    public Task<CatalogPage> SearchAsync(CatalogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = query.PageSize <= 0 ? DefaultPageSize : Math.Min(query.PageSize, MaxPageSize);
        var page = Math.Max(query.Page, 1);

        IEnumerable<CatalogEntry> matches = state.State.Products.Values;
        if (!query.IncludeOffShelf)
        {
            matches = matches.Where(e => e.Summary.OnShelf);
        }

        if (!string.IsNullOrWhiteSpace(query.Category))
        {
            // An unknown category matches nothing rather than everything: a typo must not look like "all".
            matches = EnumNames.TryParse<ProductCategory>(query.Category, out var category)
                ? matches.Where(e => e.Summary.Category == category)
                : [];
        }

        if (!string.IsNullOrWhiteSpace(query.Section))
        {
            matches = matches.Where(e => string.Equals(e.Summary.Section, query.Section, StringComparison.Ordinal));
        }

        if (query.FeaturedOnly)
        {
            matches = matches.Where(e => e.Summary.Featured);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            // Every term must appear in the name or the brand ("华为 耳机" finds Huawei earphones).
            var terms = query.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            matches = matches.Where(e => terms.All(t =>
                e.Summary.Name.Contains(t, StringComparison.OrdinalIgnoreCase) || e.Summary.Brand.Contains(t, StringComparison.OrdinalIgnoreCase)));
        }

        var sorted = Sort(matches, query.Sort).ToList();
        var items = sorted.Skip((page - 1) * pageSize).Take(pageSize).Select(e => e.Summary).ToList();
        return Task.FromResult(new CatalogPage(items, page, pageSize, sorted.Count));
    }

    /// <summary>Sorts by the requested key; ties (and unknown keys, which sort by name) break on id so paging is stable.</summary>
    private static IOrderedEnumerable<CatalogEntry> Sort(IEnumerable<CatalogEntry> entries, string? sort)
        => sort?.Trim().ToUpperInvariant() switch
        {
            "POINTS_ASC" => entries.OrderBy(e => e.Summary.Price.Points).ThenBy(e => e.Summary.Price.CashFen).ThenBy(e => e.Summary.Id, StringComparer.Ordinal),
            "POINTS_DESC" => entries.OrderByDescending(e => e.Summary.Price.Points).ThenByDescending(e => e.Summary.Price.CashFen).ThenBy(e => e.Summary.Id, StringComparer.Ordinal),
            "NEWEST" => entries.OrderByDescending(e => e.ListedAt).ThenBy(e => e.Summary.Id, StringComparer.Ordinal),

            // What the operators put forward: featured first, then by display priority, then the newest.
            "RECOMMENDED" => entries.OrderByDescending(e => e.Summary.Featured).ThenByDescending(e => e.Summary.Priority)
                .ThenByDescending(e => e.ListedAt).ThenBy(e => e.Summary.Id, StringComparer.Ordinal),
            _ => entries.OrderBy(e => e.Summary.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.Summary.Id, StringComparer.Ordinal),
        };
}
