using System.Collections.Immutable;
using PointsMall.Contracts.Analytics;

namespace PointsMall.Grains.Analytics;

/// <summary>What counts as what in a day's figures, apart from the grain that keeps them.</summary>
internal static class DayRules
{
    /// <summary>Search terms are counted as typed, trimmed and lower-cased, at most this long.</summary>
    public const int MaxTermLength = 50;

    /// <summary>
    /// An order is a redemption when it first comes out of payment (waiting to ship, or completed at once for goods
    /// that do not ship); a prize is not one. Later changes (shipped, completed after shipping) are not counted again.
    /// </summary>
    public static bool IsRedemption(OrderActivity a) => !a.IsPrize && IsPaid(a.Status, a.PreviousStatus);

    /// <summary>Whether an order's change is one the day counts (so only those are published): paid, or cancelled.</summary>
    public static bool Counts(string status, string? previous, bool isPrize) => !isPrize && (status == "Cancelled" || IsPaid(status, previous));

    private static bool IsPaid(string status, string? previous) => status is "PendingShipment" or "Completed" && previous is null or "PendingPayment";

    public static AnalyticsDayState Apply(AnalyticsDayState s, OrderActivity a)
    {
        var c = s.Counters;
        if (IsRedemption(a))
        {
            var known = s.Products.TryGetValue(a.ProductId, out var p) ? p with { Name = a.ProductName, Category = a.Category } : new ProductDay(a.ProductName, a.Category, 0, 0, 0, 0);
            s = s with
            {
                Counters = c with { Redemptions = c.Redemptions + 1, Units = c.Units + a.Quantity, PointsRedeemed = c.PointsRedeemed + a.Points, CashFen = c.CashFen + a.CashFen },
                RedemptionsByCategory = Add(s.RedemptionsByCategory, a.Category, 1),
                Products = s.Products.SetItem(a.ProductId, known with { Redemptions = known.Redemptions + 1, Units = known.Units + a.Quantity, Points = known.Points + a.Points }),
            };
        }
        else if (a.Status == "Cancelled")
        {
            s = s with
            {
                Counters = c with { Cancellations = c.Cancellations + 1 },
                CancellationsByReason = Add(s.CancellationsByReason, a.CancelReason ?? "unknown", 1),
            };
        }

        return s with { Members = DistinctCount.Add(s.Members, a.MemberId) };
    }

    /// <summary>Earned (earnings and positive adjustments), spent (spends and deductions), refunded and expired, by source.</summary>
    public static AnalyticsDayState Apply(AnalyticsDayState s, PointsActivity a)
    {
        var c = s.Counters;
        s = a.Kind switch
        {
            "Earn" or "Adjust" when a.Amount > 0 => s with
            {
                Counters = c with { PointsEarned = c.PointsEarned + a.Amount },
                EarnedBySource = Add(s.EarnedBySource, a.Source, a.Amount),
            },
            "Spend" or "Adjust" => s with
            {
                Counters = c with { PointsSpent = c.PointsSpent - a.Amount },
                SpentBySource = Add(s.SpentBySource, a.Source, -a.Amount),
            },
            "Refund" => s with { Counters = c with { PointsRefunded = c.PointsRefunded + a.Amount } },
            "Expire" => s with { Counters = c with { PointsExpired = c.PointsExpired - a.Amount } },
            _ => s,
        };
        return s with { Members = DistinctCount.Add(s.Members, a.MemberId) };
    }

    /// <summary>A member joined: one more in the day's cohort (and active that day).</summary>
    public static AnalyticsDayState Apply(AnalyticsDayState s, MemberJoined a)
        => s with { Counters = s.Counters with { NewMembers = s.Counters.NewMembers + 1 }, Members = DistinctCount.Add(s.Members, a.MemberId) };

    /// <summary>The member was active this day, <paramref name="daysSinceJoining"/> days after joining: counted when that is a retention day.</summary>
    public static AnalyticsDayState Returned(AnalyticsDayState s, string memberId, int daysSinceJoining)
    {
        if (!Retention.Days.Contains(daysSinceJoining))
        {
            return s;
        }

        var registers = s.Returned.TryGetValue(daysSinceJoining, out var known) ? known : DistinctCount.Empty;
        return s with { Returned = s.Returned.SetItem(daysSinceJoining, DistinctCount.Add(registers, memberId)) };
    }

    /// <summary>An API node's attempts on a product, added to the day's: first attempt and sell-out the earliest any node saw.</summary>
    public static AnalyticsDayState Apply(AnalyticsDayState s, DropTally t)
    {
        var d = s.Drops.TryGetValue(t.ProductId, out var known)
            ? known with
            {
                Attempts = known.Attempts + t.Attempts,
                Granted = known.Granted + t.Granted,
                Refusals = t.Refusals.Aggregate(known.Refusals, (counts, r) => Add(counts, r.Key, r.Value)),
                FirstAttemptAt = t.FirstAttemptAt < known.FirstAttemptAt ? t.FirstAttemptAt : known.FirstAttemptAt,
                LastGrantAt = Latest(known.LastGrantAt, t.LastGrantAt),
                SoldOutAt = Earliest(known.SoldOutAt, t.SoldOutAt),
                GrantedOutOfOrder = known.GrantedOutOfOrder + t.GrantedOutOfOrder,
            }
            : new DropDay(t.Attempts, t.Granted, t.Refusals.ToImmutableDictionary(StringComparer.Ordinal), t.FirstAttemptAt, t.LastGrantAt, t.SoldOutAt, t.GrantedOutOfOrder);
        return s with { Drops = s.Drops.SetItem(t.ProductId, d) };
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    public static AnalyticsDayState Apply(AnalyticsDayState s, ShopperActivity a)
    {
        var c = s.Counters;
        switch (a.Kind)
        {
            case ShopperActivityKind.Login:
                return s with { Counters = c with { Logins = c.Logins + 1 } };
            case ShopperActivityKind.ProductView when a.Subject is { } productId:
                var known = s.Products.TryGetValue(productId, out var p) ? p : new ProductDay("", "", 0, 0, 0, 0);
                return s with
                {
                    Counters = c with { ProductViews = c.ProductViews + 1 },
                    Products = s.Products.SetItem(productId, known with { Views = known.Views + 1 }),
                };
            case ShopperActivityKind.Search when Term(a.Subject) is { } term:
                var missed = a.Results == 0;
                return s with
                {
                    Counters = c with { Searches = c.Searches + 1, SearchesWithoutResults = c.SearchesWithoutResults + (missed ? 1 : 0) },
                    Searches = Capped(Add(s.Searches, term, 1)),
                    SearchesWithoutResults = missed ? Capped(Add(s.SearchesWithoutResults, term, 1)) : s.SearchesWithoutResults,
                };
            default:
                return s;
        }
    }

    public static DayFigures Figures(string day, AnalyticsDayState s)
    {
        var c = s.Counters;
        return new DayFigures(
            day, c.Logins, DistinctCount.Estimate(s.Members), c.ProductViews, c.Searches, c.SearchesWithoutResults, c.Redemptions, c.Units,
            c.PointsRedeemed, c.CashFen, c.Cancellations, c.PointsEarned, c.PointsSpent, c.PointsRefunded, c.PointsExpired,
            s.EarnedBySource, s.CancellationsByReason,
            [.. s.Products.Select(p => new ProductFigures(p.Key, p.Value.Name, p.Value.Category, p.Value.Views, p.Value.Redemptions, p.Value.Units, p.Value.Points))
                .OrderByDescending(p => p.Redemptions).ThenByDescending(p => p.Views).ThenBy(p => p.ProductId, StringComparer.Ordinal)],
            Top(s.Searches), Top(s.SearchesWithoutResults), s.RedemptionsByCategory, s.SpentBySource, c.NewMembers,
            Retention.Days.ToDictionary(n => n, n => s.Returned.TryGetValue(n, out var r) ? DistinctCount.Estimate(r) : 0),
            [.. s.Drops.Select(d => new DropTally(d.Key, d.Value.Attempts, d.Value.Granted, d.Value.Refusals, d.Value.FirstAttemptAt, d.Value.LastGrantAt, d.Value.SoldOutAt, d.Value.GrantedOutOfOrder))
                .OrderByDescending(d => d.Attempts).ThenBy(d => d.ProductId, StringComparer.Ordinal)]);
    }

    public static ImmutableDictionary<string, long> Add(ImmutableDictionary<string, long> counts, string key, long amount)
        => counts.SetItem(key, counts.GetValueOrDefault(key) + amount);

    private static string? Term(string? text)
    {
        var term = text?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(term) ? null : term.Length > MaxTermLength ? term[..MaxTermLength] : term;
    }

    /// <summary>
    /// Beyond the cap the least searched terms go, down to four fifths of it (so the pruning is rare): a day of random
    /// strings cannot grow the state without bound, and the terms worth reporting are the frequent ones.
    /// </summary>
    private static ImmutableDictionary<string, long> Capped(ImmutableDictionary<string, long> terms)
        => terms.Count <= AnalyticsDayGrain.MaxSearchTerms
            ? terms
            : terms.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Take(AnalyticsDayGrain.MaxSearchTerms * 4 / 5).ToImmutableDictionary();

    private static List<KeywordCount> Top(ImmutableDictionary<string, long> terms)
        => [.. terms.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Take(20).Select(t => new KeywordCount(t.Key, t.Value))];
}
