using System.Numerics;

namespace PointsMall.LoadTests.Statistics;

/// <summary>
/// A log-bucketed latency histogram after HdrHistogram's design (Gil Tene): values are integers (the runner
/// records microseconds) from 1 to <see cref="HighestTrackableValue"/>; buckets double in width, and every
/// bucket is split into 2^k linear sub-buckets, so any recorded value is kept within a relative error of
/// 10^-<see cref="SignificantDigits"/> (3 digits: 1.234 ms and 1.235 ms stay apart, 0.1 % error at worst).
/// Memory is fixed (a few thousand counters) whatever the number of samples; recording is lock-free
/// (<see cref="Interlocked"/>), so every virtual user records into the same instance.
/// </summary>
/// <remarks>
/// Values above the trackable range are clamped to it and counted in <see cref="ClampedCount"/>, so a stuck
/// request is never silently lost from the counts. Percentiles report the highest value equivalent to the
/// bucket that holds the requested rank (as HdrHistogram does), so they never understate latency.
/// </remarks>
public sealed class LogHistogram
{
    private readonly long[] _counts;
    private readonly int _subBucketHalfCountMagnitude;
    private readonly int _subBucketHalfCount;
    private readonly long _subBucketMask;
    private readonly int _subBucketCount;
    private readonly int _leadingZeroCountBase;
    private long _totalCount;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;
    private long _clamped;

    /// <param name="highestTrackableValue">The largest value kept exactly (to the stated precision); at least 2.</param>
    /// <param name="significantDigits">Decimal digits of precision, 1 to 5.</param>
    public LogHistogram(long highestTrackableValue = 3_600_000_000, int significantDigits = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(highestTrackableValue, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(significantDigits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(significantDigits, 5);
        HighestTrackableValue = highestTrackableValue;
        SignificantDigits = significantDigits;

        // Enough linear sub-buckets that one unit of the last significant digit is always resolvable.
        var largestValueWithSingleUnitResolution = 2 * (long)Math.Pow(10, significantDigits);
        var subBucketCountMagnitude = (int)Math.Ceiling(Math.Log2(largestValueWithSingleUnitResolution));
        _subBucketHalfCountMagnitude = Math.Max(subBucketCountMagnitude, 1) - 1;
        _subBucketCount = 1 << (_subBucketHalfCountMagnitude + 1);
        _subBucketHalfCount = _subBucketCount / 2;
        _subBucketMask = _subBucketCount - 1; // unit magnitude 0: the lowest discernible value is 1
        _leadingZeroCountBase = 64 - _subBucketHalfCountMagnitude - 1;

        var bucketCount = 1;
        long smallestUntrackable = _subBucketCount;
        while (smallestUntrackable <= highestTrackableValue)
        {
            if (smallestUntrackable > long.MaxValue / 2)
            {
                bucketCount++;
                break;
            }

            smallestUntrackable <<= 1;
            bucketCount++;
        }

        _counts = new long[(bucketCount + 1) * _subBucketHalfCount];
    }

    public long HighestTrackableValue { get; }

    public int SignificantDigits { get; }

    public long TotalCount => Interlocked.Read(ref _totalCount);

    /// <summary>Samples larger than <see cref="HighestTrackableValue"/>, recorded as that value.</summary>
    public long ClampedCount => Interlocked.Read(ref _clamped);

    /// <summary>The exact smallest recorded value (0 when empty).</summary>
    public long Min => TotalCount == 0 ? 0 : Interlocked.Read(ref _min);

    /// <summary>The exact largest recorded value (after clamping).</summary>
    public long Max => Interlocked.Read(ref _max);

    /// <summary>The exact mean of the recorded values (after clamping).</summary>
    public double Mean => TotalCount == 0 ? 0 : (double)Interlocked.Read(ref _sum) / TotalCount;

    /// <summary>Counters held, for memory accounting.</summary>
    public int BucketArrayLength => _counts.Length;

    public void Record(long value) => RecordMany(value, 1);

    /// <summary>Records <paramref name="count"/> samples of <paramref name="value"/>; negative values count as 0.</summary>
    public void RecordMany(long value, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        value = Math.Max(0, value);
        if (value > HighestTrackableValue)
        {
            value = HighestTrackableValue;
            Interlocked.Add(ref _clamped, count);
        }

        Interlocked.Add(ref _counts[CountsIndexFor(value)], count);
        Interlocked.Add(ref _totalCount, count);
        Interlocked.Add(ref _sum, value * count);
        UpdateMin(value);
        UpdateMax(value);
    }

    /// <summary>Adds every sample of <paramref name="other"/> (same shape required).</summary>
    public void Add(LogHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._counts.Length != _counts.Length || other.SignificantDigits != SignificantDigits)
        {
            throw new ArgumentException("Histograms of different range or precision cannot be added.", nameof(other));
        }

        if (other.TotalCount == 0)
        {
            return;
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Interlocked.Read(ref other._counts[i]);
            if (c != 0)
            {
                Interlocked.Add(ref _counts[i], c);
            }
        }

        Interlocked.Add(ref _totalCount, other.TotalCount);
        Interlocked.Add(ref _sum, Interlocked.Read(ref other._sum));
        Interlocked.Add(ref _clamped, other.ClampedCount);
        UpdateMin(other.Min);
        UpdateMax(other.Max);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100): the highest value equivalent to the sample of rank
    /// ceil(p/100 × count), capped by the exact max; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var total = TotalCount;
        if (total == 0)
        {
            return 0;
        }

        if (percentile == 0)
        {
            return Min;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            if (running >= rank)
            {
                return Math.Min(HighestEquivalentValue(ValueFromIndex(i)), Max);
            }
        }

        return Max;
    }

    /// <summary>The smallest value that lands in the same bucket as <paramref name="value"/>.</summary>
    public long LowestEquivalentValue(long value)
    {
        var bucketIndex = BucketIndexOf(value);
        var subBucketIndex = SubBucketIndexOf(value, bucketIndex);
        return (long)subBucketIndex << bucketIndex;
    }

    /// <summary>The largest value that lands in the same bucket as <paramref name="value"/>.</summary>
    public long HighestEquivalentValue(long value) => LowestEquivalentValue(value) + SizeOfEquivalentRange(value) - 1;

    /// <summary>How many distinct values share <paramref name="value"/>'s bucket (1 below 2^k sub-buckets).</summary>
    public long SizeOfEquivalentRange(long value)
    {
        var bucketIndex = BucketIndexOf(value);
        var subBucketIndex = SubBucketIndexOf(value, bucketIndex);
        var adjusted = subBucketIndex >= _subBucketCount ? bucketIndex + 1 : bucketIndex;
        return 1L << adjusted;
    }

    /// <summary>Non-empty buckets as (lowest equivalent value, highest equivalent value, count), ascending.</summary>
    public IEnumerable<(long From, long To, long Count)> Buckets()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Interlocked.Read(ref _counts[i]);
            if (c != 0)
            {
                var v = ValueFromIndex(i);
                yield return (LowestEquivalentValue(v), HighestEquivalentValue(v), c);
            }
        }
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

    private int CountsIndexFor(long value)
    {
        var bucketIndex = BucketIndexOf(value);
        var subBucketIndex = SubBucketIndexOf(value, bucketIndex);
        return ((bucketIndex + 1) << _subBucketHalfCountMagnitude) + (subBucketIndex - _subBucketHalfCount);
    }

    private int BucketIndexOf(long value) => _leadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | _subBucketMask));

    private static int SubBucketIndexOf(long value, int bucketIndex) => (int)(value >>> bucketIndex);

    private long ValueFromIndex(int index)
    {
        var bucketIndex = (index >> _subBucketHalfCountMagnitude) - 1;
        var subBucketIndex = (index & (_subBucketHalfCount - 1)) + _subBucketHalfCount;
        if (bucketIndex < 0)
        {
            subBucketIndex -= _subBucketHalfCount;
            bucketIndex = 0;
        }

        return (long)subBucketIndex << bucketIndex;
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
