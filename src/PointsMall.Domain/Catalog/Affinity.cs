using System.Collections.Immutable;

namespace PointsMall.Domain.Catalog;

/// <summary>
/// Item-to-item co-occurrence (买了又买 / 看了又看): how often shoppers who looked at or redeemed one product also looked
/// at or redeemed another, counted both ways. Bounded: each product keeps its <see cref="NeighboursKept"/> strongest
/// neighbours, and the board its <see cref="ProductsKept"/> best-connected products.
/// </summary>
public sealed record AffinityBoard(ImmutableDictionary<string, ImmutableDictionary<string, int>> Neighbours)
{
    public const int NeighboursKept = 20;

    public const int ProductsKept = 500;

    public static AffinityBoard Empty { get; } = new(ImmutableDictionary<string, ImmutableDictionary<string, int>>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Counts each pair once in each direction (a product paired with itself counts nothing).</summary>
    public AffinityBoard Add(IEnumerable<(string A, string B)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var board = Neighbours.ToBuilder();
        foreach (var (a, b) in pairs)
        {
            if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b) || string.Equals(a, b, StringComparison.Ordinal))
            {
                continue;
            }

            Count(board, a, b);
            Count(board, b, a);
        }

        if (board.Count > ProductsKept)
        {
            foreach (var weakest in board.OrderBy(p => p.Value.Values.Sum()).ThenBy(p => p.Key, StringComparer.Ordinal).Take(board.Count - ProductsKept).ToList())
            {
                board.Remove(weakest.Key);
            }
        }

        return new AffinityBoard(board.ToImmutable());
    }

    /// <summary>
    /// Products to suggest to a shopper whose recent products are <paramref name="recent"/> (most recent first): each
    /// neighbour scores its count, weighted 1, 1/2, 1/3, … by how recent the product it neighbours is; none of
    /// <paramref name="recent"/> or <paramref name="exclude"/>; best first, ties by id.
    /// </summary>
    public IReadOnlyList<string> Recommend(IReadOnlyList<string> recent, IReadOnlySet<string> exclude, int count)
    {
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(exclude);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < recent.Count; i++)
        {
            if (!Neighbours.TryGetValue(recent[i], out var neighbours))
            {
                continue;
            }

            foreach (var (product, together) in neighbours)
            {
                if (!exclude.Contains(product) && !recent.Contains(product, StringComparer.Ordinal))
                {
                    scores[product] = scores.GetValueOrDefault(product) + (together / (double)(i + 1));
                }
            }
        }

        return [.. scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(Math.Max(0, count)).Select(s => s.Key)];
    }

    private static void Count(ImmutableDictionary<string, ImmutableDictionary<string, int>>.Builder board, string from, string to)
    {
        var neighbours = board.TryGetValue(from, out var known) ? known : ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);
        neighbours = neighbours.SetItem(to, neighbours.GetValueOrDefault(to) + 1);
        if (neighbours.Count > NeighboursKept)
        {
            neighbours = neighbours.Remove(neighbours.Where(n => n.Key != to).OrderBy(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal).First().Key);
        }

        board[from] = neighbours;
    }
}

/// <summary>
/// A shopper's recent products (most recent first) and what it redeemed: the history "for you" starts from. A product
/// pairs with the recent ones when it joins them, so looking at the same two products again and again counts once.
/// </summary>
public sealed record ShopperTaste(ImmutableList<string> Recent, ImmutableList<string> Redeemed)
{
    public const int RecentKept = 20;

    public const int RedeemedKept = 200;

    public static ShopperTaste Empty { get; } = new([], []);

    /// <summary>The taste after these views and redemptions (in order), and the pairs they made with the recent products.</summary>
    public (ShopperTaste Taste, IReadOnlyList<(string A, string B)> Pairs) Saw(IEnumerable<string> viewed, IEnumerable<string> redeemed)
    {
        ArgumentNullException.ThrowIfNull(viewed);
        ArgumentNullException.ThrowIfNull(redeemed);
        var recent = Recent;
        var pairs = new List<(string, string)>();
        var redeemedList = redeemed.ToList();
        foreach (var product in viewed.Concat(redeemedList).Where(p => !string.IsNullOrEmpty(p)))
        {
            if (!recent.Contains(product))
            {
                pairs.AddRange(recent.Select(other => (other, product)));
            }

            recent = recent.Remove(product).Insert(0, product);
            if (recent.Count > RecentKept)
            {
                recent = recent.RemoveAt(recent.Count - 1);
            }
        }

        var kept = Redeemed.RemoveAll(redeemedList.Contains).InsertRange(0, redeemedList.Distinct(StringComparer.Ordinal));
        return (new ShopperTaste(recent, kept.Count > RedeemedKept ? kept.RemoveRange(RedeemedKept, kept.Count - RedeemedKept) : kept), pairs);
    }
}
