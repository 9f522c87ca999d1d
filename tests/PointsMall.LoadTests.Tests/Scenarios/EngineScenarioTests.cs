using PointsMall.LoadTests.Scenarios;
using PointsMall.LoadTests.Tests.Support;

namespace PointsMall.LoadTests.Tests.Scenarios;

/// <summary>Every scenario at tiny scale against the in-process engine, so the runner and its audit cannot rot.</summary>
public sealed class EngineScenarioTests(EngineFactory engine) : IClassFixture<EngineFactory>, IDisposable
{
    private readonly string _results = Path.Combine(Path.GetTempPath(), "pm-loadtest-results", Guid.NewGuid().ToString("n"));

    [Theory]
    [InlineData(FlashSaleScenario.Name)]
    [InlineData(LotteryStormScenario.Name)]
    [InlineData(MixedTrafficScenario.Name)]
    [InlineData(EarningBurstScenario.Name)]
    [InlineData(HttpFloorScenario.Name)]
    public async Task A_tiny_run_passes_its_invariant_audit_and_writes_its_reports(string scenario)
    {
        using var api = engine.Targets();

        await TinyRun.RunAndCheckAsync(TinyRun.Plan(scenario, EngineFactory.AdminPassword, _results), api);
    }

    [Fact]
    public async Task A_flash_sale_with_more_buyers_than_stock_sells_exactly_the_stock()
    {
        using var api = engine.Targets();
        var plan = TinyRun.Plan(FlashSaleScenario.Name, EngineFactory.AdminPassword, _results,
            new WorkloadOptions { AdminPassword = EngineFactory.AdminPassword, Members = 40, Stock = 5, StartingPoints = 1_000, PointsPrice = 100 });

        var report = await TinyRun.RunAndCheckAsync(plan, api);

        var redeem = report.Phase.Stats.Steps.Single(s => s.Name == "redeem");
        Assert.Equal(5, redeem.Outcomes.Where(o => o.StatusCode == 201).Sum(o => o.Count));
        Assert.Contains(redeem.Outcomes, o => o.Code == "sold_out" && o.IsOk);
    }

    public void Dispose()
    {
        if (Directory.Exists(_results))
        {
            Directory.Delete(_results, recursive: true);
        }
    }
}
