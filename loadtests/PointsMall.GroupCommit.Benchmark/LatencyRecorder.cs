namespace PointsMall.GroupCommit.Benchmark;

/// <summary>Latencies in a log-bucketed histogram (about 1% precision): cheap enough to record every call.</summary>
internal sealed class LatencyRecorder
{
    private const int SubBuckets = 128;
    private readonly long[] _counts = new long[64 * SubBuckets];

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(1, (long)latency.TotalMicroseconds);
        var exponent = 63 - long.LeadingZeroCount(micros);
        var sub = exponent < 7 ? micros : micros >> (int)(exponent - 7);
        Interlocked.Increment(ref _counts[(exponent * SubBuckets) + (int)(sub & (SubBuckets - 1))]);
    }

    /// <summary>The latency in milliseconds that <paramref name="p"/> (0–1) of the calls did not exceed.</summary>
    public double Percentile(double p)
    {
        var total = _counts.Sum();
        if (total == 0)
        {
            return 0;
        }

        var target = (long)Math.Ceiling(total * p);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                var exponent = i / SubBuckets;
                var sub = i % SubBuckets;
                var micros = exponent < 7 ? sub : (long)(sub | SubBuckets) << (exponent - 7);
                return micros / 1000.0;
            }
        }

        return 0;
    }
}
