using Microsoft.Extensions.Time.Testing;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Tests.Running;

/// <summary>
/// The runner on a manual clock: the open-model scheduler "waits" by advancing the clock, so every arrival time
/// and latency is exact and nothing depends on the machine's speed.
/// </summary>
public sealed class ScenarioRunnerTests
{
    private static readonly TimeSpan Awaited = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    private ScenarioRunner Runner() => new(_clock, (d, _) =>
    {
        _clock.Advance(d);
        return Task.CompletedTask;
    });

    [Fact]
    public async Task Constant_arrival_rate_starts_one_iteration_per_period_of_the_rate()
    {
        var starts = new List<TimeSpan>();
        var begin = _clock.GetTimestamp();
        var scenario = new Scenario("rate", ctx =>
        {
            lock (starts)
            {
                starts.Add(_clock.GetElapsedTime(begin));
            }

            return ctx.StepAsync("step", _ => Task.FromResult(StepOutcome.Ok()));
        });

        var result = await Runner().RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(2), 5)));

        Assert.Equal(20, result.Stats.Iterations.Requests);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => TimeSpan.FromMilliseconds(100 * i)), starts);
        Assert.Equal(0, result.Stats.DroppedTotal);
    }

    [Fact]
    public async Task Open_model_latency_counts_from_the_intended_start_while_the_server_stalls()
    {
        // The "server" answers nothing until t = 1 s; arrivals keep coming at 10/s regardless (no coordinated
        // omission), and each one's latency is the time since it was due: 1000, 900, …, 100 ms.
        var gate = new TaskCompletionSource<StepOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(10);
        var scenario = new Scenario("stall", ctx => ctx.StepAsync("redeem", _ =>
        {
            started.Signal();
            return gate.Task;
        }));
        var runner = Runner();

        var run = runner.RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 100)));
        Assert.True(started.Wait(Awaited), "all ten arrivals should have been started while the first was still waiting");
        _clock.Advance(TimeSpan.FromMilliseconds(100)); // the schedule's last arrival was at 900 ms
        gate.SetResult(StepOutcome.Ok(201));
        var result = await run.WaitAsync(Awaited);

        var latency = result.Stats.Steps.Single().Latency;
        Assert.Equal(10, latency.TotalCount);
        Assert.Equal(100_000, latency.Min);
        Assert.Equal(1_000_000, latency.Max);
        Assert.Equal(550_000, latency.Mean, 0);
    }

    [Fact]
    public async Task Arrivals_that_find_every_virtual_user_busy_are_dropped_and_counted()
    {
        var gate = new TaskCompletionSource<StepOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scenario = new Scenario("busy", ctx => ctx.StepAsync("slow", _ => gate.Task));

        var run = Runner().RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 3)));
        gate.SetResult(StepOutcome.Ok());
        var result = await run.WaitAsync(Awaited);

        Assert.Equal(3, result.Stats.Steps.Single().Requests);
        Assert.Equal(7, result.Stats.DroppedTotal);
        Assert.Equal(7, result.Stats.Dropped[ScenarioRunner.DroppedNoFreeUser]);
    }

    [Fact]
    public async Task A_generator_that_falls_behind_drops_late_arrivals_instead_of_sending_them_late()
    {
        // The scheduler's wait overshoots by 2 s once (a paused generator): the arrivals it missed by more than
        // MaxLag are dropped as generator_lag, the rest are sent.
        var overshoot = true;
        var runner = new ScenarioRunner(_clock, (d, _) =>
        {
            _clock.Advance(overshoot ? d + TimeSpan.FromSeconds(2) : d);
            overshoot = false;
            return Task.CompletedTask;
        });
        var scenario = new Scenario("lag", ctx => ctx.StepAsync("step", _ => Task.FromResult(StepOutcome.Ok())));

        var result = await runner.RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(5), 10)) { MaxLag = TimeSpan.FromMilliseconds(500) });

        // Arrival 1 (due 0.1 s) is reached at 2.1 s: arrivals due before 1.6 s (1 … 15) are over 500 ms late.
        Assert.Equal(15, result.Stats.Dropped[ScenarioRunner.DroppedGeneratorLag]);
        Assert.Equal(35, result.Stats.Iterations.Requests);
    }

    [Fact]
    public async Task Fixed_iteration_count_runs_exactly_that_many_iterations_over_the_users()
    {
        var users = new HashSet<int>();
        var scenario = new Scenario("count", async ctx =>
        {
            lock (users)
            {
                users.Add(ctx.VirtualUser);
            }

            await ctx.StepAsync("a", _ => Task.FromResult(StepOutcome.Ok()));
            await ctx.StepAsync("b", _ => Task.FromResult(StepOutcome.Fail(409, "sold_out")));
        });

        var result = await Runner().RunAsync(scenario, new RunSettings(new FixedIterations(57, 4)));

        Assert.Equal(57, result.Stats.Iterations.Requests);
        Assert.Equal(57, result.Stats.Iterations.Failed);
        var b = result.Stats.Steps.Single(s => s.Name == "b");
        Assert.Equal("409 sold_out", Assert.Single(b.Outcomes).Key);
        Assert.Equal(new[] { "a", "b" }, result.Stats.Steps.Select(s => s.Name));
        Assert.Subset(new HashSet<int> { 0, 1, 2, 3 }, users);
    }

    [Fact]
    public async Task Constant_concurrency_keeps_each_user_busy_until_the_duration_is_over()
    {
        var scenario = new Scenario("closed", ctx => ctx.StepAsync("tick", _ =>
        {
            lock (_clock)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(10));
            }

            return Task.FromResult(StepOutcome.Ok());
        }));

        var result = await Runner().RunAsync(scenario, new RunSettings(new ConstantConcurrency(1, TimeSpan.FromSeconds(1))));

        Assert.Equal(100, result.Stats.Iterations.Requests);
        Assert.Equal(10_000, result.Stats.Steps.Single().Latency.Max);
    }

    [Fact]
    public async Task Init_runs_before_and_clean_up_after_even_when_every_step_throws()
    {
        var log = new List<string>();
        var scenario = new Scenario("lifecycle", ctx => ctx.StepAsync("boom", _ => throw new InvalidOperationException("down")))
        {
            Init = _ =>
            {
                log.Add("init");
                return Task.CompletedTask;
            },
            Clean = _ =>
            {
                log.Add("clean");
                return Task.CompletedTask;
            },
        };

        var result = await Runner().RunAsync(scenario, new RunSettings(new FixedIterations(3, 1)));

        Assert.Equal(["init", "clean"], log);
        var outcome = Assert.Single(result.Stats.Steps.Single().Outcomes);
        Assert.Equal("0 InvalidOperationException", outcome.Key);
        Assert.False(outcome.IsOk);
    }

    [Fact]
    public async Task Warm_up_iterations_are_not_in_the_measured_statistics()
    {
        var iterations = 0;
        var scenario = new Scenario("warm", ctx =>
        {
            Interlocked.Increment(ref iterations);
            return ctx.StepAsync("step", _ => Task.FromResult(StepOutcome.Ok()));
        });

        var result = await Runner().RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 5)) { WarmUp = TimeSpan.FromSeconds(2) });

        Assert.Equal(30, iterations);
        Assert.Equal(10, result.Stats.Iterations.Requests);
    }

    [Fact]
    public void A_linear_ramp_places_arrivals_where_the_integral_of_the_rate_says()
    {
        // 0 → 100/s over 10 s: n(t) = 5 t², so arrival 500 (the last) is at 10 s and arrival 125 at 5 s.
        var ramp = new RampingArrivalRate(0, [new RateStage(100, TimeSpan.FromSeconds(10))], 10);

        Assert.Equal(TimeSpan.Zero, ArrivalSchedule.Offset(ramp, 0));
        Assert.Equal(5.0, ArrivalSchedule.Offset(ramp, 125)!.Value.TotalSeconds, 6);
        Assert.Equal(Math.Sqrt(20), ArrivalSchedule.Offset(ramp, 100)!.Value.TotalSeconds, 6);
        Assert.Null(ArrivalSchedule.Offset(ramp, 500));
    }

    [Fact]
    public void A_ramp_with_a_plateau_and_a_ramp_down_ends_after_the_integral_of_all_stages()
    {
        var stages = RampingArrivalRate.ParseStages("100:1s, 100:2s, 0:1s");
        var ramp = new RampingArrivalRate(0, stages, 10);

        // 50 + 200 + 50 arrivals; times never go backwards.
        Assert.NotNull(ArrivalSchedule.Offset(ramp, 299));
        Assert.Null(ArrivalSchedule.Offset(ramp, 300));
        var previous = TimeSpan.Zero;
        for (var i = 0; i < 300; i++)
        {
            var at = ArrivalSchedule.Offset(ramp, i)!.Value;
            Assert.True(at >= previous, $"arrival {i} at {at} is before {previous}");
            previous = at;
        }

        Assert.Equal(1.5, ArrivalSchedule.Offset(ramp, 100)!.Value.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("3", 3)]
    public void Durations_parse_with_units(string text, double seconds)
        => Assert.Equal(seconds, Durations.Parse(text).TotalSeconds, 6);

    [Fact]
    public async Task A_fault_in_the_measured_phase_reports_the_failures_after_it_and_when_requests_succeeded_again()
    {
        // Arrivals every 100 ms; the fault strikes at 500 ms and the "server" fails what is sent from then until 800 ms.
        var begin = _clock.GetTimestamp();
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var injected = 0;
        var scenario = new Scenario("failover", ctx => ctx.StepAsync("redeem", _ =>
            Task.FromResult(down.Task.IsCompleted && _clock.GetElapsedTime(begin) < TimeSpan.FromMilliseconds(800) ? StepOutcome.Fail(503, "unavailable") : StepOutcome.Ok(201))));
        var fault = new FaultPlan("test fault", TimeSpan.FromMilliseconds(500), _ =>
        {
            Interlocked.Increment(ref injected);
            down.SetResult();
            return Task.CompletedTask;
        });

        // The fault's timer fires on the clock's advance but injects on the thread pool: the scheduler's wait for
        // the 500 ms arrival also waits for the injection, so that arrival is the first to find the server down.
        var runner = new ScenarioRunner(_clock, async (d, cancellationToken) =>
        {
            _clock.Advance(d);
            if (_clock.GetElapsedTime(begin) >= fault.At)
            {
                await down.Task.WaitAsync(Awaited, cancellationToken);
            }
        });
        var result = await runner.RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 5)) { Fault = fault, Interval = TimeSpan.FromMilliseconds(100) }).WaitAsync(Awaited);

        var faults = result.Stats.Faults;
        Assert.Equal(1, injected);
        Assert.Equal(TimeSpan.FromMilliseconds(500), faults.InjectedAt);
        Assert.Equal((3L, 3L), (faults.FailedRequests, faults.FailedIterations)); // sent at 500, 600 and 700 ms
        Assert.Equal(TimeSpan.FromMilliseconds(200), faults.LastFailureSentAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(300), faults.FirstSuccessSentAfter);
        Assert.Contains("test fault at 0.5 s: 3 requests failed after it", PointsMall.LoadTests.Reports.ReportWriter.FaultSummary(faults), StringComparison.Ordinal);

        // In 100 ms intervals: nothing succeeded in the three from the fault on.
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMilliseconds(300)), result.Stats.LongestStallAfterFault());
    }

    [Fact]
    public async Task A_fault_due_after_the_measured_phase_is_never_injected()
    {
        var injected = false;
        var scenario = new Scenario("short", ctx => ctx.StepAsync("step", _ => Task.FromResult(StepOutcome.Ok())));
        var fault = new FaultPlan("late fault", TimeSpan.FromSeconds(5), _ =>
        {
            injected = true;
            return Task.CompletedTask;
        });

        var result = await Runner().RunAsync(scenario, new RunSettings(new ConstantArrivalRate(10, TimeSpan.FromSeconds(1), 5)) { Fault = fault }).WaitAsync(Awaited);

        Assert.False(injected);
        Assert.Null(result.Stats.Faults.InjectedAt);
        Assert.Equal(0, result.Stats.Faults.FailedRequests);
    }
}
