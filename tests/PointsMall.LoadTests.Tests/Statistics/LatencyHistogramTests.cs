using PointsMall.LoadTests.Statistics;

namespace PointsMall.LoadTests.Tests.Statistics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void An_empty_histogram_reports_zeros()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(LatencySummary.Empty, histogram.Summary());
    }

    [Theory]
    [InlineData(1_234)]
    [InlineData(987_654)]
    [InlineData(3_590_000_000)]
    public void A_value_anywhere_up_to_an_hour_is_kept_to_three_significant_digits(long micros)
    {
        var histogram = new LatencyHistogram();
        histogram.Record(micros);
        histogram.Record(micros + (micros / 500)); // 0.2 % apart: another bucket at 3 digits

        var p50 = histogram.ValueAtPercentile(50);
        Assert.InRange(p50, micros, micros * 1.001);
        Assert.Equal(micros + (micros / 500), histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Percentiles_of_one_to_a_million_match_the_exact_ranks_to_three_digits()
    {
        var histogram = new LatencyHistogram();
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
    public void A_few_outliers_show_in_the_top_percentiles_and_the_max_only()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 9_980; i++)
        {
            histogram.Record(1_000);
        }

        for (var i = 0; i < 20; i++)
        {
            histogram.Record(500_000);
        }

        var summary = histogram.Summary();

        Assert.Equal(1_000, summary.P50);
        Assert.Equal(1_000, summary.P99);
        Assert.InRange(summary.P999, 500_000, 500_500);
        Assert.Equal(500_000, summary.Max);
        Assert.Equal(10_000, summary.Count);
    }

    [Fact]
    public void Values_above_the_range_are_clamped_and_counted()
    {
        var histogram = new LatencyHistogram();

        histogram.Record(2 * LatencyHistogram.OneHour);
        histogram.Record(10);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(1, histogram.ClampedCount);
        Assert.Equal(LatencyHistogram.OneHour, histogram.Max);
        Assert.Equal(LatencyHistogram.OneHour, histogram.ValueAtPercentile(100));
        Assert.Equal((LatencyHistogram.OneHour + 10) / 2.0, histogram.Mean);
    }

    [Fact]
    public void A_smaller_range_clamps_at_its_own_top()
    {
        var histogram = new LatencyHistogram(highestTrackableValue: 60_000_000, significantDigits: 2);

        histogram.Record(61_000_000);

        Assert.Equal(1, histogram.ClampedCount);
        Assert.Equal(60_000_000, histogram.Max);
    }

    [Fact]
    public void Negative_values_count_as_zero()
    {
        var histogram = new LatencyHistogram();

        histogram.Record(-5);

        Assert.Equal(1, histogram.TotalCount);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Concurrent_recording_loses_no_sample()
    {
        var histogram = new LatencyHistogram();

        Parallel.For(0, 8, worker =>
        {
            for (var i = 1; i <= 50_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(400_000, histogram.TotalCount);
        Assert.Equal(25_000.5, histogram.Mean, 6);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50_000, histogram.Max);
        Assert.InRange(histogram.ValueAtPercentile(50), 25_000, 25_025);
    }

    [Fact]
    public void The_description_states_the_library_precision_and_range()
    {
        Assert.Equal("HdrHistogram, 3 significant digits (≤ 0.1 % error), 1 µs to 1 h", new LatencyHistogram().Describe());
        Assert.Equal("HdrHistogram, 2 significant digits (≤ 1 % error), 1 µs to 60 s", new LatencyHistogram(60_000_000, 2).Describe());
    }
}
