using System.Globalization;
using System.Text.RegularExpressions;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Reports;

/// <summary>
/// A pass/fail rule on the results: "p99 &lt; 50ms", "fail rate &lt; 0.1%", "rps &gt;= 1000", "dropped &lt; 1%", optionally
/// for one step ("redeem: p99 &lt; 25ms"); without a step it applies to every step. Latency metrics: min, mean,
/// p50, p75, p95, p99, p99.9, max.
/// </summary>
public sealed partial record Threshold(string Text, string? Step, string Metric, string Operator, double Limit)
{
    public static Threshold Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a threshold such as 'p99 < 50ms', 'fail rate < 0.1%', 'rps > 100' or 'redeem: p99 < 25ms'.");
        }

        var metric = match.Groups["metric"].Value.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        var isLatency = metric is "min" or "mean" or "p50" or "p75" or "p95" or "p99" or "p99.9" or "p999" or "max";
        var limit = unit switch
        {
            "us" or "µs" => value / 1000,
            "s" => value * 1000,
            _ => value, // ms, %, or a plain number
        };
        if (isLatency && unit is "%")
        {
            throw new FormatException($"'{text}': a latency limit needs a time unit (ms, s, us).");
        }

        if (!isLatency && metric is not ("failrate" or "rps" or "dropped"))
        {
            throw new FormatException($"'{text}': unknown metric '{match.Groups["metric"].Value}'.");
        }

        var step = match.Groups["step"].Success ? match.Groups["step"].Value.Trim() : null;
        return new Threshold(text.Trim(), step, metric == "p999" ? "p99.9" : metric, match.Groups["op"].Value, limit);
    }

    /// <summary>Checks the rule against each step it applies to (every step when no step is named).</summary>
    public ThresholdResult Evaluate(PhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var steps = result.Stats.Steps.Where(s => Step is null || string.Equals(s.Name, Step, StringComparison.OrdinalIgnoreCase)).ToList();
        if (steps.Count == 0)
        {
            return new ThresholdResult(this, false, Step is null ? "no step ran" : $"no step named '{Step}' ran");
        }

        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        var failures = new List<string>();
        var observed = new List<string>();
        foreach (var step in steps)
        {
            var value = Metric switch
            {
                "failrate" => step.Requests == 0 ? 0 : 100.0 * step.Failed / step.Requests,
                "rps" => step.Requests / seconds,
                "dropped" => DroppedPercent(result),
                _ => Latency(step, Metric),
            };
            var text = Metric switch
            {
                "failrate" or "dropped" => string.Create(CultureInfo.InvariantCulture, $"{step.Name}: {value:0.###}%"),
                "rps" => string.Create(CultureInfo.InvariantCulture, $"{step.Name}: {value:0.#}/s"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{step.Name}: {value:0.###} ms"),
            };
            observed.Add(text);
            if (!Holds(value))
            {
                failures.Add(text);
            }
        }

        return new ThresholdResult(this, failures.Count == 0, string.Join("; ", failures.Count == 0 ? observed : failures));
    }

    private static double DroppedPercent(PhaseResult result)
    {
        var scheduled = result.Stats.Iterations.Requests + result.Stats.DroppedTotal;
        return scheduled == 0 ? 0 : 100.0 * result.Stats.DroppedTotal / scheduled;
    }

    private static double Latency(StepStats step, string metric)
    {
        var h = step.Latency;
        var micros = metric switch
        {
            "min" => h.Min,
            "mean" => h.Mean,
            "max" => h.Max,
            _ => h.ValueAtPercentile(double.Parse(metric[1..], CultureInfo.InvariantCulture)),
        };
        return micros / 1000.0;
    }

    private bool Holds(double value) => Operator switch
    {
        "<" => value < Limit,
        "<=" => value <= Limit,
        ">" => value > Limit,
        ">=" => value >= Limit,
        _ => throw new InvalidOperationException($"Unknown operator {Operator}."),
    };

    [GeneratedRegex(@"^(?:(?<step>[^:<>=]+):\s*)?(?<metric>p\d+(?:\.\d+)?|min|mean|max|fail[ _]?rate|rps|dropped)\s*(?<op><=|>=|<|>)\s*(?<value>\d+(?:\.\d+)?)\s*(?<unit>ms|us|µs|s|%)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

public sealed record ThresholdResult(Threshold Threshold, bool Passed, string Observed);
