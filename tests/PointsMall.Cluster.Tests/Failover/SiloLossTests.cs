using PointsMall.Cluster.Tests.Support;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Cluster.Tests.Failover;

/// <summary>
/// Three silos and two API nodes as real processes; the silo that holds the drop's product is lost in the middle
/// of the drop, killed outright or stalled until the others declare it dead.
/// </summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class SiloLossTests(PostgresServerFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    // A saga's reminder falls due a minute after its step; the survivors' reminder service must find it first.
    private static readonly TimeSpan SagasSettle = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_silo_killed_mid_drop_oversells_nothing_spends_nothing_twice_and_loses_no_acknowledged_order()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres.Server, silos: 3, apiNodes: 2, output);
        using var api = cluster.Api(RequestTimeout);
        var drop = await Drop.SeedAsync(api, members: 200, stock: 100_000, perMemberLimit: null);

        // Placement is Orleans' own (resource-optimised: it weighs each silo's load as last published, so a silo
        // whose figures have not reached the others yet may get none): the members' grains are spread over silos.
        var members = await cluster.ActivationsAsync("member");
        var spread = string.Join(", ", members.Select(m => $"{m.Key.Name}={m.Value}"));
        output.WriteLine("member grains per silo: " + spread);
        Assert.True(members.Values.Count(n => n > 0) >= 2, "member grains per silo: " + spread);

        // Every redemption needs the product's grain: its silo goes five seconds into the run. No request is retried
        // during the run, so a saga the kill interrupted can only be finished by its reminder on a surviving silo.
        var victim = await cluster.HostOfAsync("product", drop.ProductId) ?? throw new InvalidOperationException("The drop's product is not active on any silo.");
        var fault = new FaultPlan($"SIGKILL of {victim.Name}", TimeSpan.FromSeconds(5), _ => victim.Process.KillAsync());
        var run = await new ScenarioRunner(TimeProvider.System).RunAsync(
            drop.Scenario(api, retries: 0), new RunSettings(new ConstantConcurrency(24, TimeSpan.FromSeconds(20))) { Fault = fault });

        var faults = run.Stats.Faults;
        output.WriteLine(ReportWriter.FaultSummary(faults));
        Assert.NotNull(faults.InjectedAt);
        Assert.True(faults.FirstSuccessSentAfter is not null, "No redemption succeeded after the kill: " + ReportWriter.FaultSummary(faults));
        await cluster.WaitUntilDeclaredDeadAsync(victim, TimeSpan.FromSeconds(60));

        output.WriteLine((await drop.WaitUntilEveryOrderRestsAsync(api, SagasSettle)).Detail);
        Drop.AssertPassed(await drop.AuditAsync(api));
        await drop.ReplayAcknowledgedAsync(api);
    }

    [Fact]
    public async Task A_silo_declared_dead_while_stalled_cannot_overwrite_state_when_it_comes_back()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres.Server, silos: 3, apiNodes: 2, output);
        using var api = cluster.Api(RequestTimeout);
        var drop = await Drop.SeedAsync(api, members: 100, stock: 100_000, perMemberLimit: null);
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await drop.RedeemAsync(api, random, retries: 0)).Acknowledged, "a redemption before the stall");
        }

        // The product's silo stalls with redemptions on their way to it; the others declare it dead and take over.
        var victim = await cluster.HostOfAsync("product", drop.ProductId) ?? throw new InvalidOperationException("The drop's product is not active on any silo.");
        var stalled = Enumerable.Range(0, 16).Select(_ => drop.RedeemAsync(api, new Random(random.Next()), retries: 0)).ToList();
        await victim.Process.PauseAsync();
        await cluster.WaitUntilDeclaredDeadAsync(victim, TimeSpan.FromSeconds(90));

        // The survivors sell on from the product's last durable state.
        var after = 0;
        for (var i = 0; i < 200 && after < 20; i++)
        {
            after += (await drop.RedeemAsync(api, random, retries: 5)).Acknowledged ? 1 : 0;
        }

        Assert.True(after == 20, $"only {after} redemptions succeeded on the survivors after the stalled silo was declared dead");

        // Back from its stall, the silo still holds the product as it was. Orleans makes a silo that finds itself
        // declared dead stop; whatever it tries to write on the way is refused by the version the survivors moved on.
        await victim.Process.ResumeAsync();
        await victim.Process.WaitForExitAsync("a silo that finds itself declared dead stops itself", TimeSpan.FromSeconds(60));
        await Task.WhenAll(stalled).WaitAsync(RequestTimeout * 2);

        await drop.WaitUntilEveryOrderRestsAsync(api, SagasSettle);
        Drop.AssertPassed(await drop.AuditAsync(api));
        await drop.ReplayAcknowledgedAsync(api);
    }
}
