using PointsMall.Baseline;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Scenarios;
using PointsMall.Testing;

namespace PointsMall.LoadTests.Tests.Scenarios;

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;

/// <summary>The row-lock baseline on a throw-away PostgreSQL, driven by the same runner and audit.</summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class BaselineScenarioTests(PostgresServerFixture postgres) : IDisposable
{
    private const string Password = "baseline-admin-password";
    private readonly string _results = Path.Combine(Path.GetTempPath(), "pm-loadtest-results", Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task A_tiny_flash_sale_against_the_baseline_sells_exactly_the_stock_and_passes_the_audit()
    {
        var connectionString = await postgres.DatabaseForAsync(GetType());
        await BaselineApp.CreateSchemaAsync(connectionString);
        var url = $"http://127.0.0.1:{FreePorts.Next()}";
        await using var app = BaselineApp.Create(connectionString, url, Password);
        await app.StartAsync();
        using var api = new ApiTargets([new Uri(url + "/")], TimeSpan.FromSeconds(30));
        var plan = TinyRun.Plan(FlashSaleScenario.Name, Password, _results,
            new WorkloadOptions { AdminPassword = Password, Members = 40, Stock = 5, StartingPoints = 1_000, PointsPrice = 100 });

        var report = await TinyRun.RunAndCheckAsync(plan, api);

        var redeem = report.Phase.Stats.Steps.Single(s => s.Name == "redeem");
        Assert.Equal(5, redeem.Outcomes.Where(o => o.StatusCode == 201).Sum(o => o.Count));
        Assert.Contains(redeem.Outcomes, o => o.Code == "sold_out" && o.IsOk);
        Assert.Contains("orders = stock consumed", ReportWriter.Markdown(report), StringComparison.Ordinal);
        await app.StopAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_results))
        {
            Directory.Delete(_results, recursive: true);
        }
    }

}
