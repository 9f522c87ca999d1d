using System.Collections.Concurrent;
using System.Globalization;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>
/// An earning burst: purchases reported through POST /admin/earn for random members, each with its own
/// reference (retried with the same one). The audit checks every member's ledger and that the points earned are
/// at least what was acknowledged, and exactly that when no write was left in doubt.
/// </summary>
public static class EarningBurstScenario
{
    public const string Name = "earning-burst";

    public static ScenarioPlan Create(ApiTargets api, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var seeder = new Seeder(api, options);
        var acknowledged = new ConcurrentDictionary<string, (string Member, long Points)>(StringComparer.Ordinal);
        long inDoubt = 0;
        IReadOnlyList<(string Id, string Token)> members = [];

        var scenario = new PointsMall.LoadTests.Running.Scenario(Name, async ctx =>
        {
            var (memberId, _) = members[ctx.Random.Next(members.Count)];
            var reference = Seeder.Key("eb", ctx.Iteration);
            var purchaseAmount = ctx.Random.Next(10, 500);
            var response = await Retrying.RunAsync(ctx, "earn", options.Retries,
                ct => api.PostAsync("admin/earn", new { memberId, purchaseAmount, reference }, seeder.AdminToken, ct)).ConfigureAwait(false);
            if (response is { IsSuccess: true })
            {
                acknowledged.TryAdd(reference, (memberId, response.Number("pointsAwarded")));
            }
            else if (response is null || Retrying.IsRetryable(response.ToOutcome()))
            {
                Interlocked.Increment(ref inDoubt);
            }
        })
        {
            Init = async ct =>
            {
                await seeder.SignInAsync(ct).ConfigureAwait(false);
                members = await seeder.MembersAsync(options.Members, ct).ConfigureAwait(false);
            },
        };

        return new ScenarioPlan(scenario, async ct =>
        {
            var points = await new AuditReader(api, seeder.AdminToken).MembersAsync(members.Select(m => m.Id), ct).ConfigureAwait(false);
            var checks = new List<AuditCheck>();
            checks.AddRange(AuditChecks.Balances(points, options.StartingPoints));
            var acked = acknowledged.Values.GroupBy(a => a.Member).ToDictionary(g => g.Key, g => g.Sum(a => a.Points), StringComparer.Ordinal);

            // Earned on the ledger beyond the starting grant (which may be booked as an earning or an adjustment).
            var wrong = points.Where(m =>
            {
                var earnedInRun = m.Earned + Math.Max(0, m.Adjusted) - options.StartingPoints;
                var expected = acked.GetValueOrDefault(m.Id);
                return Interlocked.Read(ref inDoubt) == 0 ? earnedInRun != expected : earnedInRun < expected;
            }).ToList();
            checks.Add(new AuditCheck("earned = acknowledged earnings", wrong.Count == 0,
                wrong.Count == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{acknowledged.Count} acknowledged purchases, {acked.Values.Sum()} points; {Interlocked.Read(ref inDoubt)} left in doubt")
                    : AuditChecks.Show(wrong.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Id}: ledger earned {m.Earned + Math.Max(0, m.Adjusted) - options.StartingPoints}, acknowledged {acked.GetValueOrDefault(m.Id)}")))));
            return new AuditReport(checks);
        }, () => string.Create(CultureInfo.InvariantCulture, $"{options.Members} members × {options.StartingPoints} points; purchases of 10–499 yuan through POST /admin/earn"));
    }
}
