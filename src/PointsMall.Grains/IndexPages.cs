using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains;

/// <summary>One page of an index partition, as the catalogue-like grains list theirs.</summary>
internal static class IndexPages
{
    /// <summary>Page <paramref name="page"/> (1-based; below 1 reads as 1), of 1 to <paramref name="maxPageSize"/> entries, in the index's order.</summary>
    public static async Task<(IReadOnlyList<T> Items, int Page, int PageSize, int Total)> PageAsync<T>(
        this IGrainIndex index, string name, string partition, int page, int pageSize, int maxPageSize)
        where T : class
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, maxPageSize);
        var found = await index.QueryAsync<T>(new IndexQuery(name, partition, null, null, (page - 1) * pageSize, pageSize));
        return (found.Items, page, pageSize, found.Total);
    }
}
