using System.Globalization;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>
/// A flash-sale drop: M members (bulk-seeded), one SKU with stock S, redemptions arriving at the load's rate from
/// random members; a failed write is retried with the same Idempotency-Key. sold_out / limit_exceeded /
/// insufficient_points are answers, not failures. The audit proves no oversell and no double spend.
/// </summary>
public static class FlashSaleScenario
{
    public const string Name = "flash-sale";

    public static readonly string[] Answers = ["sold_out", "limit_exceeded", "insufficient_points", "not_on_sale"];

    public static ScenarioPlan Create(ApiTargets api, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var seeder = new Seeder(api, options);
        var acknowledged = new AcknowledgedIds();
        IReadOnlyList<(string Id, string Token)> members = [];
        var productId = "";

        var scenario = new Scenario(Name, async ctx =>
        {
            var (_, token) = members[ctx.Random.Next(members.Count)];
            var key = Seeder.Key("fs", ctx.Iteration);
            acknowledged.Record(key, null);
            var response = await Retrying.RunAsync(ctx, "redeem", options.Retries,
                ct => api.PostAsync("redemptions", new { productId, quantity = 1, payment = "points" }, token, ct, key), Answers).ConfigureAwait(false);
            if (response is { IsSuccess: true })
            {
                acknowledged.Record(key, response.Text("orderId") ?? response.Text("id"));
            }
        })
        {
            Init = async ct =>
            {
                await seeder.SignInAsync(ct).ConfigureAwait(false);
                members = await seeder.MembersAsync(options.Members, ct).ConfigureAwait(false);
                productId = await seeder.ProductAsync("Flash drop " + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture), options.Stock, options.PointsPrice, options.PerMemberLimit, ct).ConfigureAwait(false);
            },
        };

        return new ScenarioPlan(scenario, async ct =>
        {
            var reader = new AuditReader(api, seeder.AdminToken);
            var settled = await reader.SettleAsync(new HashSet<string>([productId], StringComparer.Ordinal), options.SettleTimeout, TimeProvider.System, ct).ConfigureAwait(false);
            var stock = await reader.StockAsync(productId, ct).ConfigureAwait(false);
            var orders = (await reader.OrdersAsync(ct).ConfigureAwait(false)).Where(o => o.ProductId == productId).ToList();
            var points = await reader.MembersAsync(members.Select(m => m.Id), ct).ConfigureAwait(false);
            var checks = new List<AuditCheck> { settled };
            checks.AddRange(AuditChecks.Stock(productId, stock, orders, options.Stock));
            checks.AddRange(AuditChecks.Balances(points, options.StartingPoints));
            checks.Add(AuditChecks.SpendingMatchesOrders(points, orders));
            checks.AddRange(AuditChecks.Idempotency("order", acknowledged, orders.Select(o => o.Id).ToHashSet(StringComparer.Ordinal)));
            return new AuditReport(checks);
        }, () => string.Create(CultureInfo.InvariantCulture, $"{options.Members} members × {options.StartingPoints} points; SKU {productId} stock {options.Stock} at {options.PointsPrice} points, limit {options.PerMemberLimit}/member; {options.Retries} retries per redemption"));
    }
}
