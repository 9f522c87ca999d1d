using PointsMall.LoadTests.Statistics;

namespace PointsMall.LoadTests.Tests.Statistics;

public sealed class LogHistogramTests
{
    [Fact]
    public void An_empty_histogram_reports_zeros()
    {
        var histogram = new LogHistogram();

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(LatencySummary.Empty, histogram.Summary());
    }

    [Fact]
    public void Values_below_two_thousand_are_kept_exactly_at_three_digits()
    {
        var histogram = new LogHistogram(significantDigits: 3);
        for (var v = 0; v < 2048; v++)
        {
            Assert.Equal(v, histogram.LowestEquivalentValue(v));
            Assert.Equal(v, histogram.HighestEquivalentValue(v));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_value_is_kept_within_the_stated_relative_precision(int digits)
    {
        var histogram = new LogHistogram(3_600_000_000, digits);
        var allowed = Math.Pow(10, -digits);
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var value = (long)Math.Exp(random.NextDouble() * Math.Log(3_600_000_000));
            var low = histogram.LowestEquivalentValue(value);
            var high = histogram.HighestEquivalentValue(value);
            Assert.InRange(value, low, high);
            Assert.True((double)(high - low) / Math.Max(1, low) <= allowed, $"bucket [{low}, {high}] of {value} is wider than 10^-{digits}");
        }
    }

    [Fact]
    public void Buckets_tile_the_range_without_gaps_or_overlaps()
    {
        var histogram = new LogHistogram(10_000_000, 2);
        long expected = 0;
        while (expected <= 10_000_000)
        {
            Assert.Equal(expected, histogram.LowestEquivalentValue(expected));
            var high = histogram.HighestEquivalentValue(expected);
            Assert.Equal(expected, histogram.LowestEquivalentValue(high));
            expected = high + 1;
        }
    }

    [Fact]
    public void Percentiles_of_one_to_a_million_match_the_exact_ranks_to_three_digits()
    {
        var histogram = new LogHistogram();
        for (var v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        foreach (var (percentile, exact) in new[] { (50.0, 500_000L), (75.0, 750_000L), (95.0, 950_000L), (99.0, 990_000L), (99.9, 999_000L) })
        {
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.True(reported >= exact, $"p{percentile} = {reported} understates {exact}");
            Assert.True(reported <= exact * 1.001, $"p{percentile} = {reported} is more than 0.1 % above {exact}");
        }

        Assert.Equal(1, histogram.Min);
        Assert.Equal(1_000_000, histogram.Max);
        Assert.Equal(500_000.5, histogram.Mean, 6);
        Assert.Equal(1_000_000, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void A_single_outlier_shows_in_the_top_percentiles_and_the_max_only()
    {
        var histogram = new LogHistogram();
        histogram.RecordMany(1_000, 9_990);
        histogram.RecordMany(500_000, 10);

        var summary = histogram.Summary();

        Assert.Equal(1_000, summary.P50);
        Assert.Equal(1_000, summary.P99);
        Assert.InRange(summary.P999, 500_000, 500_500);
        Assert.Equal(500_000, summary.Max);
        Assert.Equal(10_000, summary.Count);
    }

    [Fact]
    public void Values_above_the_range_are_clamped_and_counted_not_lost()
    {
        var histogram = new LogHistogram(highestTrackableValue: 1_000_000);

        histogram.Record(5_000_000);
        histogram.Record(10);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(1, histogram.ClampedCount);
        Assert.Equal(1_000_000, histogram.Max);
        Assert.Equal(1_000_000, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Adding_histograms_equals_recording_everything_in_one()
    {
        var a = new LogHistogram();
        var b = new LogHistogram();
        var all = new LogHistogram();
        var random = new Random(3);
        for (var i = 0; i < 10_000; i++)
        {
            var v = random.NextInt64(1, 50_000_000);
            (i % 2 == 0 ? a : b).Record(v);
            all.Record(v);
        }

        a.Add(b);

        Assert.Equal(all.Summary(), a.Summary());
        Assert.Equal(all.Buckets(), a.Buckets());
    }

    [Fact]
    public void Histograms_of_different_precision_cannot_be_added()
        => Assert.Throws<ArgumentException>(() => new LogHistogram(significantDigits: 3).Add(new LogHistogram(significantDigits: 2)));

    [Fact]
    public void Concurrent_recording_loses_no_sample()
    {
        var histogram = new LogHistogram();

        Parallel.For(0, 8, worker =>
        {
            for (var i = 1; i <= 50_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(400_000, histogram.TotalCount);
        Assert.Equal(400_000, histogram.Buckets().Sum(b => b.Count));
        Assert.Equal(25_000.5, histogram.Mean, 6);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50_000, histogram.Max);
    }

    [Fact]
    public void Memory_stays_fixed_whatever_the_sample_count()
    {
        var histogram = new LogHistogram(3_600_000_000, 3);

        Assert.InRange(histogram.BucketArrayLength, 1, 40_000);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Precision_outside_one_to_five_digits_is_refused(int digits)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new LogHistogram(1000, digits));

    [Fact]
    public void Negative_values_count_as_zero()
    {
        var histogram = new LogHistogram();

        histogram.Record(-5);

        Assert.Equal(0, histogram.Max);
        Assert.Equal(1, histogram.TotalCount);
    }
}
