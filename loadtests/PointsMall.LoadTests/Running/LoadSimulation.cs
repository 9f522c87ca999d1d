using System.Globalization;

namespace PointsMall.LoadTests.Running;

/// <summary>How iterations are started: open model (arrival rates) or closed model (concurrency, iteration count).</summary>
public abstract record LoadSimulation
{
    /// <summary>Open-model simulations start iterations on a schedule whether or not earlier ones finished.</summary>
    public abstract bool IsOpenModel { get; }

    /// <summary>The same load for <paramref name="duration"/> (warm-up uses it).</summary>
    public abstract LoadSimulation ForWarmUp(TimeSpan duration);

    public abstract string Describe();
}

/// <summary>Open model: <paramref name="PerSecond"/> iterations per second for <paramref name="Duration"/>, at most <paramref name="MaxVirtualUsers"/> in flight.</summary>
public sealed record ConstantArrivalRate(double PerSecond, TimeSpan Duration, int MaxVirtualUsers) : LoadSimulation
{
    public override bool IsOpenModel => true;

    public override LoadSimulation ForWarmUp(TimeSpan duration) => this with { Duration = duration };

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"constant arrival rate {PerSecond:0.##}/s for {Duration.TotalSeconds:0.##} s (≤ {MaxVirtualUsers} in flight)");
}

/// <summary>One leg of a ramp: move linearly to <paramref name="TargetPerSecond"/> over <paramref name="Duration"/>.</summary>
public sealed record RateStage(double TargetPerSecond, TimeSpan Duration);

/// <summary>Open model: the rate moves linearly through <paramref name="Stages"/>, starting from <paramref name="StartPerSecond"/>.</summary>
public sealed record RampingArrivalRate(double StartPerSecond, IReadOnlyList<RateStage> Stages, int MaxVirtualUsers) : LoadSimulation
{
    public override bool IsOpenModel => true;

    public TimeSpan Duration => Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    public override LoadSimulation ForWarmUp(TimeSpan duration) => new ConstantArrivalRate(Math.Max(StartPerSecond, Stages.Count > 0 ? Stages[0].TargetPerSecond : 1), duration, MaxVirtualUsers);

    public override string Describe() => "ramping arrival rate " + string.Create(CultureInfo.InvariantCulture, $"{StartPerSecond:0.##}/s")
        + string.Concat(Stages.Select(s => string.Create(CultureInfo.InvariantCulture, $" → {s.TargetPerSecond:0.##}/s in {s.Duration.TotalSeconds:0.##} s")))
        + string.Create(CultureInfo.InvariantCulture, $" (≤ {MaxVirtualUsers} in flight)");

    /// <summary>Parses "100:10s,500:20s,500:30s" (rate:duration pairs).</summary>
    public static IReadOnlyList<RateStage> ParseStages(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':', 2);
            if (pieces.Length != 2 || !double.TryParse(pieces[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate < 0)
            {
                throw new FormatException($"Stage '{part}' is not rate:duration (e.g. 500:20s).");
            }

            return new RateStage(rate, Durations.Parse(pieces[1]));
        }).ToList();
    }
}

/// <summary>Closed model: <paramref name="VirtualUsers"/> users each run iterations back to back for <paramref name="Duration"/>.</summary>
public sealed record ConstantConcurrency(int VirtualUsers, TimeSpan Duration) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override LoadSimulation ForWarmUp(TimeSpan duration) => this with { Duration = duration };

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"constant concurrency {VirtualUsers} users for {Duration.TotalSeconds:0.##} s");
}

/// <summary>Closed model: exactly <paramref name="Iterations"/> iterations shared by <paramref name="VirtualUsers"/> users.</summary>
public sealed record FixedIterations(long Iterations, int VirtualUsers) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override LoadSimulation ForWarmUp(TimeSpan duration) => new ConstantConcurrency(VirtualUsers, duration);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Iterations} iterations over {VirtualUsers} users");
}

/// <summary>The intended start of every iteration of an open-model simulation, as an offset from the phase start.</summary>
public static class ArrivalSchedule
{
    /// <summary>The offset of arrival <paramref name="index"/> (0-based), or null when the schedule has ended.</summary>
    public static TimeSpan? Offset(LoadSimulation simulation, long index) => simulation switch
    {
        ConstantArrivalRate c => Constant(c.PerSecond, c.Duration, index),
        RampingArrivalRate r => Ramping(r.StartPerSecond, r.Stages, index),
        _ => throw new ArgumentException($"{simulation.GetType().Name} is not an open-model simulation.", nameof(simulation)),
    };

    private static TimeSpan? Constant(double perSecond, TimeSpan duration, long index)
    {
        if (perSecond <= 0)
        {
            return null;
        }

        var seconds = index / perSecond;
        return seconds < duration.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>
    /// Within a stage the rate is r(t) = r0 + (r1 − r0)·t/d, so arrivals so far are n(t) = r0·t + (r1 − r0)·t²/(2d);
    /// arrival x of the stage is at the root t = 2x / (r0 + √(r0² + 2x(r1 − r0)/d)), a form without cancellation.
    /// </summary>
    private static TimeSpan? Ramping(double startPerSecond, IReadOnlyList<RateStage> stages, long index)
    {
        double before = 0;
        var elapsed = TimeSpan.Zero;
        var from = startPerSecond;
        foreach (var stage in stages)
        {
            var d = stage.Duration.TotalSeconds;
            var to = stage.TargetPerSecond;
            var inStage = (from + to) / 2 * d;
            if (d > 0 && index < before + inStage)
            {
                var x = index - before;
                var discriminant = (from * from) + (2 * x * (to - from) / d);
                var denominator = from + Math.Sqrt(Math.Max(0, discriminant));
                var t = denominator <= 0 ? 0 : 2 * x / denominator;
                return elapsed + TimeSpan.FromSeconds(Math.Min(t, d));
            }

            before += inStage;
            elapsed += stage.Duration;
            from = to;
        }

        return null;
    }
}

/// <summary>Parses "500ms", "10s", "2m", "1h" or a plain number of seconds.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
        {
            throw new FormatException($"'{text}' is not a duration (e.g. 500ms, 10s, 2m).");
        }

        return TimeSpan.FromSeconds(value * scale);
    }
}
