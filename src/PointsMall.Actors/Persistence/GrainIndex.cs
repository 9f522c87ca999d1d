using System.Text.Json;

namespace PointsMall.Actors;

/// <summary>A page of typed index entries, newest first, and the total number of matches.</summary>
public sealed record IndexResult<TEntry>(IReadOnlyList<TEntry> Items, int Total);

/// <summary>
/// Reads the indexes grains keep with <see cref="Grain.UpdateIndex{TEntry}"/>. Injected into grains (a query is a
/// read of committed data: it never waits on, or sees, a change that is not durable).
/// </summary>
public interface IGrainIndex
{
    Task<IndexResult<TEntry>> QueryAsync<TEntry>(Storage.IndexQuery query, CancellationToken cancellationToken = default)
        where TEntry : class;
}

internal sealed class GrainIndex(Storage.IGrainStore store) : IGrainIndex
{
    public async Task<IndexResult<TEntry>> QueryAsync<TEntry>(Storage.IndexQuery query, CancellationToken cancellationToken = default)
        where TEntry : class
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = await store.QueryIndexAsync(query, cancellationToken).ConfigureAwait(false);
        var items = page.Rows.Select(r => JsonSerializer.Deserialize<TEntry>(r.Payload, GrainJson.Options)
            ?? throw new InvalidOperationException($"Entry '{r.Key}' of index '{query.Index}' is empty.")).ToList();
        return new IndexResult<TEntry>(items, page.Total);
    }
}
