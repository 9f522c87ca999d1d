using System.Globalization;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>
/// Calibration, not a workload: random members read their own profile (GET /me: the HTTP pipeline, the bearer
/// check and one in-memory grain read, nothing written). What this reaches on a machine is the most any scenario
/// can reach there with this generator, so run it first when sizing, and read other figures against it.
/// </summary>
public static class HttpFloorScenario
{
    public const string Name = "http-floor";

    public static ScenarioPlan Create(ApiTargets api, WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var seeder = new Seeder(api, options);
        IReadOnlyList<(string Id, string Token)> members = [];

        var scenario = new Scenario(Name, async ctx =>
        {
            var (_, token) = members[ctx.Random.Next(members.Count)];
            await ctx.StepAsync("me", async ct => (await api.GetAsync("me", token, ct).ConfigureAwait(false)).ToOutcome()).ConfigureAwait(false);
        })
        {
            Init = async ct =>
            {
                await seeder.SignInAsync(ct).ConfigureAwait(false);
                members = await seeder.MembersAsync(options.Members, ct).ConfigureAwait(false);
            },
        };

        // Reads change nothing, so the audit has one thing to prove: the members still reconcile with their ledgers.
        return new ScenarioPlan(scenario, async ct =>
        {
            var points = await new AuditReader(api, seeder.AdminToken).MembersAsync(members.Select(m => m.Id), ct).ConfigureAwait(false);
            return new AuditReport([.. AuditChecks.Balances(points, options.StartingPoints)]);
        }, () => string.Create(CultureInfo.InvariantCulture, $"{options.Members} members reading GET /me (no writes): the ceiling of this generator and HTTP pipeline"));
    }
}
