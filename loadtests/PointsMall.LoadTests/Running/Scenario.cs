namespace PointsMall.LoadTests.Running;

/// <summary>What one step call produced: OK or not, plus the HTTP status and problem <c>code</c> for the outcome mix.</summary>
public readonly record struct StepOutcome(bool IsOk, int StatusCode, string? Code, long Bytes = 0)
{
    /// <summary>Status 0 marks a transport failure (timeout, refused connection) with the exception type as code.</summary>
    public static StepOutcome Ok(int statusCode = 200, string? code = null) => new(true, statusCode, code);

    public static StepOutcome Fail(int statusCode, string? code) => new(false, statusCode, code);

    /// <summary>"201", "409 sold_out", "0 timeout": how outcomes are grouped in reports.</summary>
    public string Key => Code is null ? StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{StatusCode} {Code}";
}

/// <summary>One named scenario: per-run init and clean-up around iterations of named steps run by virtual users.</summary>
/// <param name="Name">Shown in reports.</param>
/// <param name="Iteration">One iteration of one virtual user; it calls <see cref="ScenarioContext.StepAsync"/> for each step.</param>
public sealed record Scenario(string Name, Func<ScenarioContext, Task> Iteration)
{
    /// <summary>Runs once before the warm-up (seeding data, signing in); not measured.</summary>
    public Func<CancellationToken, Task>? Init { get; init; }

    /// <summary>Runs once after the measured phase, even when it failed.</summary>
    public Func<CancellationToken, Task>? Clean { get; init; }
}

/// <summary>The state of one iteration: who runs it, which one it is, and how to run a measured step.</summary>
public sealed class ScenarioContext
{
    private readonly StatsCollector _stats;
    private readonly TimeProvider _time;
    private long _nextStepIntendedStart;

    internal ScenarioContext(StatsCollector stats, TimeProvider time, long iteration, int virtualUser, long intendedStart, Random random, CancellationToken cancellationToken)
    {
        _stats = stats;
        _time = time;
        Iteration = iteration;
        VirtualUser = virtualUser;
        _nextStepIntendedStart = intendedStart;
        IntendedStart = intendedStart;
        Random = random;
        CancellationToken = cancellationToken;
    }

    /// <summary>0-based iteration number within the phase (global across virtual users).</summary>
    public long Iteration { get; }

    /// <summary>Which virtual user (slot) runs this iteration.</summary>
    public int VirtualUser { get; }

    /// <summary>The timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which this iteration should have started.</summary>
    public long IntendedStart { get; }

    public Random Random { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Set by a step that fails; the runner counts the iteration as failed.</summary>
    public bool Failed { get; private set; }

    /// <summary>
    /// Runs and measures one named step. The first step's latency counts from the iteration's intended start
    /// (so a late generator or a queue in front of the server shows up as latency, not as a quiet gap); each
    /// later step from the end of the previous one. Exceptions are failures with status 0 and their type.
    /// </summary>
    public async Task<StepOutcome> StepAsync(string name, Func<CancellationToken, Task<StepOutcome>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var start = _nextStepIntendedStart;
        StepOutcome outcome;
        try
        {
            outcome = await action(CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = StepOutcome.Fail(0, "timeout");
        }
#pragma warning disable CA1031 // A step's fault is a measured failure, not a crash of the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = StepOutcome.Fail(0, ex is HttpRequestException ? "connection_failed" : ex.GetType().Name);
        }

        var end = _time.GetTimestamp();
        _stats.RecordStep(name, outcome, _time.GetElapsedTime(start, end), end);
        _nextStepIntendedStart = end;
        if (!outcome.IsOk)
        {
            Failed = true;
        }

        return outcome;
    }
}
