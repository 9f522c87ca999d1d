using System.Globalization;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;
using Spectre.Console;

namespace PointsMall.LoadTests.Cli;

/// <summary>Runs a plan with a live Spectre.Console table (per step: requests, RPS, failures, p50/p99 so far).</summary>
public static class LiveProgress
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);

    public static async Task<(RunReport Report, ReportWriter.Written Files)> RunAsync(RunPlan plan, ApiTargets api, bool noLive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        StatsCollector? live = null;
        var run = LoadTestRun.RunAsync(plan, api, TimeProvider.System, s => Volatile.Write(ref live, s), cancellationToken);
        if (noLive || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            Console.WriteLine($"{plan.Label ?? plan.ScenarioName}: seeding, then {plan.Settings.Simulation.Describe()} …");
            return await run.ConfigureAwait(false);
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(plan.Label ?? plan.ScenarioName)}[/]");
        foreach (var column in new[] { "step", "requests", "RPS", "OK", "failed", "p50 ms", "p99 ms", "max ms" })
        {
            table.AddColumn(column);
        }

        await AnsiConsole.Live(table).StartAsync(async ctx =>
        {
            while (!run.IsCompleted)
            {
                Render(table, Volatile.Read(ref live), plan);
                ctx.Refresh();
                await Task.WhenAny(run, Task.Delay(Refresh, cancellationToken)).ConfigureAwait(false);
            }

            Render(table, Volatile.Read(ref live), plan);
            ctx.Refresh();
        }).ConfigureAwait(false);
        return await run.ConfigureAwait(false);
    }

    private static void Render(Table table, StatsCollector? stats, RunPlan plan)
    {
        table.Rows.Clear();
        if (stats is null)
        {
            table.Caption("seeding data and warming up …");
            return;
        }

        var elapsed = stats.Elapsed;
        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s — {plan.Settings.Simulation.Describe()} — dropped {stats.DroppedTotal}"));
        var current = (int)(elapsed.Ticks / stats.Interval.Ticks) - 1; // the last complete interval
        foreach (var step in stats.Steps.Append(stats.Iterations))
        {
            var rps = step.Intervals.TryGetValue(current, out var slot) ? (slot.Ok + slot.Failed) / stats.Interval.TotalSeconds : 0;
            table.AddRow(
                Markup.Escape(step.Name),
                step.Requests.ToString(CultureInfo.InvariantCulture),
                rps.ToString("0", CultureInfo.InvariantCulture),
                step.Ok.ToString(CultureInfo.InvariantCulture),
                step.Failed == 0 ? "0" : $"[red]{step.Failed}[/]",
                ReportWriter.Ms(step.Latency.ValueAtPercentile(50)),
                ReportWriter.Ms(step.Latency.ValueAtPercentile(99)),
                ReportWriter.Ms(step.Latency.Max));
        }
    }
}
