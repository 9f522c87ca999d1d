using PointsMall.Cluster.Tests.Support;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Cluster.Tests.Failover;

/// <summary>An API node is stateless: losing one mid-drop loses nothing it acknowledged, and its shoppers carry on at the other.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class ApiNodeLossTests(PostgresServerFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task An_api_node_killed_mid_drop_loses_nothing_it_acknowledged()
    {
        const int Stock = 150;
        await using var cluster = await ProcessCluster.StartAsync(postgres.Server, silos: 3, apiNodes: 2, output);
        using var both = cluster.Api(TimeSpan.FromSeconds(20));
        var drop = await Drop.SeedAsync(both, members: 300, stock: Stock, perMemberLimit: 1);

        // Requests alternate between the nodes; a retry (same key) goes to the next one, so after the kill every
        // request that met the dead node is answered by the other.
        var doomed = cluster.ApiNodes[0];
        var fault = new FaultPlan($"SIGKILL of {doomed.Name}", TimeSpan.FromSeconds(1.5), _ => doomed.KillAsync());
        var run = await new ScenarioRunner(TimeProvider.System).RunAsync(
            drop.Scenario(both, retries: 3), new RunSettings(new ConstantConcurrency(16, TimeSpan.FromSeconds(8))) { Fault = fault });
        output.WriteLine(ReportWriter.FaultSummary(run.Stats.Faults));
        output.WriteLine(string.Join(", ", run.Stats.Steps.SelectMany(s => s.Outcomes.Select(o => $"{s.Name} {o.Key}: {o.Count}"))));
        output.WriteLine($"{drop.Attempts.Count(a => a.Status is 0 or >= 500)} redemptions had no answer after their retries");
        Assert.NotNull(run.Stats.Faults.InjectedAt);

        using var survivor = cluster.Api(TimeSpan.FromSeconds(20), cluster.ApiNodes[1]);
        await drop.WaitUntilEveryOrderRestsAsync(survivor, TimeSpan.FromMinutes(4));
        Drop.AssertPassed(await drop.AuditAsync(survivor));
        await drop.ReplayAcknowledgedAsync(survivor);

        // 300 shoppers for 150 units, one each: the drop sold out, and the audit above found no unit sold twice.
        Assert.Contains(drop.Attempts, a => a.Code == "sold_out");
        Assert.InRange(drop.Attempts.Count(a => a.Acknowledged), 1, Stock);
    }
}
