using System.Text.Json;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>A page of typed index entries, newest first, and the total number of matches.</summary>
public sealed record IndexResult<TEntry>(IReadOnlyList<TEntry> Items, int Total);

/// <summary>
/// Reads the grain indexes kept with <see cref="StagedWrites.PutIndexEntry"/>. A query reads committed rows only, so it
/// never sees (nor waits for) a change that is not durable.
/// </summary>
public interface IGrainIndex
{
    Task<IndexResult<TEntry>> QueryAsync<TEntry>(IndexQuery query, CancellationToken cancellationToken = default)
        where TEntry : class;
}

internal sealed class GrainIndex(GroupCommitGrainStorage storage) : IGrainIndex
{
    public async Task<IndexResult<TEntry>> QueryAsync<TEntry>(IndexQuery query, CancellationToken cancellationToken = default)
        where TEntry : class
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = await storage.Store.QueryIndexAsync(query, cancellationToken).ConfigureAwait(false);
        var items = page.Rows.Select(r => JsonSerializer.Deserialize<TEntry>(r.Payload, GroupCommitJson.Options)
            ?? throw new InvalidOperationException($"Entry '{r.Key}' of index '{query.Index}' is empty.")).ToList();
        return new IndexResult<TEntry>(items, page.Total);
    }
}
