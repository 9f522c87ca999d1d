using System.Collections.Immutable;

namespace PointsMall.Domain.Catalog;

/// <summary>A product's popularity as last updated: the score at <see cref="At"/>, decaying from then on.</summary>
public sealed record PopularityScore(double Score, DateTimeOffset At)
{
    /// <summary>The score at <paramref name="now"/>: it halves every <paramref name="halfLife"/>.</summary>
    public double ScoreAt(DateTimeOffset now, TimeSpan halfLife)
        => now <= At ? Score : Score * Math.Pow(0.5, (now - At) / halfLife);
}

/// <summary>
/// What is popular now: views and redemptions per product, each worth a weight that halves every half-life, so a
/// product hot yesterday yields to one hot today without any reset. Kept to the <c>capacity</c> best products (the
/// board never grows with the catalogue), each updated only when it is touched: decay is applied when read or added.
/// </summary>
public sealed record PopularityBoard(ImmutableDictionary<string, PopularityScore> Scores)
{
    /// <summary>A redemption says more about what shoppers want than a look.</summary>
    public const double ViewWeight = 1;

    public const double RedemptionWeight = 5;

    public static PopularityBoard Empty { get; } = new(ImmutableDictionary<string, PopularityScore>.Empty.WithComparers(StringComparer.Ordinal));

    public PopularityBoard Add(
        IReadOnlyDictionary<string, int> views, IReadOnlyDictionary<string, int> redemptions, DateTimeOffset at, TimeSpan halfLife, int capacity)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(redemptions);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(halfLife, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var scores = Scores.ToBuilder();
        foreach (var id in views.Keys.Union(redemptions.Keys, StringComparer.Ordinal))
        {
            var added = (ViewWeight * Math.Max(0, views.GetValueOrDefault(id))) + (RedemptionWeight * Math.Max(0, redemptions.GetValueOrDefault(id)));
            if (added <= 0)
            {
                continue;
            }

            var now = scores.TryGetValue(id, out var current) ? Math.Max(current.At.UtcTicks, at.UtcTicks) : at.UtcTicks;
            var instant = new DateTimeOffset(now, TimeSpan.Zero);
            scores[id] = new PopularityScore((current?.ScoreAt(instant, halfLife) ?? 0) + added, instant);
        }

        if (scores.Count > capacity)
        {
            foreach (var weakest in scores.OrderBy(s => s.Value.ScoreAt(at, halfLife)).ThenBy(s => s.Key, StringComparer.Ordinal).Take(scores.Count - capacity).ToList())
            {
                scores.Remove(weakest.Key);
            }
        }

        return new PopularityBoard(scores.ToImmutable());
    }

    /// <summary>The <paramref name="count"/> most popular products at <paramref name="now"/>, best first (ties by id).</summary>
    public IReadOnlyList<(string ProductId, double Score)> Top(int count, DateTimeOffset now, TimeSpan halfLife)
        => [.. Scores.Select(s => (s.Key, Score: s.Value.ScoreAt(now, halfLife))).OrderByDescending(s => s.Score).ThenBy(s => s.Key, StringComparer.Ordinal).Take(Math.Max(0, count))];
}
