using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PointsMall.LoadTests.Cli;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests;

/// <summary>
/// <c>dotnet run -c Release --project loadtests/PointsMall.LoadTests -- &lt;scenario&gt; [options]</c>; see loadtests/README.md.
/// Exit code: 0 passed, 1 a threshold failed, 2 the audit failed, 3 both, 4 the run could not start.
/// </summary>
public static class LoadTestProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = new CliOptions();
        var root = new RootCommand("PointsMall load tests: scenarios, open/closed load models, percentiles, reports, thresholds and an invariant audit.");
        foreach (var name in LoadTestRun.ScenarioNames)
        {
            var command = new Command(name, Describe(name));
            options.AddTo(command);
            command.SetAction((parse, ct) => RunScenarioAsync(name, options, parse, ct));
            root.Subcommands.Add(command);
        }

        var soak = new Command("soak", "Mixed traffic for 30 minutes at a steady rate (300/s), reported per minute with each node's memory, GC pauses and activations from its /metrics; any option can be changed.");
        options.AddTo(soak);
        soak.SetAction((parse, ct) => RunScenarioAsync(MixedTrafficScenario.Name, options, parse, ct, RunPreset.Soak));
        root.Subcommands.Add(soak);

        var compare = new Command("compare", "Flash-sale against the engine and the row-lock baseline with the same load; prints both and the ratio.");
        options.AddTo(compare);
        options.AddCompareTo(compare);
        compare.SetAction((parse, ct) => CompareCommand.RunAsync(options, parse, ct));
        root.Subcommands.Add(compare);

        try
        {
            return await root.Parse(CliOptions.WithConfigFile(args)).InvokeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or JsonException or FormatException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 4;
        }
    }

    private static string Describe(string name) => name switch
    {
        FlashSaleScenario.Name => "M members, one SKU with stock S, redemptions at rate R; retries reuse the Idempotency-Key.",
        LotteryStormScenario.Name => "Members draw from one lottery with scarce prize tiers.",
        MixedTrafficScenario.Name => "Browse 80 % / redeem 15 % / sign-in + history 5 % over many members and SKUs.",
        EarningBurstScenario.Name => "Purchases reported through POST /admin/earn at rate R.",
        HttpFloorScenario.Name => "Calibration: members read GET /me (no writes); the most this generator and HTTP pipeline reach here.",
        _ => name,
    };

    private static async Task<int> RunScenarioAsync(string name, CliOptions options, ParseResult parse, CancellationToken cancellationToken, RunPreset? preset = null)
    {
        RunPlan plan;
        IReadOnlyList<Uri> targets;
        try
        {
            plan = options.Plan(name, parse, preset);
            targets = options.Targets(parse);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 4;
        }

        using var api = new ApiTargets(targets, options.Timeout(parse));
        RunReport report;
        ReportWriter.Written files;
        try
        {
            (report, files) = await LiveProgress.RunAsync(plan, api, parse.GetValue(options.NoLive), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (LoadTestRun.IsSetupFailure(ex))
        {
            await Console.Error.WriteLineAsync($"Could not run {name} against {string.Join(", ", targets)}: {ex.Message}").ConfigureAwait(false);
            return 4;
        }

        Console.WriteLine(ReportWriter.Markdown(report));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reports: {files.Folder} (report.md, report.html, stats.csv, timeseries.csv{(report.Server is null ? "" : ", server.csv")}); exit code {report.ExitCode}"));
        return report.ExitCode;
    }
}
