using PointsMall.LoadTests.Monitoring;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Cli;

/// <summary>Everything one run needs besides the scenario itself.</summary>
public sealed record RunPlan(string ScenarioName, WorkloadOptions Workload, RunSettings Settings, IReadOnlyList<Threshold> Thresholds, string ResultsRoot)
{
    public bool Audit { get; init; } = true;

    /// <summary>Prefix of the results folder (e.g. "engine-flash-sale").</summary>
    public string? Label { get; init; }

    /// <summary>Scrape every target's <c>/metrics</c> this often during the measured phase (null: not at all).</summary>
    public TimeSpan? ServerMetricsEvery { get; init; }
}

/// <summary>The run pipeline shared by the CLI and the CI tests: seed, warm up, measure, audit, report.</summary>
public static class LoadTestRun
{
    public static readonly IReadOnlyList<string> ScenarioNames = [FlashSaleScenario.Name, LotteryStormScenario.Name, MixedTrafficScenario.Name, EarningBurstScenario.Name, HttpFloorScenario.Name];

    public static ScenarioPlan Create(string name, ApiTargets api, WorkloadOptions workload) => name switch
    {
        FlashSaleScenario.Name => FlashSaleScenario.Create(api, workload),
        LotteryStormScenario.Name => LotteryStormScenario.Create(api, workload),
        MixedTrafficScenario.Name => MixedTrafficScenario.Create(api, workload),
        EarningBurstScenario.Name => EarningBurstScenario.Create(api, workload),
        HttpFloorScenario.Name => HttpFloorScenario.Create(api, workload),
        _ => throw new ArgumentException($"Unknown scenario '{name}'; one of {string.Join(", ", ScenarioNames)}.", nameof(name)),
    };

    /// <summary>
    /// A run that could not start: the target is unreachable, or seeding through the admin API was refused (a wrong
    /// admin password, say). The CLI reports it in one line with exit code 4 instead of a stack trace.
    /// </summary>
    public static bool IsSetupFailure(Exception exception) => exception is HttpRequestException or InvalidOperationException or TaskCanceledException;

    /// <param name="onMeasuring">Called with the live statistics when the measured phase starts (progress display).</param>
    public static async Task<(RunReport Report, ReportWriter.Written Files)> RunAsync(
        RunPlan plan, ApiTargets api, TimeProvider time, Action<StatsCollector>? onMeasuring = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(api);
        var scenario = Create(plan.ScenarioName, api, plan.Workload);
        var runner = new ScenarioRunner(time);
        if (onMeasuring is not null)
        {
            runner.MeasuredPhaseStarted += onMeasuring;
        }

        var sampler = plan.ServerMetricsEvery is { } every ? new ServerMetricsSampler(api, time, every) : null;
        using var phaseOver = new CancellationTokenSource();
        var sampling = Task.CompletedTask;
        if (sampler is not null)
        {
            runner.MeasuredPhaseStarted += stats => sampling = sampler.RunAsync(stats.StartTimestamp, phaseOver.Token);
        }

        var started = time.GetUtcNow();
        PhaseResult phase;
        try
        {
            phase = await runner.RunAsync(scenario.Scenario, plan.Settings, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await phaseOver.CancelAsync().ConfigureAwait(false);
            await sampling.ConfigureAwait(false);
        }

        AuditReport? audit = null;
        if (plan.Audit)
        {
            try
            {
                audit = await scenario.AuditAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or KeyNotFoundException or System.Text.Json.JsonException or TaskCanceledException)
            {
                // An audit that cannot read the state back is a failed audit, never a silent pass.
                audit = new AuditReport([new AuditCheck("audit could read the state back", false, ex.Message)]);
            }
        }

        var thresholds = plan.Thresholds.Select(t => t.Evaluate(phase)).ToList();
        var report = new RunReport(plan.Label ?? plan.ScenarioName, string.Join(", ", api.BaseUrls), scenario.Setup(), phase, audit, thresholds, started)
        {
            Server = sampler is null ? null : ServerMetricsReport.From(sampler, phase.Stats, api.BaseUrls),
        };
        var files = await ReportWriter.WriteAsync(report, plan.ResultsRoot, cancellationToken).ConfigureAwait(false);
        return (report, files);
    }
}
