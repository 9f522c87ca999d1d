using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>
/// A lottery storm: members draw from one lottery with scarce prize tiers, each draw with its own
/// Idempotency-Key (retried with the same key). The audit checks prize stock never went below zero, wins match
/// the stock taken, each key made at most one draw, and every member's points reconcile with the draws.
/// </summary>
public static class LotteryStormScenario
{
    public const string Name = "lottery-storm";

    private static readonly string[] Answers = ["insufficient_points", "sold_out", "not_on_sale", "limit_exceeded", "ended", "not_started"];

    public static ScenarioPlan Create(ApiTargets api, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var seeder = new Seeder(api, options);
        var acknowledged = new AcknowledgedIds();
        var winsByTier = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        IReadOnlyList<(string Id, string Token)> members = [];
        var lotteryId = "";

        var scenario = new PointsMall.LoadTests.Running.Scenario(Name, async ctx =>
        {
            var (_, token) = members[ctx.Random.Next(members.Count)];
            var key = Seeder.Key("ls", ctx.Iteration);
            acknowledged.Record(key, null);
            var response = await Retrying.RunAsync(ctx, "draw", options.Retries,
                ct => api.PostAsync($"lotteries/{lotteryId}/draws", new { }, token, ct, key), Answers).ConfigureAwait(false);
            if (response is { IsSuccess: true })
            {
                acknowledged.Record(key, response.Text("drawId"));
                if (response.Body.TryGetProperty("won", out var won) && won.ValueKind == JsonValueKind.True && response.Text("tierId") is { } tier
                    && !(response.Body.TryGetProperty("replayed", out var replayed) && replayed.ValueKind == JsonValueKind.True))
                {
                    winsByTier.AddOrUpdate(tier, 1, (_, n) => n + 1);
                }
            }
        })
        {
            Init = async ct =>
            {
                await seeder.SignInAsync(ct).ConfigureAwait(false);
                members = await seeder.MembersAsync(options.Members, ct).ConfigureAwait(false);
                lotteryId = "load-" + Guid.NewGuid().ToString("N")[..12];
                (await api.PostAsync("admin/lotteries", new
                {
                    id = lotteryId,
                    name = "Lottery storm",
                    cost = options.PointsPrice,
                    participationPoints = 0,
                    tiers = new object[]
                    {
                        new { id = "grand", name = "Grand prize", probability = 0.01, stock = Math.Max(1, options.Stock / 10) },
                        new { id = "second", name = "Second prize", probability = 0.1, stock = options.Stock },
                    },
                }, seeder.AdminToken, ct).ConfigureAwait(false)).EnsureSuccess("create the lottery (POST /admin/lotteries)");
            },
        };

        return new ScenarioPlan(scenario, async ct =>
        {
            var checks = new List<AuditCheck>();
            var lottery = (await api.GetAsync($"lotteries/{lotteryId}", seeder.AdminToken, ct).ConfigureAwait(false)).EnsureSuccess("read the lottery");
            var tiers = lottery.Body.GetProperty("tiers").EnumerateArray()
                .Select(t => (Id: t.GetProperty("id").GetString()!, Stock: t.GetProperty("stock").GetInt64(), Remaining: t.GetProperty("remaining").GetInt64())).ToList();
            var taken = tiers.Sum(t => t.Stock - t.Remaining);
            var wins = lottery.Number("wins");
            checks.Add(new AuditCheck("no prize oversold", tiers.All(t => t.Remaining >= 0) && tiers.All(t => winsByTier.GetValueOrDefault(t.Id) <= t.Stock - t.Remaining),
                string.Join("; ", tiers.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Id}: stock {t.Stock}, remaining {t.Remaining}, wins acknowledged {winsByTier.GetValueOrDefault(t.Id)}")))));
            checks.Add(new AuditCheck("wins = prize stock taken", wins == taken, string.Create(CultureInfo.InvariantCulture, $"lottery reports {wins} wins; tiers lost {taken} units")));

            // Server-side draws, per member, for the idempotency and spending checks.
            var draws = new ConcurrentBag<(string Member, string DrawId, long Spent)>();
            await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (m, c) =>
            {
                for (var page = 1; ; page++)
                {
                    var history = (await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"me/draws?page={page}&pageSize=100"), m.Token, c).ConfigureAwait(false)).EnsureSuccess("read draws");
                    var items = history.Body.GetProperty("items");
                    foreach (var d in items.EnumerateArray().Where(d => d.GetProperty("lotteryId").GetString() == lotteryId))
                    {
                        draws.Add((m.Id, d.GetProperty("drawId").GetString()!, d.GetProperty("pointsSpent").GetInt64()));
                    }

                    if (items.GetArrayLength() < 100)
                    {
                        break;
                    }
                }
            }).ConfigureAwait(false);
            var points = await new AuditReader(api, seeder.AdminToken).MembersAsync(members.Select(m => m.Id), ct).ConfigureAwait(false);
            checks.AddRange(AuditChecks.Balances(points, options.StartingPoints));
            var spending = draws.GroupBy(d => d.Member).ToDictionary(g => g.Key, g => g.Sum(d => d.Spent), StringComparer.Ordinal);
            checks.Add(AuditChecks.SpendingMatchesOrders(points, [], spending) with { Name = "points spent = draw costs" });
            checks.AddRange(AuditChecks.Idempotency("draw", acknowledged, draws.Select(d => d.DrawId).ToHashSet(StringComparer.Ordinal)));
            return new AuditReport(checks);
        }, () => string.Create(CultureInfo.InvariantCulture, $"{options.Members} members × {options.StartingPoints} points; lottery {lotteryId} at {options.PointsPrice} points per draw, tiers grand ({Math.Max(1, options.Stock / 10)}) and second ({options.Stock})"));
    }
}
