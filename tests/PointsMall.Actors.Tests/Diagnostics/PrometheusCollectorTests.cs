using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors.Diagnostics;
using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;
using PointsMall.Actors.Tests.Support;
using Xunit;

namespace PointsMall.Actors.Tests.Diagnostics;

/// <summary>The collector behind GET /metrics: Prometheus text from real measurements.</summary>
public sealed class PrometheusCollectorTests
{
    [Fact]
    public void Counters_histograms_and_gauges_are_written_in_the_text_exposition_format()
    {
        var scope = new object();
        using var meter = new Meter(new MeterOptions("Test.Exposition") { Scope = scope });
        using var collector = new PrometheusCollector(["Test.Exposition"], scope);
        var refusals = meter.CreateCounter<long>("test.refusals", "{request}", "Refusals by code");
        var latency = meter.CreateHistogram<double>("test.latency", "ms", "Latency");
        var queue = 7;
        meter.CreateObservableGauge("test.queue", () => queue, "{item}", "Queue length");

        refusals.Add(2, new KeyValuePair<string, object?>("code", "sold_out"), new KeyValuePair<string, object?>("operation", "redemption"));
        refusals.Add(1, new KeyValuePair<string, object?>("operation", "redemption"), new KeyValuePair<string, object?>("code", "sold_out"));
        refusals.Add(1, new KeyValuePair<string, object?>("code", "quote\"d"));
        latency.Record(0.3);
        latency.Record(3);
        latency.Record(20_000);

        var text = collector.Scrape();

        Assert.Contains("# HELP test_refusals_total Refusals by code\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_refusals_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("test_refusals_total{code=\"sold_out\",operation=\"redemption\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("test_refusals_total{code=\"quote\\\"d\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_latency_milliseconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"0.25\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"0.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"10000\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_sum 20003.3\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_count 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_queue gauge\ntest_queue 7\n", text, StringComparison.Ordinal);

        queue = 2;
        Assert.Contains("test_queue 2\n", collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Meters_of_another_scope_or_name_are_not_collected()
    {
        var mine = new object();
        using var other = new Meter(new MeterOptions("Test.Scoped") { Scope = new object() });
        using var unlisted = new Meter("Test.Unlisted");
        using var collector = new PrometheusCollector(["Test.Scoped"], mine);
        other.CreateCounter<long>("test.scoped.hits").Add(5);
        unlisted.CreateCounter<long>("test.unlisted.hits").Add(5);

        var text = collector.Scrape();

        Assert.DoesNotContain("test_scoped_hits", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_unlisted_hits", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_s_runtime_metrics_appear_in_the_exposition()
    {
        // Its own meter factory gives this silo's meter a scope, so silos of tests running alongside are not collected.
        await using var silo = await TestSilo.StartAsync(new InMemoryGrainStore(), configure: b => b.Services.AddMetrics());
        var scope = silo.Silo.Statistics.Meter.Scope;
        Assert.NotNull(scope);
        using var collector = new PrometheusCollector([SiloStatistics.MeterName], scope);

        for (var i = 0; i < 5; i++)
        {
            await silo.Grain<ICounterGrain>($"c{i}").AddAsync(1);
        }

        var text = collector.Scrape();
        Assert.Matches(@"(?m)^pointsmall_actors_calls_total 5$", text);
        Assert.Matches(@"(?m)^pointsmall_actors_activations 5$", text);
        Assert.Matches(@"(?m)^pointsmall_actors_activations_created_total 5$", text);
        Assert.Matches(@"(?m)^pointsmall_actors_commit_batch_size_bucket\{le=""\+Inf""\} [1-5]$", text);
        Assert.Matches(@"(?m)^pointsmall_actors_commit_batch_size_sum 5$", text);
        Assert.Matches(@"(?m)^pointsmall_actors_commit_duration_milliseconds_count [1-5]$", text);
    }
}
