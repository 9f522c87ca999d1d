using System.Collections.Concurrent;
using System.Diagnostics;

namespace PointsMall.LoadTests.Running;

/// <summary>Settings of one run of one scenario.</summary>
public sealed record RunSettings(LoadSimulation Simulation)
{
    public TimeSpan WarmUp { get; init; } = TimeSpan.Zero;

    /// <summary>An open-model arrival the generator reaches later than this is dropped (and counted), not sent late.</summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Width of the time-series intervals in the reports.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public int Seed { get; init; } = 42;

    /// <summary>A fault injected into the measured phase (never into the warm-up).</summary>
    public FaultPlan? Fault { get; init; }
}

/// <summary>What a measured phase produced.</summary>
public sealed record PhaseResult(string Scenario, LoadSimulation Simulation, StatsCollector Stats, TimeSpan Elapsed, GeneratorCpu Cpu);

/// <summary>The generator's own CPU use during the phase: if it nears the machine's capacity, the figures measure the generator.</summary>
public sealed record GeneratorCpu(TimeSpan ProcessorTime, TimeSpan Wall, int ProcessorCount)
{
    /// <summary>Cores kept busy on average (1.0 = one core fully busy).</summary>
    public double CoresUsed => Wall <= TimeSpan.Zero ? 0 : ProcessorTime.TotalSeconds / Wall.TotalSeconds;

    /// <summary>Share of the whole machine, 0–100.</summary>
    public double MachinePercent => ProcessorCount == 0 ? 0 : 100 * CoresUsed / ProcessorCount;
}

/// <summary>
/// Runs a scenario under a load simulation. Open-model runs never wait for a slow response before starting the
/// next iteration: each iteration has an intended start from the schedule, latency counts from it (no coordinated
/// omission), and an arrival that finds every virtual user busy or the generator later than
/// <see cref="RunSettings.MaxLag"/> is dropped and counted, never silently skipped or sent late.
/// </summary>
/// <param name="time">Timestamps and, by default, waiting.</param>
/// <param name="delay">How the open-model scheduler waits until an intended start; tests pass one that advances a manual clock.</param>
public sealed class ScenarioRunner(TimeProvider time, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    public const string DroppedNoFreeUser = "no_free_virtual_user";
    public const string DroppedGeneratorLag = "generator_lag";

    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? ((d, ct) => Task.Delay(d, time, ct));

    /// <summary>Raised when the measured phase starts, with its live statistics (for progress displays).</summary>
    public event Action<StatsCollector>? MeasuredPhaseStarted;

    /// <summary>Init, warm-up (discarded), measured phase, clean-up.</summary>
    public async Task<PhaseResult> RunAsync(Scenario scenario, RunSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(settings);
        if (scenario.Init is not null)
        {
            await scenario.Init(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (settings.WarmUp > TimeSpan.Zero)
            {
                await RunPhaseAsync(scenario, settings.Simulation.ForWarmUp(settings.WarmUp), settings, NewCollector(settings), cancellationToken).ConfigureAwait(false);
            }

            var stats = NewCollector(settings);
            MeasuredPhaseStarted?.Invoke(stats);
            var cpuBefore = ProcessorTime();
            using var phaseOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var fault = settings.Fault is { } plan ? InjectAsync(plan, stats, phaseOver.Token) : Task.CompletedTask;
            try
            {
                await RunPhaseAsync(scenario, settings.Simulation, settings, stats, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await phaseOver.CancelAsync().ConfigureAwait(false);
                await fault.ConfigureAwait(false);
            }

            stats.Complete(time.GetTimestamp());
            var cpu = new GeneratorCpu(ProcessorTime() - cpuBefore, stats.Elapsed, Environment.ProcessorCount);
            return new PhaseResult(scenario.Name, settings.Simulation, stats, stats.Elapsed, cpu);
        }
        finally
        {
            if (scenario.Clean is not null)
            {
                await scenario.Clean(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until the fault's time in the phase, then injects it once; a phase that ends first skips it.</summary>
    private async Task InjectAsync(FaultPlan plan, StatsCollector stats, CancellationToken phaseOver)
    {
        try
        {
            await Task.Delay(plan.At, time, phaseOver).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        stats.Faults.Injected(plan.Description, stats.Elapsed);
        await plan.InjectAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private StatsCollector NewCollector(RunSettings settings) => new(time, time.GetTimestamp(), settings.Interval);

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private Task RunPhaseAsync(Scenario scenario, LoadSimulation simulation, RunSettings settings, StatsCollector stats, CancellationToken cancellationToken) => simulation switch
    {
        ConstantArrivalRate c => RunOpenAsync(scenario, simulation, c.MaxVirtualUsers, settings, stats, cancellationToken),
        RampingArrivalRate r => RunOpenAsync(scenario, simulation, r.MaxVirtualUsers, settings, stats, cancellationToken),
        ConstantConcurrency c => RunClosedAsync(scenario, c.VirtualUsers, c.Duration, long.MaxValue, settings, stats, cancellationToken),
        FixedIterations f => RunClosedAsync(scenario, f.VirtualUsers, null, f.Iterations, settings, stats, cancellationToken),
        _ => throw new ArgumentException($"Unknown simulation {simulation.GetType().Name}.", nameof(simulation)),
    };

    private async Task RunOpenAsync(Scenario scenario, LoadSimulation simulation, int maxVirtualUsers, RunSettings settings, StatsCollector stats, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVirtualUsers, 1);
        var freeUsers = new ConcurrentStack<int>(Enumerable.Range(0, maxVirtualUsers).Reverse());
        var inFlight = new InFlight();
        var random = new Random(settings.Seed);
        for (long index = 0; ; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = ArrivalSchedule.Offset(simulation, index);
            if (offset is null)
            {
                break;
            }

            var intended = stats.StartTimestamp + ToTimestampTicks(offset.Value);
            var wait = time.GetElapsedTime(time.GetTimestamp(), intended);
            if (wait > TimeSpan.Zero)
            {
                await _delay(wait, cancellationToken).ConfigureAwait(false);
            }

            var now = time.GetTimestamp();
            if (time.GetElapsedTime(intended, now) > settings.MaxLag)
            {
                stats.RecordDropped(DroppedGeneratorLag, now);
                continue;
            }

            if (!freeUsers.TryPop(out var user))
            {
                stats.RecordDropped(DroppedNoFreeUser, now);
                continue;
            }

            inFlight.Add();
            var iterationRandom = new Random(random.Next());
            _ = RunIterationAsync(scenario, stats, index, user, intended, iterationRandom, cancellationToken)
                .ContinueWith(
                    _ =>
                    {
                        freeUsers.Push(user);
                        inFlight.Done();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
        }

        await inFlight.AllDoneAsync().ConfigureAwait(false);
    }

    private async Task RunClosedAsync(Scenario scenario, int virtualUsers, TimeSpan? duration, long iterations, RunSettings settings, StatsCollector stats, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualUsers, 1);
        long next = -1;
        var seeds = new Random(settings.Seed);
        var users = Enumerable.Range(0, virtualUsers).Select(user => (user, seed: seeds.Next())).ToList();
        await Task.WhenAll(users.Select(u => Task.Run(
            async () =>
            {
                var random = new Random(u.seed);
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (duration is { } d && time.GetElapsedTime(stats.StartTimestamp) >= d)
                    {
                        return;
                    }

                    var index = Interlocked.Increment(ref next);
                    if (index >= iterations)
                    {
                        return;
                    }

                    await RunIterationAsync(scenario, stats, index, u.user, time.GetTimestamp(), random, cancellationToken).ConfigureAwait(false);
                }
            },
            cancellationToken))).ConfigureAwait(false);
    }

    private async Task RunIterationAsync(Scenario scenario, StatsCollector stats, long index, int user, long intended, Random random, CancellationToken cancellationToken)
    {
        var context = new ScenarioContext(stats, time, index, user, intended, random, cancellationToken);
        var ok = true;
        try
        {
            await scenario.Iteration(context).ConfigureAwait(false);
            ok = !context.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // An iteration's own fault is a failed iteration; the run goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            ok = false;
        }

        var end = time.GetTimestamp();
        stats.RecordIteration(ok, time.GetElapsedTime(intended, end), end);
    }

    private long ToTimestampTicks(TimeSpan offset) => (long)(offset.Ticks * ((double)time.TimestampFrequency / TimeSpan.TicksPerSecond));

    /// <summary>Counts running iterations; completes when the schedule has ended and the last one finished.</summary>
    private sealed class InFlight
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count = 1; // the scheduler itself holds one until it has started every arrival

        public void Add() => Interlocked.Increment(ref _count);

        public void Done()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                _done.TrySetResult();
            }
        }

        public Task AllDoneAsync()
        {
            Done();
            return _done.Task;
        }
    }
}
