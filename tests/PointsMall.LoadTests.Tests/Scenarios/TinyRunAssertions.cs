using PointsMall.LoadTests.Cli;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Tests.Scenarios;

/// <summary>Runs a scenario for about a second and checks what CI needs: it ran, the audit passed, the reports exist.</summary>
internal static class TinyRun
{
    public static readonly TimeSpan Awaited = TimeSpan.FromMinutes(3);

    public static RunPlan Plan(string scenario, string adminPassword, string resultsRoot, WorkloadOptions? workload = null) => new(
        scenario,
        workload ?? new WorkloadOptions { AdminPassword = adminPassword, Members = 20, StartingPoints = 5_000, Stock = 10, Skus = 3, PointsPrice = 100 },
        new RunSettings(new ConstantArrivalRate(20, TimeSpan.FromSeconds(1.5), 200)) { WarmUp = TimeSpan.Zero },
        [Threshold.Parse("fail rate < 50%")],
        resultsRoot);

    public static async Task<RunReport> RunAndCheckAsync(RunPlan plan, ApiTargets api)
    {
        var (report, files) = await LoadTestRun.RunAsync(plan, api, TimeProvider.System).WaitAsync(Awaited);

        Assert.True(report.Audit is { Passed: true }, "the audit should pass:\n" + ReportWriter.Markdown(report));
        Assert.True(report.Phase.Stats.Steps.Sum(s => s.Ok) > 0, "some requests should have succeeded:\n" + ReportWriter.Markdown(report));
        foreach (var file in new[] { files.Markdown, files.Csv, files.TimeSeriesCsv, files.Html })
        {
            Assert.True(new FileInfo(file).Length > 0, $"{file} should have been written");
        }

        Assert.Contains("<svg", await File.ReadAllTextAsync(files.Html), StringComparison.Ordinal);
        return report;
    }
}
