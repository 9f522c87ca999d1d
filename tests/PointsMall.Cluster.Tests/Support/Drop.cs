using System.Collections.Concurrent;
using System.Globalization;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;
using Xunit;

namespace PointsMall.Cluster.Tests.Support;

/// <summary>One redemption request as the shopper last saw it: its key, who sent it, and the answer.</summary>
public sealed record Attempt(string Key, string MemberId, string Token, int Status, string? Code, string? OrderId)
{
    public bool Acknowledged => Status is 200 or 201;
}

/// <summary>
/// A drop seeded through the admin API (members with points, one product), the load runner's scenario that redeems
/// it with a fresh Idempotency-Key per iteration, and what the tests check afterwards: the load runner's invariant
/// audit, sagas at rest, and replays of every acknowledged key.
/// </summary>
public sealed class Drop
{
    private readonly ConcurrentDictionary<string, Attempt> _attempts = new(StringComparer.Ordinal);
    private readonly AcknowledgedIds _acknowledged = new();
    private readonly WorkloadOptions _options;
    private Seeder _seeder = null!;

    private Drop(WorkloadOptions options) => _options = options;

    public string ProductId { get; private set; } = "";

    public IReadOnlyList<(string Id, string Token)> Members { get; private set; } = [];

    public IReadOnlyCollection<Attempt> Attempts => [.. _attempts.Values];

    public static async Task<Drop> SeedAsync(ApiTargets api, int members, long stock, int? perMemberLimit, long points = 1_000_000, long price = 100)
    {
        var options = new WorkloadOptions
        {
            AdminPassword = ProcessCluster.AdminPassword,
            Members = members,
            StartingPoints = points,
            Stock = stock,
            PointsPrice = price,
            PerMemberLimit = perMemberLimit ?? 0,
        };
        var drop = new Drop(options) { _seeder = new Seeder(api, options) };
        await drop._seeder.SignInAsync(CancellationToken.None);
        drop.Members = await drop._seeder.MembersAsync(members, CancellationToken.None);
        drop.ProductId = await drop._seeder.ProductAsync("集群秒杀 Failover drop", stock, price, perMemberLimit, CancellationToken.None);
        return drop;
    }

    /// <summary>Each iteration: a random member redeems one unit with a new key, retried <paramref name="retries"/> times with the same key.</summary>
    public Scenario Scenario(ApiTargets api, int retries) => new("failover-drop", async ctx =>
    {
        var (memberId, token) = Members[ctx.Random.Next(Members.Count)];
        var key = Seeder.Key("drop", ctx.Iteration);
        _acknowledged.Record(key, null);
        var response = await Retrying.RunAsync(ctx, "redeem", retries,
            ct => api.PostAsync("redemptions", new { productId = ProductId, quantity = 1, payment = "points" }, token, ct, key), FlashSaleScenario.Answers);
        var orderId = response is { IsSuccess: true } ? response.Text("id") : null;
        if (orderId is not null)
        {
            _acknowledged.Record(key, orderId);
        }

        _attempts[key] = new Attempt(key, memberId, token, response?.Status ?? 0, response?.Code, orderId);
    });

    /// <summary>One redemption outside the load runner (a random member, a new key), retried on 5xx, 429 or a transport failure.</summary>
    public async Task<Attempt> RedeemAsync(ApiTargets api, Random random, int retries)
    {
        var (memberId, token) = Members[random.Next(Members.Count)];
        var key = Seeder.Key("drop-extra", random.NextInt64());
        _acknowledged.Record(key, null);
        ApiResponse? response = null;
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            try
            {
                response = await api.PostAsync("redemptions", new { productId = ProductId, quantity = 1, payment = "points" }, token, CancellationToken.None, key);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                response = null;
            }

            if (response is not null && !Retrying.IsRetryable(response.ToOutcome(FlashSaleScenario.Answers)))
            {
                break;
            }
        }

        var orderId = response is { IsSuccess: true } ? response.Text("id") : null;
        if (orderId is not null)
        {
            _acknowledged.Record(key, orderId);
        }

        return _attempts[key] = new Attempt(key, memberId, token, response?.Status ?? 0, response?.Code, orderId);
    }

    /// <summary>
    /// Waits until no order of the drop is mid-saga, with the load runner's settle check, then that no cancelled order
    /// is still compensating; returns the settle check (how many were mid-saga, and for how long).
    /// </summary>
    public async Task<AuditCheck> WaitUntilEveryOrderRestsAsync(ApiTargets api, TimeSpan timeout)
    {
        var reader = new AuditReader(api, _seeder.AdminToken);
        var settled = await reader.SettleAsync(new HashSet<string>([ProductId], StringComparer.Ordinal), timeout, TimeProvider.System, CancellationToken.None);
        Assert.True(settled.Passed, settled.Detail);
        var orders = (await reader.OrdersAsync(CancellationToken.None)).Where(o => o.ProductId == ProductId && !AuditChecks.IsLive(o)).ToList();
        var compensating = new List<string>();
        foreach (var order in orders)
        {
            var step = (await api.GetAsync($"admin/orders/{Uri.EscapeDataString(order.Id)}", _seeder.AdminToken, CancellationToken.None))
                .EnsureSuccess($"read order {order.Id}").Text("step");
            if (step != "Cancelled")
            {
                compensating.Add($"{order.Id} at {step}");
            }
        }

        Assert.True(compensating.Count == 0, $"cancelled orders still compensating: {AuditChecks.Show(compensating)}");
        return settled;
    }

    /// <summary>The load runner's invariant audit: no oversell, balances reconcile, spending = orders, idempotency.</summary>
    public async Task<AuditReport> AuditAsync(ApiTargets api)
    {
        var reader = new AuditReader(api, _seeder.AdminToken);
        var stock = await reader.StockAsync(ProductId, CancellationToken.None);
        var orders = (await reader.OrdersAsync(CancellationToken.None)).Where(o => o.ProductId == ProductId).ToList();
        var points = await reader.MembersAsync(Members.Select(m => m.Id), CancellationToken.None);
        var checks = new List<AuditCheck>();
        checks.AddRange(AuditChecks.Stock(ProductId, stock, orders, _options.Stock));
        checks.AddRange(AuditChecks.Balances(points, _options.StartingPoints));
        checks.Add(AuditChecks.SpendingMatchesOrders(points, orders));
        checks.AddRange(AuditChecks.Idempotency("order", _acknowledged, orders.Select(o => o.Id).ToHashSet(StringComparer.Ordinal)));
        return new AuditReport(checks);
    }

    /// <summary>Sends every acknowledged request again with its key: each must answer with the order it was first given.</summary>
    public async Task ReplayAcknowledgedAsync(ApiTargets api)
    {
        var acknowledged = Attempts.Where(a => a.Acknowledged).ToList();
        var wrong = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (attempt, ct) =>
        {
            var again = await api.PostAsync("redemptions", new { productId = ProductId, quantity = 1, payment = "points" }, attempt.Token, ct, attempt.Key);
            if (!again.IsSuccess || again.Text("id") != attempt.OrderId)
            {
                wrong.Add(string.Create(CultureInfo.InvariantCulture, $"{attempt.Key}: first {attempt.OrderId}, replay {again.Status} {again.Code} {again.Text("id")}"));
            }
        });
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {acknowledged.Count} replays did not give the first outcome: {AuditChecks.Show(wrong)}");
    }

    public static void AssertPassed(AuditReport audit)
        => Assert.True(audit.Passed, "Invariant audit failed:\n" + string.Join('\n', audit.Checks.Select(c => $"{(c.Passed ? "ok  " : "FAIL")} {c.Name}: {c.Detail}")));
}
