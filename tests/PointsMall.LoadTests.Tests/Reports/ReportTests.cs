using Microsoft.Extensions.Time.Testing;
using PointsMall.LoadTests.Cli;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Tests.Reports;

public sealed class ReportTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    /// <summary>A run on the manual clock: 10 redemptions of 2 ms each (two sold out) and one 500 ms outlier.</summary>
    private async Task<PhaseResult> RunAsync(string step = "redeem")
    {
        var runner = new ScenarioRunner(_clock, (d, _) =>
        {
            _clock.Advance(d);
            return Task.CompletedTask;
        });
        var scenario = new Scenario("flash-sale", ctx => ctx.StepAsync(step, _ =>
        {
            _clock.Advance(ctx.Iteration == 5 ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromMilliseconds(2));
            return Task.FromResult(ctx.Iteration switch
            {
                < 8 => StepOutcome.Ok(201),
                8 => StepOutcome.Ok(409, "sold_out"),
                _ => StepOutcome.Fail(503, "unavailable"),
            });
        }));
        return await runner.RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 10)));
    }

    [Fact]
    public async Task Thresholds_on_latency_and_fail_rate_pass_or_fail_on_the_measured_figures()
    {
        var phase = await RunAsync();

        Assert.True(Threshold.Parse("p50 < 5ms").Evaluate(phase).Passed);
        Assert.False(Threshold.Parse("p99 < 50ms").Evaluate(phase).Passed);
        Assert.True(Threshold.Parse("redeem: max <= 0.6s").Evaluate(phase).Passed);
        Assert.False(Threshold.Parse("fail rate < 0.1%").Evaluate(phase).Passed);
        Assert.True(Threshold.Parse("fail rate < 20%").Evaluate(phase).Passed);
        Assert.False(Threshold.Parse("nosuchstep: p99 < 1s").Evaluate(phase).Passed);
    }

    [Theory]
    [InlineData("p99 < 5%")]
    [InlineData("latency < 5ms")]
    [InlineData("p99 fast")]
    public void Malformed_thresholds_are_refused(string text)
        => Assert.Throws<FormatException>(() => Threshold.Parse(text));

    [Fact]
    public void A_bare_latency_limit_is_in_milliseconds_and_seconds_convert()
    {
        Assert.Equal(50, Threshold.Parse("p99 < 50").Limit);
        Assert.Equal(1500, Threshold.Parse("p99.9 <= 1.5s").Limit);
        Assert.Equal("p99.9", Threshold.Parse("p99.9 <= 1.5s").Metric);
    }

    [Fact]
    public async Task A_failed_threshold_or_audit_makes_the_exit_code_non_zero()
    {
        var phase = await RunAsync();
        var passedAudit = new AuditReport([new AuditCheck("no oversell", true, "")]);
        var failedAudit = new AuditReport([new AuditCheck("no oversell", false, "11 orders for a stock of 10")]);
        var failedThreshold = Threshold.Parse("p99 < 50ms").Evaluate(phase);
        var passedThreshold = Threshold.Parse("p50 < 50ms").Evaluate(phase);

        Assert.Equal(0, new RunReport("x", "t", "s", phase, passedAudit, [passedThreshold], _clock.GetUtcNow()).ExitCode);
        Assert.Equal(1, new RunReport("x", "t", "s", phase, passedAudit, [failedThreshold], _clock.GetUtcNow()).ExitCode);
        Assert.Equal(2, new RunReport("x", "t", "s", phase, failedAudit, [passedThreshold], _clock.GetUtcNow()).ExitCode);
        Assert.Equal(3, new RunReport("x", "t", "s", phase, failedAudit, [failedThreshold], _clock.GetUtcNow()).ExitCode);
    }

    [Fact]
    public async Task The_reports_show_percentiles_outcomes_audit_and_self_contained_charts()
    {
        var phase = await RunAsync();
        var report = new RunReport("flash-sale", "http://engine", "10 members", phase,
            new AuditReport([new AuditCheck("no oversell", true, "8 orders for a stock of 10")]), [Threshold.Parse("p99 < 50ms").Evaluate(phase)], _clock.GetUtcNow());
        var root = Path.Combine(Path.GetTempPath(), "pm-loadtest-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = await ReportWriter.WriteAsync(report, root);

            var markdown = await File.ReadAllTextAsync(files.Markdown);
            Assert.Contains("| redeem | 10 | 9 | 1 |", markdown, StringComparison.Ordinal);
            Assert.Contains("409 sold_out", markdown, StringComparison.Ordinal);
            Assert.Contains("503 unavailable", markdown, StringComparison.Ordinal);
            Assert.Contains("❌ `p99 < 50ms`", markdown, StringComparison.Ordinal);
            Assert.Contains("✅ no oversell", markdown, StringComparison.Ordinal);
            Assert.Contains("- latency: HdrHistogram, 3 significant digits (≤ 0.1 % error), 1 µs to 1 h, in ms", markdown, StringComparison.Ordinal);
            var csv = (await File.ReadAllLinesAsync(files.Csv)).Single(l => l.StartsWith("redeem,", StringComparison.Ordinal));
            Assert.StartsWith("redeem,10,9,1,", csv, StringComparison.Ordinal);
            Assert.Contains(",500,", csv, StringComparison.Ordinal); // max ms
            var html = await File.ReadAllTextAsync(files.Html);
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.Contains("<polyline", html, StringComparison.Ordinal);
            Assert.Contains("<li>latency: HdrHistogram, 3 significant digits", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
            Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
            Assert.True((await File.ReadAllLinesAsync(files.TimeSeriesCsv)).Length > 1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Compare_prints_engine_and_baseline_side_by_side_with_the_ratio()
    {
        var phase = await RunAsync();
        var report = new RunReport("x", "t", "s", phase, new AuditReport([]), [], _clock.GetUtcNow());

        var table = CompareCommand.SideBySide([("engine", report), ("baseline", report)]);

        Assert.Contains("| metric | engine | baseline | engine ÷ baseline |", table, StringComparison.Ordinal);
        Assert.Contains("| orders placed /s |", table, StringComparison.Ordinal);
        Assert.Contains("1.00×", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_reads_redemptions_and_sold_out_answers_against_the_floor_of_the_same_run()
    {
        var report = new RunReport("x", "t", "s", await RunAsync(), new AuditReport([]), [], _clock.GetUtcNow());
        var floor = new RunReport("floor", "t", "s", await RunAsync("me"), new AuditReport([]), [], _clock.GetUtcNow());
        var runs = new List<(string, RunReport)> { ("engine", report), ("baseline", report), ("engine" + CompareCommand.SoldOutSuffix, report) };

        // Without the floor run, every share of it is unknown while engine ÷ baseline is known.
        var withoutFloor = CompareCommand.AgainstFloor(runs);
        Assert.Contains("| 1.00× | ≥ 5× baseline |", withoutFloor, StringComparison.Ordinal);
        Assert.Contains("| – | ≥ 0.35× floor |", withoutFloor, StringComparison.Ordinal);
        Assert.Contains("| – | ≥ 0.7× floor |", withoutFloor, StringComparison.Ordinal);

        // With it: both runs answered the same 9 of 10 requests, so each share of the floor is 1.00.
        runs.Add((CompareCommand.FloorRun, floor));
        var withFloor = CompareCommand.AgainstFloor(runs);
        Assert.Contains("| 1.00× | ≥ 0.35× floor |", withFloor, StringComparison.Ordinal);
        Assert.Contains("| engine: sold_out answers after the drop |", withFloor, StringComparison.Ordinal);
        Assert.Contains("| 1.00× | ≥ 0.7× floor |", withFloor, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_from_a_json_file_fill_in_what_the_command_line_does_not_set()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"rate": 500, "duration": "10s", "target": ["http://a:1", "http://b:2"], "threshold": ["p99 < 50ms"], "no-live": true}""");

            var args = CliOptions.WithConfigFile(["flash-sale", "--config", file, "--rate", "20"]);

            Assert.Equal("flash-sale", args[0]);
            Assert.DoesNotContain("500", args);
            Assert.Equal(["--duration", "10s", "--target", "http://a:1", "--target", "http://b:2", "--threshold", "p99 < 50ms", "--no-live"], args[1..10]);
            Assert.Equal(["--config", file, "--rate", "20"], args[10..]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
