using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PointsMall.LoadTests.Reports;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;
using Spectre.Console;

namespace PointsMall.LoadTests.Cli;

/// <summary>
/// The hot path measured three ways with the same load: the engine's http-floor (authenticated reads), a flash sale
/// whose redemptions all succeed against the engine and then the row-lock baseline, and the same drop after its
/// stock is gone (sold_out answers); prints each side by side and the ratios against the floor. Servers not given
/// by URL are built and started as their own processes (so the generator's CPU figure is its own), and stopped
/// afterwards.
/// </summary>
public static class CompareCommand
{
    private const string StartedAdminPassword = "compare-admin-password";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(CliOptions options, ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parse);
        var plan = options.Plan(FlashSaleScenario.Name, parse);

        // A throughput comparison needs every redemption to be a real one: enough stock, limit and points
        // unless the command line set them.
        var expected = plan.Settings.Simulation switch
        {
            ConstantArrivalRate c => (long)(c.PerSecond * (c.Duration + plan.Settings.WarmUp).TotalSeconds),
            RampingArrivalRate r => (long)r.Stages.Sum(s => s.TargetPerSecond * s.Duration.TotalSeconds),
            FixedIterations f => f.Iterations,
            _ => 1_000_000,
        };
        var workload = plan.Workload;
        if (!Given(parse, options.Stock))
        {
            workload = workload with { Stock = Math.Max(workload.Stock, expected * 2) };
        }

        if (!Given(parse, options.PerMemberLimit))
        {
            workload = workload with { PerMemberLimit = 99 };
        }

        if (!Given(parse, options.StartingPoints))
        {
            workload = workload with { StartingPoints = Math.Max(workload.StartingPoints, workload.PointsPrice * 100) };
        }

        var engineUrl = parse.GetValue(options.EngineUrl);
        var baselineUrl = parse.GetValue(options.BaselineUrl);
        if ((engineUrl is null || baselineUrl is null) && !Given(parse, options.AdminPassword))
        {
            workload = workload with { AdminPassword = StartedAdminPassword };
        }

        plan = plan with { Workload = workload };
        var noLive = parse.GetValue(options.NoLive);
        var timeout = options.Timeout(parse);
        var runs = new List<(string Name, RunReport Report, string Folder)>();
        foreach (var (name, given, project) in new[] { ("engine", engineUrl, "src/PointsMall.Api"), ("baseline", baselineUrl, "loadtests/PointsMall.Baseline") })
        {
            await using var server = given is null ? await StartedServer.StartAsync(name, project, workload.AdminPassword, parse.GetValue(options.EngineStorage)!, cancellationToken).ConfigureAwait(false) : null;
            using var api = new ApiTargets(CliOptions.Urls([given ?? server!.Url]), timeout);

            // The floor first (engine only: the baseline speaks just the redemption subset), then redemptions that
            // all succeed, then the drop after its stock is gone: a one-unit SKU that the warm-up sells.
            var phases = new List<(string Label, RunPlan Plan)>();
            if (name == "engine")
            {
                phases.Add((FloorRun, plan with { ScenarioName = HttpFloorScenario.Name, Label = "engine-" + HttpFloorScenario.Name }));
            }

            phases.Add((name, plan with { Label = name + "-flash-sale" }));
            phases.Add((name + SoldOutSuffix, plan with { Workload = workload with { Stock = 1 }, Label = name + "-sold-out" }));
            foreach (var (label, phasePlan) in phases)
            {
                try
                {
                    var (report, files) = await LiveProgress.RunAsync(phasePlan, api, noLive, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine(ReportWriter.Markdown(report));
                    runs.Add((label, report, files.Folder));
                }
                catch (Exception ex) when (LoadTestRun.IsSetupFailure(ex))
                {
                    await Console.Error.WriteLineAsync($"Could not run {phasePlan.Label} against the {name} at {given ?? server!.Url}: {ex.Message}").ConfigureAwait(false);
                    return 4;
                }
            }
        }

        Console.WriteLine(SideBySide(runs.Where(r => r.Name is "engine" or "baseline").Select(r => (r.Name, r.Report)).ToList()));
        Console.WriteLine(SideBySide(runs.Where(r => r.Name.EndsWith(SoldOutSuffix, StringComparison.Ordinal)).Select(r => (r.Name, r.Report)).ToList()));
        Console.WriteLine(AgainstFloor(runs.Select(r => (r.Name, r.Report)).ToList()));
        foreach (var (name, _, folder) in runs)
        {
            Console.WriteLine($"{name} reports: {folder}");
        }

        return runs.Select(r => r.Report.ExitCode).Aggregate(0, (a, b) => a | b);
    }

    /// <summary>The run names <see cref="AgainstFloor"/> reads: the floor, and each server's sold-out phase.</summary>
    public const string FloorRun = "http-floor";

    public const string SoldOutSuffix = " sold-out";

    /// <summary>The targets the hot path is held to, as shares of the floor measured in the same run.</summary>
    public const double RedemptionsToFloorTarget = 0.35;

    public const double SoldOutToFloorTarget = 0.7;

    public const double EngineToBaselineTarget = 5;

    /// <summary>
    /// The three-way view: the floor (authenticated reads per second, the most this generator gets from this HTTP
    /// stack), successful redemptions of engine and baseline, and the sold-out answers, each as a ratio with its target.
    /// </summary>
    public static string AgainstFloor(IReadOnlyList<(string Name, RunReport Report)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        double? Rate(string name, string step) =>
            runs.FirstOrDefault(r => r.Name == name).Report is { } report && report.Phase.Stats.Steps.FirstOrDefault(s => s.Name == step) is { } stats
                ? stats.Ok / Math.Max(report.Phase.Elapsed.TotalSeconds, 1e-9)
                : null;
        var floor = Rate(FloorRun, "me");
        var engine = Rate("engine", "redeem");
        var baseline = Rate("baseline", "redeem");
        var soldOut = Rate("engine" + SoldOutSuffix, "redeem");
        var md = new System.Text.StringBuilder();
        md.Append("| measured in this run | per second | ratio | target |\n|---|---:|---:|---:|\n");
        Row("http-floor: GET /me (engine)", floor, null, null);
        Row("engine: successful redemptions", engine, engine / baseline, $"≥ {EngineToBaselineTarget:0}× baseline");
        Row("", null, engine / floor, $"≥ {RedemptionsToFloorTarget:0.00}× floor");
        Row("baseline: successful redemptions", baseline, null, null);
        Row("engine: sold_out answers after the drop", soldOut, soldOut / floor, $"≥ {SoldOutToFloorTarget:0.0}× floor");
        return md.ToString();

        void Row(string what, double? perSecond, double? ratio, string? target)
        {
            var rate = perSecond is { } r ? r.ToString("N0", CultureInfo.InvariantCulture) : "";
            var share = ratio is { } x && double.IsFinite(x) ? x.ToString("0.00", CultureInfo.InvariantCulture) + "×" : ratio is null && target is null ? "" : "–";
            md.Append(CultureInfo.InvariantCulture, $"| {what} | {rate} | {share} | {target} |\n");
        }
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Engine and baseline in one Markdown table with the engine ÷ baseline ratio.</summary>
    public static string SideBySide(IReadOnlyList<(string Name, RunReport Report)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        static StepStats? Redeem(RunReport r) => r.Phase.Stats.Steps.FirstOrDefault(s => s.Name == "redeem");
        var rows = new (string Metric, Func<RunReport, double> Value, string Format)[]
        {
            ("redemptions answered /s", r => Redeem(r) is { } s ? s.Ok / Math.Max(r.Phase.Elapsed.TotalSeconds, 1e-9) : 0, "0.0"),
            ("orders placed /s", r => Redeem(r) is { } s ? s.Outcomes.Where(o => o.StatusCode is 200 or 201).Sum(o => o.Count) / Math.Max(r.Phase.Elapsed.TotalSeconds, 1e-9) : 0, "0.0"),
            ("failed redemptions", r => Redeem(r)?.Failed ?? 0, "0"),
            ("dropped arrivals", r => r.Phase.Stats.DroppedTotal, "0"),
            ("redeem p50 ms", r => (Redeem(r)?.Latency.ValueAtPercentile(50) ?? 0) / 1000.0, "0.###"),
            ("redeem p99 ms", r => (Redeem(r)?.Latency.ValueAtPercentile(99) ?? 0) / 1000.0, "0.###"),
            ("redeem max ms", r => (Redeem(r)?.Latency.Max ?? 0) / 1000.0, "0.###"),
            ("generator CPU cores", r => r.Phase.Cpu.CoresUsed, "0.00"),
        };
        var md = new System.Text.StringBuilder();
        md.Append("| metric | ").Append(string.Join(" | ", runs.Select(r => r.Name))).Append(runs.Count == 2 ? $" | {runs[0].Name} ÷ {runs[1].Name} |" : " |").Append('\n');
        md.Append("|---|").Append(string.Concat(runs.Select(_ => "---:|"))).Append(runs.Count == 2 ? "---:|" : "").Append('\n');
        foreach (var (metric, value, format) in rows)
        {
            md.Append("| ").Append(metric).Append(" | ").Append(string.Join(" | ", runs.Select(r => value(r.Report).ToString(format, CultureInfo.InvariantCulture))));
            if (runs.Count == 2)
            {
                var b = value(runs[1].Report);
                md.Append(" | ").Append(b == 0 ? "–" : (value(runs[0].Report) / b).ToString("0.00", CultureInfo.InvariantCulture) + "×");
            }

            md.Append(" |\n");
        }

        md.Append("| audit | ").Append(string.Join(" | ", runs.Select(r => r.Report.Audit is null ? "not run" : r.Report.Audit.Passed ? "passed" : "FAILED"))).Append(runs.Count == 2 ? " | |" : " |").Append('\n');
        return md.ToString();
    }

    /// <summary>A server built with its own artifacts folder and run as a child process on a free port.</summary>
    private sealed class StartedServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dataDirectory;

        private StartedServer(Process process, string url, string dataDirectory)
        {
            _process = process;
            Url = url;
            _dataDirectory = dataDirectory;
        }

        public string Url { get; }

        public static async Task<StartedServer> StartAsync(string name, string project, string adminPassword, string engineStorage, CancellationToken cancellationToken)
        {
            var root = RepositoryRoot();
            var projectDirectory = Path.Combine(root, project);
            var assembly = Path.GetFileName(project);
            var artifacts = Environment.GetEnvironmentVariable("POINTSMALL_LOADTEST_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(Path.GetTempPath(), "pm-loadtests-artifacts");
            AnsiConsole.MarkupLine($"Building {Markup.Escape(project)} (Release, artifacts in {Markup.Escape(artifacts)}) …");
            await RunToEndAsync("dotnet", ["build", projectDirectory, "-c", "Release", "--artifacts-path", artifacts, "-v", "q", "-nologo"], cancellationToken).ConfigureAwait(false);
            var dll = Path.Combine(artifacts, "bin", assembly, "release", assembly + ".dll");
            var ports = FreePorts(3);
            var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ports[0]}");
            var data = Path.Combine(Path.GetTempPath(), $"pm-compare-{name}-{Guid.NewGuid():N}"[..40]);
            Directory.CreateDirectory(data);
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
            start.ArgumentList.Add(dll);
            start.Environment["Urls"] = url;
            start.Environment["ASPNETCORE_URLS"] = url;
            start.Environment["Admin__Password"] = adminPassword;
            start.Environment["POINTSMALL_ADMIN_PASSWORD"] = adminPassword;
            start.Environment["Demo__Seed"] = "false";
            start.Environment["RateLimits__PerMember"] = "0";
            start.Environment["RateLimits__PerIp"] = "0";
            start.Environment["Storage__Provider"] = engineStorage;
            start.Environment["Storage__Sqlite__Path"] = Path.Combine(data, "engine.db");
            start.Environment["DataProtection__KeysPath"] = Path.Combine(data, "keys");
            start.Environment["Logging__LogLevel__Default"] = "Warning";

            // The engine co-hosts an Orleans silo with two more listening ports: free ones, so that a mall already
            // running here on the defaults, or a second compare, does not stop it from starting. The baseline ignores them.
            start.Environment["Orleans__SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture);
            start.Environment["Orleans__GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.Error.WriteLine($"[{name}] {e.Data}");
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new StartedServer(process, url, data);
            try
            {
                await server.WaitReadyAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return server;
        }

        public async ValueTask DisposeAsync()
        {
            // Asked to stop first: the baseline removes the throw-away PostgreSQL it started only on a clean shutdown
            // (that server is a daemon, outside the process tree a kill reaches), and the engine flushes its silo.
            if (!_process.HasExited && !await StopGracefullyAsync(_process).ConfigureAwait(false))
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp cleaner gets the rest.
            }
        }

        /// <summary>SIGTERM (ASP.NET Core's shutdown signal), then up to <see cref="StopTimeout"/> for the process to exit.</summary>
        private static async Task<bool> StopGracefullyAsync(Process process)
        {
            if (OperatingSystem.IsWindows())
            {
                return false;
            }

            try
            {
                using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
                if (kill is null)
                {
                    return false;
                }

                await kill.WaitForExitAsync().ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(StopTimeout);
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }

        private async Task WaitReadyAsync(string name, CancellationToken cancellationToken)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < ReadyTimeout)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The {name} exited with code {_process.ExitCode} before it was ready.");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(Url + "/health/ready"), cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        AnsiConsole.MarkupLine($"{Markup.Escape(name)} ready at {Markup.Escape(Url)}");
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Slow start.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }

            throw new TimeoutException($"The {name} at {Url} was not ready (GET /health/ready) within {ReadyTimeout.TotalMinutes:0} minutes.");
        }

        private static async Task RunToEndAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
            }
        }

        private static string RepositoryRoot()
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "PointsMall.sln")))
                    {
                        return dir.FullName;
                    }
                }
            }

            throw new InvalidOperationException("Run compare from inside the PointsMall repository (or pass --engine-url and --baseline-url).");
        }

        /// <summary>Distinct free ports: every listener is held open until all are picked.</summary>
        private static int[] FreePorts(int count)
        {
            var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
            try
            {
                foreach (var listener in listeners)
                {
                    listener.Start();
                }

                return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            }
            finally
            {
                foreach (var listener in listeners)
                {
                    listener.Dispose();
                }
            }
        }
    }
}
