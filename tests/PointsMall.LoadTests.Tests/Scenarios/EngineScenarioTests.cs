using PointsMall.LoadTests.Cli;
using PointsMall.LoadTests.Monitoring;
using PointsMall.LoadTests.Reports;
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

    [Fact]
    public async Task A_run_that_samples_the_server_reports_its_memory_beside_the_latency()
    {
        using var api = engine.Targets();
        var plan = TinyRun.Plan(MixedTrafficScenario.Name, EngineFactory.AdminPassword, _results) with { ServerMetricsEvery = TimeSpan.FromMinutes(10) };

        var report = await TinyRun.RunAndCheckAsync(plan, api);

        // Sampled as the phase starts and as it ends: one window, read from the engine's own /metrics.
        var server = Assert.IsType<ServerMetricsReport>(report.Server);
        Assert.Empty(server.Unavailable);
        var window = Assert.Single(server.Windows);
        Assert.True(window.WorkingSetBytes > 0 && window.GcHeapBytes > 0, "the runtime's memory series should be read");
        Assert.True(window.Activations > 0, "the co-hosted silo's activation count should be read");
        Assert.Equal(report.Phase.Stats.Iterations.Requests, window.Iterations);
        Assert.Contains("## Server", ReportWriter.Markdown(report), StringComparison.Ordinal);
        var folder = Assert.Single(Directory.GetDirectories(_results));
        Assert.StartsWith("node,url,from_s", await File.ReadAllTextAsync(Path.Combine(folder, "server.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_longer_than_the_servers_tokens_is_refused_before_it_seeds_anything()
    {
        using var api = engine.Targets();
        var workload = new WorkloadOptions { AdminPassword = EngineFactory.AdminPassword, Members = 5, TokensMustLast = TimeSpan.FromMinutes(36) };
        var plan = TinyRun.Plan(MixedTrafficScenario.Name, EngineFactory.AdminPassword, _results, workload);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => LoadTestRun.RunAsync(plan, api, TimeProvider.System).WaitAsync(TinyRun.Awaited));

        Assert.Contains("Auth__AccessTokenLifetime=01:00:00", refused.Message, StringComparison.Ordinal);
        Assert.True(LoadTestRun.IsSetupFailure(refused), "the CLI should report it in one line with exit code 4");
    }

    public void Dispose()
    {
        if (Directory.Exists(_results))
        {
            Directory.Delete(_results, recursive: true);
        }
    }
}
