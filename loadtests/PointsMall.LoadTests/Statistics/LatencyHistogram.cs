using System.Globalization;
using HdrHistogram;

namespace PointsMall.LoadTests.Statistics;

/// <summary>
/// Latencies in microseconds, from 1 to <see cref="HighestTrackableValue"/>, in an HdrHistogram
/// <see cref="LongConcurrentHistogram"/> kept to <see cref="SignificantDigits"/> significant digits (3: ≤ 0.1 % error),
/// so every virtual user records into the same instance without a lock and memory stays fixed whatever the count.
/// </summary>
/// <remarks>
/// HdrHistogram throws on a value above its range; here it is clamped to the range and counted in
/// <see cref="ClampedCount"/>, so a stuck request is never lost from the counts. Min, max and mean are kept exact
/// beside it, because HdrHistogram derives them from its buckets (max up to one bucket high, mean from bucket
/// midpoints). Reading while users record is safe (every counter is read whole) but may miss that instant's samples.
/// </remarks>
public sealed class LatencyHistogram(long highestTrackableValue = LatencyHistogram.OneHour, int significantDigits = 3)
{
    /// <summary>One hour in microseconds: the default ceiling.</summary>
    public const long OneHour = 3_600_000_000;

    private readonly LongConcurrentHistogram _histogram = new(1, highestTrackableValue, significantDigits);
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;
    private long _clamped;

    public long HighestTrackableValue => _histogram.HighestTrackableValue;

    public int SignificantDigits => _histogram.NumberOfSignificantValueDigits;

    public long TotalCount => _histogram.TotalCount;

    /// <summary>Samples larger than <see cref="HighestTrackableValue"/>, recorded as that value.</summary>
    public long ClampedCount => Interlocked.Read(ref _clamped);

    /// <summary>The exact smallest recorded value (0 when empty).</summary>
    public long Min
    {
        get
        {
            var min = Interlocked.Read(ref _min);
            return min == long.MaxValue ? 0 : min;
        }
    }

    /// <summary>The exact largest recorded value (after clamping).</summary>
    public long Max => Interlocked.Read(ref _max);

    /// <summary>The exact mean of the recorded values (after clamping).</summary>
    public double Mean
    {
        get
        {
            var count = TotalCount;
            return count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / count;
        }
    }

    /// <summary>Records one sample; a negative value counts as 0, one above the range as the range's top.</summary>
    public void Record(long value)
    {
        value = Math.Max(0, value);
        if (value > HighestTrackableValue)
        {
            value = HighestTrackableValue;
            Interlocked.Increment(ref _clamped);
        }

        // The exact figures first: a reader that sees the sample counted also sees it in the max that caps percentiles.
        Interlocked.Add(ref _sum, value);
        UpdateMin(value);
        UpdateMax(value);
        _histogram.RecordValue(value);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100) as HdrHistogram reports it, the highest value equivalent
    /// to the sample of that rank so it never understates, capped by the exact max; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);

        // HdrHistogram throws when asked for a percentile of nothing.
        return TotalCount == 0 ? 0 : Math.Min(_histogram.GetValueAtPercentile(percentile), Max);
    }

    /// <summary>
    /// All of <paramref name="parts"/> in one histogram of their range and precision (they must share both): the
    /// latencies of a longer window from its intervals' histograms.
    /// </summary>
    public static LatencyHistogram Merge(IReadOnlyCollection<LatencyHistogram> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var first = parts.FirstOrDefault();
        var merged = first is null ? new LatencyHistogram() : new LatencyHistogram(first.HighestTrackableValue, first.SignificantDigits);
        foreach (var part in parts)
        {
            if (part.TotalCount == 0)
            {
                continue;
            }

            merged._histogram.Add(part._histogram);
            merged._sum += Interlocked.Read(ref part._sum);
            merged._clamped += part.ClampedCount;
            merged.UpdateMin(part.Min);
            merged.UpdateMax(part.Max);
        }

        return merged;
    }

    public LatencySummary Summary() => new(
        TotalCount,
        Min,
        Mean,
        ValueAtPercentile(50),
        ValueAtPercentile(75),
        ValueAtPercentile(95),
        ValueAtPercentile(99),
        ValueAtPercentile(99.9),
        Max);

    /// <summary>For report headers: "HdrHistogram, 3 significant digits (≤ 0.1 % error), 1 µs to 1 h".</summary>
    public string Describe() => Describe(HighestTrackableValue, SignificantDigits);

    /// <inheritdoc cref="Describe()"/>
    public static string Describe(long highestTrackableValue, int significantDigits)
    {
        var top = highestTrackableValue % OneHour == 0 ? $"{highestTrackableValue / OneHour} h"
            : highestTrackableValue % 1_000_000 == 0 ? $"{highestTrackableValue / 1_000_000} s"
            : $"{highestTrackableValue} µs";
        return string.Create(CultureInfo.InvariantCulture, $"HdrHistogram, {significantDigits} significant digits (≤ {100 * Math.Pow(10, -significantDigits):0.###} % error), 1 µs to {top}");
    }

    private void UpdateMin(long value)
    {
        var current = Interlocked.Read(ref _min);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void UpdateMax(long value)
    {
        var current = Interlocked.Read(ref _max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>Latency figures in the histogram's unit (microseconds in the runner).</summary>
public sealed record LatencySummary(long Count, long Min, double Mean, long P50, long P75, long P95, long P99, long P999, long Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
