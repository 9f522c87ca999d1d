
namespace PointsMall.Contracts.Members;

/// <summary>What the operators' member search matches on: the member's identity, not its balance.</summary>
[GenerateSerializer, Immutable]
public sealed record MemberListing([property: Id(0)] string Id, [property: Id(1)] string DisplayName, [property: Id(2)] string? Phone, [property: Id(3)] string? Email, [property: Id(4)] DateTimeOffset RegisteredAt, [property: Id(5)] DateTimeOffset UpdatedAt);

/// <summary>
/// Published on stream (<c>member</c>, member id) in the same commit as a registration or a profile change that
/// alters the listing; the member directory is kept current from it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MemberListed([property: Id(0)] MemberListing Listing);

/// <summary>One shard's answer: its first <c>Page × PageSize</c> matches in directory order and how many matched.</summary>
[GenerateSerializer, Immutable]
public sealed record DirectoryShardPage([property: Id(0)] IReadOnlyList<MemberListing> Top, [property: Id(1)] int Total);

[GenerateSerializer, Immutable]
public sealed record MemberSearchPage([property: Id(0)] IReadOnlyList<MemberListing> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary>
/// One shard of the member directory (key: shard number, <c>0</c> … <c>Shards − 1</c>; a member lives in
/// <see cref="MemberDirectory.ShardOf"/>). Fed by <see cref="MemberListed"/> events, never called on the
/// redemption path: balances are not in it, the console reads them from the members themselves.
/// </summary>
[Alias("member-directory")]
public interface IMemberDirectoryGrain : IGrainWithStringKey
{
    Task UpsertAsync(MemberListing listing);

    /// <summary>Matches of <paramref name="text"/> (id, name, phone or e-mail; empty = all), newest first.</summary>
    Task<DirectoryShardPage> SearchAsync(string? text, int take);

    Task<int> CountAsync();
}

/// <summary>The sharded member directory: which shard holds a member, and a search across all of them.</summary>
public static class MemberDirectory
{
    /// <summary>Fixed: changing it would move members between shards (a re-index).</summary>
    public const int Shards = 16;

    public const string Stream = "member";

    public const int MaxPageSize = 100;

    /// <summary>Beyond this a search should be narrowed, not paged through (each shard returns page × size rows).</summary>
    public const int MaxPage = 500;

    /// <summary>A stable hash (FNV-1a; <see cref="string.GetHashCode()"/> differs per process) of the member id.</summary>
    public static string ShardOf(string memberId)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        var hash = 2166136261u;
        foreach (var c in memberId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (hash % Shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Newest first, ties by id, so pages are stable.</summary>
    public static IComparer<MemberListing> Order { get; } = Comparer<MemberListing>.Create((a, b) =>
    {
        var byTime = b.RegisteredAt.CompareTo(a.RegisteredAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <summary>Asks every shard at once and merges their tops into the requested page.</summary>
    public static async Task<MemberSearchPage> SearchAsync(IGrainFactory grains, string? text, int page, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(grains);
        page = Math.Clamp(page, 1, MaxPage);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var take = page * pageSize;
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards)
            .Select(i => grains.GetGrain<IMemberDirectoryGrain>(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).SearchAsync(text, take)))
            .ConfigureAwait(false);
        var items = shards.SelectMany(s => s.Top).Order(Order).Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return new MemberSearchPage(items, page, pageSize, shards.Sum(s => s.Total));
    }
}
