using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>One invariant and whether the run kept it.</summary>
public sealed record AuditCheck(string Name, bool Passed, string Detail);

/// <summary>The invariant audit read back through the API after a run; any failed check fails the run.</summary>
public sealed record AuditReport(IReadOnlyList<AuditCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>A member's points as the API reports them, with the ledger summed by kind.</summary>
public sealed record MemberPoints(string Id, long Balance, long LedgerSum, bool Reconciles, long Earned, long Spent, long Refunded, long Expired, long Adjusted, long NewestBalanceAfter, int Entries);

/// <summary>An order as the admin list shows it.</summary>
public sealed record AuditOrder(string Id, string MemberId, string ProductId, int Quantity, long Points, string Status);

/// <summary>Reads what the audit needs through the admin API, a bounded number of calls at a time.</summary>
public sealed class AuditReader(ApiTargets api, string adminToken)
{
    private const int PageSize = 100;
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<MemberPoints>> MembersAsync(IEnumerable<string> memberIds, CancellationToken cancellationToken)
    {
        var results = new ConcurrentBag<MemberPoints>();
        await Parallel.ForEachAsync(memberIds, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var member = (await api.GetAsync($"admin/members/{Uri.EscapeDataString(id)}", adminToken, ct).ConfigureAwait(false)).EnsureSuccess($"read member {id}");
            var view = member.Body.GetProperty("member");
            long earned = 0, spent = 0, refunded = 0, expired = 0, adjusted = 0, newest = long.MinValue;
            var entries = 0;
            var newestAt = DateTimeOffset.MinValue;
            for (var page = 1; ; page++)
            {
                var ledger = (await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"admin/members/{Uri.EscapeDataString(id)}/points?page={page}&pageSize={PageSize}"), adminToken, ct).ConfigureAwait(false))
                    .EnsureSuccess($"read the ledger of {id}");
                var items = ledger.Body.GetProperty("items");
                foreach (var item in items.EnumerateArray())
                {
                    entries++;
                    var amount = Math.Abs(item.GetProperty("amount").GetInt64());
                    var signed = item.GetProperty("amount").GetInt64();
                    switch (item.GetProperty("kind").GetString())
                    {
                        case "earn": earned += amount; break;
                        case "spend": spent += amount; break;
                        case "refund": refunded += amount; break;
                        case "expire": expired += amount; break;
                        default: adjusted += signed; break;
                    }

                    var at = item.GetProperty("at").GetDateTimeOffset();
                    if (at >= newestAt)
                    {
                        newestAt = at;
                        newest = item.GetProperty("balanceAfter").GetInt64();
                    }
                }

                if (items.GetArrayLength() < PageSize || page * PageSize >= ledger.Number("total"))
                {
                    break;
                }
            }

            results.Add(new MemberPoints(id, view.GetProperty("balance").GetInt64(), member.Number("ledgerSum"),
                member.Body.TryGetProperty("reconciles", out var r) && r.ValueKind == JsonValueKind.True,
                earned, spent, refunded, expired, adjusted, newest == long.MinValue ? 0 : newest, entries));
        }).ConfigureAwait(false);
        return [.. results.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every order in the admin list (newest deployments hold only this run's, but callers filter by product or member).</summary>
    public async Task<IReadOnlyList<AuditOrder>> OrdersAsync(CancellationToken cancellationToken)
    {
        var orders = new List<AuditOrder>();
        for (var page = 1; ; page++)
        {
            var response = (await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"admin/orders?page={page}&pageSize={PageSize}"), adminToken, cancellationToken).ConfigureAwait(false))
                .EnsureSuccess("list orders");
            var items = response.Body.GetProperty("items");
            orders.AddRange(items.EnumerateArray().Select(o => new AuditOrder(
                o.GetProperty("id").GetString()!,
                o.GetProperty("memberId").GetString()!,
                o.GetProperty("productId").GetString()!,
                o.GetProperty("quantity").GetInt32(),
                o.GetProperty("points").GetInt64(),
                o.GetProperty("status").GetString()!)));
            if (items.GetArrayLength() < PageSize || page * PageSize >= response.Number("total"))
            {
                return orders;
            }
        }
    }

    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until no order of these products is mid-saga (PendingPayment: points
    /// orders rest at PendingShipment or Cancelled). A saga the run left mid-way (a node lost, a request cut off) is
    /// finished by its reminder within about a minute; checking the points before that would count it as a fault.
    /// </summary>
    public async Task<AuditCheck> SettleAsync(IReadOnlySet<string> productIds, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(productIds);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        int? first = null;
        while (true)
        {
            var moving = new List<string>();
            for (var page = 1; ; page++)
            {
                var response = (await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"admin/orders?status=PendingPayment&page={page}&pageSize={PageSize}"), adminToken, cancellationToken).ConfigureAwait(false))
                    .EnsureSuccess("list orders mid-saga");
                var items = response.Body.GetProperty("items");
                // Filtered here too: a server may ignore the status filter (the row-lock baseline does).
                moving.AddRange(items.EnumerateArray()
                    .Where(o => o.GetProperty("status").GetString() == "PendingPayment" && productIds.Contains(o.GetProperty("productId").GetString()!))
                    .Select(o => o.GetProperty("id").GetString()!));
                if (items.GetArrayLength() < PageSize || page * PageSize >= response.Number("total"))
                {
                    break;
                }
            }

            first ??= moving.Count;
            var waited = time.GetElapsedTime(started);
            if (moving.Count == 0)
            {
                return new AuditCheck("every saga at rest", true, first == 0
                    ? "no order was mid-saga"
                    : string.Create(CultureInfo.InvariantCulture, $"{first} orders were mid-saga after the run; all at rest {waited.TotalSeconds:0} s later (their reminders)"));
            }

            if (waited >= timeout)
            {
                return new AuditCheck("every saga at rest", false,
                    string.Create(CultureInfo.InvariantCulture, $"{moving.Count} orders still mid-saga {waited.TotalSeconds:0} s after the run: {AuditChecks.Show(moving)}"));
            }

            // The sagas move in the engine, on its reminders: there is nothing to wait on here but their results.
            await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>(total, available, reserved, sold) of a product.</summary>
    public async Task<(long Total, long Available, long Reserved, long Sold)> StockAsync(string productId, CancellationToken cancellationToken)
    {
        var product = (await api.GetAsync($"admin/products/{Uri.EscapeDataString(productId)}", adminToken, cancellationToken).ConfigureAwait(false)).EnsureSuccess($"read product {productId}");
        var stock = product.Body.GetProperty("stock");
        return (stock.GetProperty("total").GetInt64(), stock.GetProperty("available").GetInt64(), stock.GetProperty("reserved").GetInt64(), stock.GetProperty("sold").GetInt64());
    }
}

/// <summary>The checks every scenario shares.</summary>
public static class AuditChecks
{
    private const int ShownFailures = 5;

    public static bool IsLive(AuditOrder order) => !string.Equals(order.Status, "Cancelled", StringComparison.OrdinalIgnoreCase);

    /// <summary>Successful orders ≤ stock, and the stock consumed equals what live orders hold.</summary>
    public static IEnumerable<AuditCheck> Stock(string productId, (long Total, long Available, long Reserved, long Sold) stock, IReadOnlyList<AuditOrder> orders, long initialStock)
    {
        var live = orders.Where(o => o.ProductId == productId && IsLive(o)).ToList();
        var units = live.Sum(o => (long)o.Quantity);
        var consumed = stock.Total - stock.Available;
        yield return new AuditCheck($"no oversell ({productId})", units <= initialStock && stock.Available >= 0,
            Inv($"{live.Count} live orders hold {units} units of a stock of {initialStock}; available {stock.Available}"));
        yield return new AuditCheck($"orders = stock consumed ({productId})", units == consumed && consumed == stock.Reserved + stock.Sold,
            Inv($"orders hold {units}; stock total − available = {consumed}; reserved + sold = {stock.Reserved + stock.Sold}"));
    }

    /// <summary>No negative balance; balance = start + earned − spent + refunded (− expired ± adjustments) from the ledger.</summary>
    public static IEnumerable<AuditCheck> Balances(IReadOnlyList<MemberPoints> members, long startingPoints)
    {
        var negative = members.Where(m => m.Balance < 0).ToList();
        yield return new AuditCheck("no negative balance", negative.Count == 0,
            negative.Count == 0 ? Inv($"{members.Count} members, lowest balance {(members.Count == 0 ? 0 : members.Min(m => m.Balance))}") : Inv($"{negative.Count} negative: {Show(negative.Select(m => $"{m.Id}={m.Balance}"))}"));

        // The bulk seeding's starting points are a ledger credit too (earn or adjustment): start is counted once, there.
        var wrong = members.Where(m =>
            m.Balance != m.Earned - m.Spent + m.Refunded - m.Expired + m.Adjusted
            || (m.Entries > 0 && m.NewestBalanceAfter != m.Balance)
            || m.Earned + Math.Max(0, m.Adjusted) < startingPoints).ToList();
        yield return new AuditCheck("balance = start + earned − spent + refunded", wrong.Count == 0,
            wrong.Count == 0
                ? Inv($"{members.Count} members reconcile with their ledgers (Σ earned {members.Sum(m => m.Earned)}, spent {members.Sum(m => m.Spent)}, refunded {members.Sum(m => m.Refunded)})")
                : Inv($"{wrong.Count} do not: {Show(wrong.Select(m => $"{m.Id}: balance {m.Balance} vs earned {m.Earned} − spent {m.Spent} + refunded {m.Refunded} − expired {m.Expired} + adjusted {m.Adjusted}, newest entry {m.NewestBalanceAfter}"))}"));
    }

    /// <summary>Points spent (net of refunds) equal the points held by the member's live orders (plus lottery costs when given).</summary>
    public static AuditCheck SpendingMatchesOrders(IReadOnlyList<MemberPoints> members, IReadOnlyList<AuditOrder> orders, IReadOnlyDictionary<string, long>? otherSpending = null)
    {
        var held = orders.Where(IsLive).GroupBy(o => o.MemberId).ToDictionary(g => g.Key, g => g.Sum(o => o.Points), StringComparer.Ordinal);
        var wrong = members.Where(m => m.Spent - m.Refunded != held.GetValueOrDefault(m.Id) + (otherSpending?.GetValueOrDefault(m.Id) ?? 0)).ToList();
        return new AuditCheck("points spent = points held by orders", wrong.Count == 0,
            wrong.Count == 0
                ? Inv($"{held.Values.Sum()} points held by live orders match the ledgers")
                : Inv($"{wrong.Count} members differ: {Show(wrong.Select(m => $"{m.Id}: spent−refunded {m.Spent - m.Refunded}, orders {held.GetValueOrDefault(m.Id)}"))}"));
    }

    /// <summary>
    /// Every key produced at most one id, the server holds no more records than keys were sent (a retry never
    /// made a second one), and every id the client was given exists on the server (nothing acknowledged lost).
    /// </summary>
    public static IEnumerable<AuditCheck> Idempotency(string what, AcknowledgedIds acknowledged, ISet<string> onServer)
    {
        var byKey = acknowledged.Snapshot();
        var split = byKey.Where(k => k.Value.Count > 1).ToList();
        yield return new AuditCheck($"each idempotency key ≤ 1 {what}", split.Count == 0 && onServer.Count <= acknowledged.KeysSent,
            split.Count == 0
                ? Inv($"{acknowledged.KeysSent} keys sent, {byKey.Count} answered with an id; the server holds {onServer.Count} {what}s for this run")
                : Inv($"{split.Count} keys got several ids: {Show(split.Select(k => $"{k.Key} → {string.Join('/', k.Value)}"))}"));
        var ids = byKey.Values.SelectMany(v => v).ToList();
        var lost = ids.Where(id => !onServer.Contains(id)).ToList();
        yield return new AuditCheck($"no acknowledged {what} lost", lost.Count == 0,
            lost.Count == 0 ? Inv($"all {ids.Count} acknowledged ids are on the server") : Inv($"{lost.Count} missing: {Show(lost)}"));
    }

    public static string Show(IEnumerable<string> items)
    {
        var list = items.Take(ShownFailures + 1).ToList();
        return string.Join("; ", list.Take(ShownFailures)) + (list.Count > ShownFailures ? "; …" : "");
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Keys the client sent and the ids the server acknowledged for them.</summary>
public sealed class AcknowledgedIds
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byKey = new(StringComparer.Ordinal);

    public void Record(string key, string? id)
    {
        var ids = _byKey.GetOrAdd(key, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        if (id is not null)
        {
            ids.TryAdd(id, 0);
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Snapshot()
        => _byKey.Where(k => !k.Value.IsEmpty).ToDictionary(k => k.Key, k => (IReadOnlyCollection<string>)k.Value.Keys.ToList(), StringComparer.Ordinal);

    public int KeysSent => _byKey.Count;
}
