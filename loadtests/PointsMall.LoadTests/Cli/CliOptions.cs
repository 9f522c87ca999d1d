using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Cli;

/// <summary>The command-line options; any of them can also come from a JSON file given with <c>--config</c>.</summary>
public sealed class CliOptions
{
    public Option<string[]> Target { get; } = new("--target") { Description = "Base URL of an API node; repeat for several (round-robin).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["http://127.0.0.1:5080"] };

    public Option<string> AdminPassword { get; } = new("--admin-password") { Description = "Password of the 'admin' operator (default: POINTSMALL_ADMIN_PASSWORD).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POINTSMALL_ADMIN_PASSWORD") ?? "" };

    public Option<string> Simulation { get; } = new("--simulation") { Description = "constant-rate (open, default) | ramping-rate (open) | constant-concurrency (closed) | iterations (closed).", DefaultValueFactory = _ => "constant-rate" };

    public Option<double> Rate { get; } = new("--rate") { Description = "Arrivals per second (constant-rate).", DefaultValueFactory = _ => 100 };

    public Option<string> Duration { get; } = new("--duration") { Description = "Measured duration (e.g. 30s, 2m).", DefaultValueFactory = _ => "30s" };

    public Option<string> WarmUp { get; } = new("--warmup") { Description = "Warm-up before measuring, same load, discarded (e.g. 5s).", DefaultValueFactory = _ => "0s" };

    public Option<string> Ramp { get; } = new("--ramp") { Description = "ramping-rate stages rate:duration, e.g. 100:10s,1000:20s,1000:30s." };

    public Option<double> StartRate { get; } = new("--start-rate") { Description = "ramping-rate: rate at t = 0.", DefaultValueFactory = _ => 0 };

    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Virtual users (closed models).", DefaultValueFactory = _ => 50 };

    public Option<long> Iterations { get; } = new("--iterations") { Description = "Iterations (iterations model).", DefaultValueFactory = _ => 1000 };

    public Option<int> MaxVus { get; } = new("--max-vus") { Description = "Open model: most iterations in flight; arrivals beyond it are dropped and counted.", DefaultValueFactory = _ => 5000 };

    public Option<string> MaxLag { get; } = new("--max-lag") { Description = "Open model: an arrival the generator reaches later than this is dropped and counted.", DefaultValueFactory = _ => "1s" };

    public Option<string> RequestTimeout { get; } = new("--timeout") { Description = "HTTP request timeout.", DefaultValueFactory = _ => "30s" };

    public Option<string> Interval { get; } = new("--interval") { Description = "Time-series resolution in the reports.", DefaultValueFactory = _ => "1s" };

    public Option<string[]> Thresholds { get; } = new("--threshold") { Description = "e.g. \"p99 < 50ms\", \"fail rate < 0.1%\", \"redeem: p99 < 25ms\"; repeatable. A failed threshold makes the exit code non-zero.", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    public Option<string> Results { get; } = new("--results") { Description = "Folder for the reports.", DefaultValueFactory = _ => "results" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed (member and SKU choice).", DefaultValueFactory = _ => 42 };

    public Option<int> Members { get; } = new("--members") { Description = "Members to seed (M).", DefaultValueFactory = _ => 1000 };

    public Option<long> StartingPoints { get; } = new("--starting-points") { Description = "Points each seeded member starts with.", DefaultValueFactory = _ => 100_000 };

    public Option<long> Stock { get; } = new("--stock") { Description = "Stock of the flash-sale SKU (S), and of each SKU in mixed traffic.", DefaultValueFactory = _ => 100 };

    public Option<int> Skus { get; } = new("--skus") { Description = "SKUs in mixed traffic.", DefaultValueFactory = _ => 20 };

    public Option<long> PointsPrice { get; } = new("--points-price") { Description = "Points price of seeded SKUs, and the draw cost.", DefaultValueFactory = _ => 100 };

    public Option<int> PerMemberLimit { get; } = new("--per-member-limit") { Description = "Per-member limit of the flash-sale SKU.", DefaultValueFactory = _ => 1 };

    public Option<int> Retries { get; } = new("--retries") { Description = "Retries of a failed write, same Idempotency-Key.", DefaultValueFactory = _ => 2 };

    public Option<bool> NoLive { get; } = new("--no-live") { Description = "No live progress table (CI logs)." };

    public Option<bool> NoAudit { get; } = new("--no-audit") { Description = "Skip the invariant audit (not recommended)." };

    public Option<int?> KillPid { get; } = new("--kill-pid") { Description = "Failover drill: SIGKILL this process (a silo or an API node of the cluster under load) during the measured phase; the report gives the failures and the time until requests succeed again." };

    public Option<string> KillAt { get; } = new("--kill-at") { Description = "When --kill-pid strikes, from the start of the measured phase (default: a third of --duration).", DefaultValueFactory = _ => "" };

    public Option<string> ServerMetrics { get; } = new("--server-metrics") { Description = "Scrape each target's /metrics this often (e.g. 60s) during the measured phase: working set, GC heap and pauses, CPU, activations beside the p99 of each window. Off by default.", DefaultValueFactory = _ => "" };

    public Option<string> Config { get; } = new("--config") { Description = "JSON file of options: {\"rate\": 500, \"duration\": \"30s\", \"target\": [\"http://…\"], \"threshold\": [\"p99 < 50ms\"]}; the command line wins." };

    public Option<string> EngineUrl { get; } = new("--engine-url") { Description = "compare: the engine's base URL; without it the API is started from src/PointsMall.Api (in-memory store unless --engine-storage)." };

    public Option<string> EngineStorage { get; } = new("--engine-storage") { Description = "compare: storage of the started engine: sqlite (default) | memory.", DefaultValueFactory = _ => "sqlite" };

    public Option<string> BaselineUrl { get; } = new("--baseline-url") { Description = "compare: the baseline's base URL; without it the baseline starts with a throw-away PostgreSQL." };

    private IEnumerable<Option> Common => [Target, AdminPassword, Simulation, Rate, Duration, WarmUp, Ramp, StartRate, Concurrency, Iterations, MaxVus, MaxLag, RequestTimeout, Interval, Thresholds, Results, Seed, Members, StartingPoints, Stock, Skus, PointsPrice, PerMemberLimit, Retries, NoLive, NoAudit, KillPid, KillAt, ServerMetrics, Config];

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in Common)
        {
            command.Options.Add(option);
        }
    }

    public void AddCompareTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(EngineUrl);
        command.Options.Add(EngineStorage);
        command.Options.Add(BaselineUrl);
    }

    public IReadOnlyList<Uri> Targets(ParseResult parse) => Urls(parse.GetValue(Target) ?? []);

    public static IReadOnlyList<Uri> Urls(IEnumerable<string> texts) => [.. texts.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(t =>
        Uri.TryCreate(t.EndsWith('/') ? t : t + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new FormatException($"'{t}' is not an http(s) URL."))];

    public TimeSpan Timeout(ParseResult parse) => Durations.Parse(parse.GetValue(RequestTimeout)!);

    /// <param name="preset">Defaults of a named run (soak) in place of the options' own, where the command line and config file are silent.</param>
    public RunPlan Plan(string scenario, ParseResult parse, RunPreset? preset = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var duration = Durations.Parse(Pick(parse, Duration, preset?.Duration));
        var warmUp = Durations.Parse(Pick(parse, WarmUp, preset?.WarmUp));
        var maxVus = parse.GetValue(MaxVus);
        LoadSimulation simulation = parse.GetValue(Simulation) switch
        {
            "constant-rate" => new ConstantArrivalRate(Pick(parse, Rate, preset?.Rate), duration, maxVus),
            "ramping-rate" => new RampingArrivalRate(parse.GetValue(StartRate), RampingArrivalRate.ParseStages(parse.GetValue(Ramp) ?? throw new FormatException("ramping-rate needs --ramp rate:duration,…")), maxVus),
            "constant-concurrency" => new ConstantConcurrency(parse.GetValue(Concurrency), duration),
            "iterations" => new FixedIterations(parse.GetValue(Iterations), parse.GetValue(Concurrency)),
            var other => throw new FormatException($"--simulation '{other}' is not one of constant-rate, ramping-rate, constant-concurrency, iterations."),
        };
        var settings = new RunSettings(simulation)
        {
            WarmUp = warmUp,
            MaxLag = Durations.Parse(parse.GetValue(MaxLag)!),
            Interval = Durations.Parse(Pick(parse, Interval, preset?.Interval)),
            Seed = parse.GetValue(Seed),
            Fault = Kill(parse, duration),
        };
        var workload = new WorkloadOptions
        {
            AdminPassword = parse.GetValue(AdminPassword) ?? "",
            Members = Pick(parse, Members, preset?.Members),
            StartingPoints = parse.GetValue(StartingPoints),
            Stock = Pick(parse, Stock, preset?.Stock),
            Skus = Pick(parse, Skus, preset?.Skus),
            PointsPrice = parse.GetValue(PointsPrice),
            PerMemberLimit = parse.GetValue(PerMemberLimit),
            Retries = parse.GetValue(Retries),
        };
        workload = workload with { TokensMustLast = Length(simulation) is { } length ? warmUp + length + workload.SettleTimeout + TimeSpan.FromMinutes(2) : TimeSpan.Zero };
        var thresholds = (parse.GetValue(Thresholds) ?? []).Select(Threshold.Parse).ToList();
        var every = Pick(parse, ServerMetrics, preset?.ServerMetrics);
        return new RunPlan(scenario, workload, settings, thresholds, parse.GetValue(Results)!)
        {
            Audit = !parse.GetValue(NoAudit),
            Label = preset?.Label,
            ServerMetricsEvery = string.IsNullOrWhiteSpace(every) ? null : Durations.Parse(every),
        };
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static T Pick<T>(ParseResult parse, Option<T> option, T? preset) where T : struct
        => preset is { } value && !Given(parse, option) ? value : parse.GetValue(option);

    private static string Pick(ParseResult parse, Option<string> option, string? preset)
        => preset is not null && !Given(parse, option) ? preset : parse.GetValue(option) ?? "";

    /// <summary>How long a timed simulation runs (null for a fixed number of iterations).</summary>
    private static TimeSpan? Length(LoadSimulation simulation) => simulation switch
    {
        ConstantArrivalRate c => c.Duration,
        RampingArrivalRate r => r.Duration,
        ConstantConcurrency c => c.Duration,
        _ => null,
    };

    private FaultPlan? Kill(ParseResult parse, TimeSpan duration)
    {
        if (parse.GetValue(KillPid) is not { } pid)
        {
            return null;
        }

        var at = parse.GetValue(KillAt) is { Length: > 0 } text ? Durations.Parse(text) : duration / 3;

        // A wrong pid is refused before seeding (ArgumentException: "Process with an Id of … is not running").
        using (System.Diagnostics.Process.GetProcessById(pid))
        {
        }

        return new FaultPlan(string.Create(CultureInfo.InvariantCulture, $"SIGKILL of process {pid}"), at, _ =>
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(); // SIGKILL on Linux: no graceful shutdown, as when a machine is lost
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // It ended on its own before its time: the run goes on, and the report still marks the moment.
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Expands <c>--config file.json</c> into command-line tokens placed before the given ones, skipping every
    /// option that the command line sets itself (the command line wins).
    /// </summary>
    public static string[] WithConfigFile(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, "--config");
        if (index < 0 || index + 1 >= args.Length)
        {
            return args;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(args[index + 1]));
        var given = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var tokens = new List<string>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var name = "--" + property.Name;
            if (given.Contains(name))
            {
                continue;
            }

            var values = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
            foreach (var value in values)
            {
                switch (value.ValueKind)
                {
                    case JsonValueKind.True:
                        tokens.Add(name);
                        break;
                    case JsonValueKind.False:
                        break;
                    case JsonValueKind.Number:
                        tokens.Add(name);
                        tokens.Add(value.GetRawText());
                        break;
                    default:
                        tokens.Add(name);
                        tokens.Add(value.GetString() ?? "");
                        break;
                }
            }
        }

        // The sub-command stays first.
        return args.Length == 0 ? [.. tokens] : [args[0], .. tokens, .. args.Skip(1)];
    }

    internal static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>A named run's defaults, used where neither the command line nor the config file sets the option.</summary>
public sealed record RunPreset(string Label)
{
    public string? Duration { get; init; }

    public string? WarmUp { get; init; }

    public string? Interval { get; init; }

    public double? Rate { get; init; }

    public int? Members { get; init; }

    public int? Skus { get; init; }

    public long? Stock { get; init; }

    public string? ServerMetrics { get; init; }

    /// <summary>
    /// The soak: mixed traffic for 30 minutes at a steady open-model rate, reported per minute with the server's own
    /// memory and GC figures beside the p99, so a leak or a slow drift shows as a trend rather than a single number.
    /// Stock and points are sized so that nothing runs out before the end.
    /// </summary>
    public static RunPreset Soak { get; } = new("soak")
    {
        Duration = "30m",
        WarmUp = "1m",
        Interval = "60s",
        Rate = 300,
        Members = 10_000,
        Skus = 200,
        Stock = 1_000_000,
        ServerMetrics = "60s",
    };
}
