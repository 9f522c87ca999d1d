using System.Globalization;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>
/// Mixed traffic over many members and SKUs: 80 % browse (catalogue page, then a product), 15 % redeem a random
/// SKU, 5 % sign in and read the points history. The audit checks every SKU's stock and every member's points.
/// </summary>
public static class MixedTrafficScenario
{
    public const string Name = "mixed";

    public static ScenarioPlan Create(ApiTargets api, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var seeder = new Seeder(api, options);
        var acknowledged = new AcknowledgedIds();
        IReadOnlyList<(string Id, string Token)> members = [];
        List<string> skus = [];

        var scenario = new PointsMall.LoadTests.Running.Scenario(Name, async ctx =>
        {
            var (_, token) = members[ctx.Random.Next(members.Count)];
            var roll = ctx.Random.Next(100);
            if (roll < 80)
            {
                var page = ctx.Random.Next(1, 4);
                var list = await ctx.StepAsync("browse list", async ct => (await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"products?page={page}&pageSize=20"), token, ct).ConfigureAwait(false)).ToOutcome()).ConfigureAwait(false);
                if (list.IsOk)
                {
                    var sku = skus[ctx.Random.Next(skus.Count)];
                    await ctx.StepAsync("browse product", async ct => (await api.GetAsync($"products/{sku}", token, ct).ConfigureAwait(false)).ToOutcome()).ConfigureAwait(false);
                }
            }
            else if (roll < 95)
            {
                var sku = skus[ctx.Random.Next(skus.Count)];
                var key = Seeder.Key("mx", ctx.Iteration);
                acknowledged.Record(key, null);
                var response = await Retrying.RunAsync(ctx, "redeem", options.Retries,
                    ct => api.PostAsync("redemptions", new { productId = sku, quantity = 1, payment = "points" }, token, ct, key), FlashSaleScenario.Answers).ConfigureAwait(false);
                if (response is { IsSuccess: true })
                {
                    acknowledged.Record(key, response.Text("orderId") ?? response.Text("id"));
                }
            }
            else
            {
                // Signing in twice the same day is an answer (already signed in), not a failure.
                await ctx.StepAsync("sign-in", async ct => (await api.PostAsync("me/sign-in", null, token, ct).ConfigureAwait(false)).ToOutcome("already_signed_in", "conflict")).ConfigureAwait(false);
                await ctx.StepAsync("history", async ct => (await api.GetAsync("me/points?page=1&pageSize=20", token, ct).ConfigureAwait(false)).ToOutcome()).ConfigureAwait(false);
            }
        })
        {
            Init = async ct =>
            {
                await seeder.SignInAsync(ct).ConfigureAwait(false);
                members = await seeder.MembersAsync(options.Members, ct).ConfigureAwait(false);
                var created = new List<string>();
                for (var i = 0; i < Math.Max(1, options.Skus); i++)
                {
                    created.Add(await seeder.ProductAsync(string.Create(CultureInfo.InvariantCulture, $"Mixed SKU {i + 1}"), options.Stock, options.PointsPrice, 99, ct).ConfigureAwait(false));
                }

                skus = created;
            },
        };

        return new ScenarioPlan(scenario, async ct =>
        {
            var reader = new AuditReader(api, seeder.AdminToken);
            var skuSet = skus.ToHashSet(StringComparer.Ordinal);
            var settled = await reader.SettleAsync(skuSet, options.SettleTimeout, TimeProvider.System, ct).ConfigureAwait(false);
            var all = await reader.OrdersAsync(ct).ConfigureAwait(false);
            var orders = all.Where(o => skuSet.Contains(o.ProductId)).ToList();
            var checks = new List<AuditCheck> { settled };
            foreach (var sku in skus)
            {
                checks.AddRange(AuditChecks.Stock(sku, await reader.StockAsync(sku, ct).ConfigureAwait(false), orders, options.Stock));
            }

            var points = await reader.MembersAsync(members.Select(m => m.Id), ct).ConfigureAwait(false);
            checks.AddRange(AuditChecks.Balances(points, options.StartingPoints));
            checks.Add(AuditChecks.SpendingMatchesOrders(points, orders));
            checks.AddRange(AuditChecks.Idempotency("order", acknowledged, orders.Select(o => o.Id).ToHashSet(StringComparer.Ordinal)));
            return new AuditReport(Collapse(checks, skus.Count));
        }, () => string.Create(CultureInfo.InvariantCulture, $"{options.Members} members × {options.StartingPoints} points; {skus.Count} SKUs × stock {options.Stock} at {options.PointsPrice} points; browse 80 % / redeem 15 % / sign-in + history 5 %"));
    }

    /// <summary>One line per invariant rather than one per SKU: failures keep their detail.</summary>
    private static List<AuditCheck> Collapse(List<AuditCheck> checks, int skus)
    {
        var result = new List<AuditCheck>();
        foreach (var group in checks.GroupBy(c => c.Name.Split(" (", 2)[0]))
        {
            var list = group.ToList();
            if (list.Count == 1 || list.Count != skus)
            {
                result.AddRange(list);
                continue;
            }

            var failed = list.Where(c => !c.Passed).ToList();
            result.Add(new AuditCheck(group.Key + " (every SKU)", failed.Count == 0,
                failed.Count == 0 ? $"{list.Count} SKUs" : AuditChecks.Show(failed.Select(f => f.Name + ": " + f.Detail))));
        }

        return result;
    }
}
