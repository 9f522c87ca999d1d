using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PointsMall.LoadTests.Monitoring;
using PointsMall.LoadTests.Running;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Tests.Monitoring;

/// <summary>The server sampler on a manual clock, against a node that answers scripted /metrics pages.</summary>
public sealed class ServerMetricsTests
{
    private static readonly TimeSpan Awaited = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_exposition_text_is_read_with_its_labels_and_values()
    {
        const string text = """
            # HELP dotnet_gc_collections_total Number of garbage collections.
            # TYPE dotnet_gc_collections_total counter
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 3
            odd_labels{a="x,y",b="say \"hi\"",c="back\\slash"} 1.5e3 1733560000000
            plain_series 42
            bucket{le="+Inf"} +Inf
            not a sample line
            """;

        var series = PrometheusText.Parse(text);

        Assert.Equal(4, series.Count);
        Assert.Equal("gen2", series[0].Labels["gc_heap_generation"]);
        Assert.Equal(3, series[0].Value);
        Assert.Equal(("x,y", "say \"hi\"", "back\\slash", 1500d), (series[1].Labels["a"], series[1].Labels["b"], series[1].Labels["c"], series[1].Value));
        Assert.Equal(("plain_series", 42d), (series[2].Name, series[2].Value));
        Assert.True(double.IsPositiveInfinity(series[3].Value));
    }

    [Fact]
    public void A_sample_adds_the_heap_generations_and_counts_only_gen2_collections()
    {
        var sample = ServerSeries.Read(Page(workingSetMb: 300, heapMb: 80, pauseSeconds: 0.5, gen2: 4, cpuSeconds: 12, activations: 6000), TimeSpan.FromMinutes(1), node: 0);

        Assert.NotNull(sample);
        Assert.Equal(300d * 1024 * 1024, sample.WorkingSetBytes);
        Assert.Equal(80d * 1024 * 1024, sample.GcHeapBytes);
        Assert.Equal(4, sample.Gen2CollectionsTotal);
        Assert.Equal(6000, sample.Activations);
        Assert.Null(ServerSeries.Read("plain_series 1", TimeSpan.Zero, 0));
    }

    [Fact]
    public async Task Each_window_reports_its_gauges_at_the_end_and_its_counters_as_increases_beside_its_p99()
    {
        // Three scrapes (start, one tick, end): memory grows by 10 MB a minute, pauses by 20 ms, gen2 by one.
        var scrapes = new SemaphoreSlim(0);
        var served = 0;
        using var api = new ApiTargets([new Uri("http://node-a/")], Awaited, () => new ScriptedNode(() =>
        {
            var n = Interlocked.Increment(ref served) - 1;
            scrapes.Release();
            return Page(workingSetMb: 300 + (10 * n), heapMb: 80 + n, pauseSeconds: 0.020 * n, gen2: n, cpuSeconds: 30 * n, activations: 6000 + n);
        }), _clock);
        var sampler = new ServerMetricsSampler(api, _clock, TimeSpan.FromMinutes(1));
        var stats = new StatsCollector(_clock, _clock.GetTimestamp(), TimeSpan.FromMinutes(1));
        using var stop = new CancellationTokenSource();

        var run = sampler.RunAsync(stats.StartTimestamp, stop.Token);
        Assert.True(await scrapes.WaitAsync(Awaited), "the sampler should scrape /metrics as the phase starts");
        Record(stats, TimeSpan.FromMilliseconds(5), count: 99);
        Record(stats, TimeSpan.FromMilliseconds(40), count: 1);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await scrapes.WaitAsync(Awaited), "the sampler should scrape again when a period has passed");
        Record(stats, TimeSpan.FromMilliseconds(7), count: 100);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(Awaited);

        var report = ServerMetricsReport.From(sampler, stats, api.BaseUrls);

        Assert.Empty(report.Unavailable);
        Assert.Collection(report.Windows,
            first =>
            {
                Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(1)), (first.From, first.To));
                Assert.Equal(310d * 1024 * 1024, first.WorkingSetBytes);
                Assert.Equal(0.020, first.GcPauseSeconds, 6);
                Assert.Equal(1, first.Gen2Collections);
                Assert.Equal(0.5, first.CpuCores, 6);
                Assert.Equal(100, first.Iterations);
                Assert.InRange(first.P99Micros, 5_000, 5_100);
            },
            last =>
            {
                Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1.5)), (last.From, last.To));
                Assert.Equal(320d * 1024 * 1024, last.WorkingSetBytes);
                Assert.Equal(1.0, last.CpuCores, 6);
                Assert.Equal(100, last.Iterations);
                Assert.InRange(last.P99Micros, 7_000, 7_100);
            });
        var trend = Assert.Single(report.Trends());
        Assert.Equal(320d * 1024 * 1024, trend.WorkingSet.Max);
        Assert.Equal(200d * 1024 * 1024, trend.WorkingSet.SlopePerTenMinutes, 3); // +10 MB per 30 s of the windows' ends
        Assert.Contains("| 0 | 0–1 | 310.0 | 81.0 | 20 | 1 | 0.50 | 6001 | 100 |", Markdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_refuses_its_metrics_is_named_once_and_the_run_goes_on()
    {
        using var api = new ApiTargets([new Uri("http://node-a/")], Awaited, () => new ScriptedNode(() => null), _clock);
        var sampler = new ServerMetricsSampler(api, _clock, TimeSpan.FromMinutes(1));
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await sampler.RunAsync(_clock.GetTimestamp(), stop.Token).WaitAsync(Awaited);

        Assert.Empty(sampler.Samples);
        Assert.Equal("GET /metrics answered 403", Assert.Single(sampler.Unavailable).Value);
    }

    [Fact]
    public void A_trend_is_the_least_squares_slope_per_ten_minutes()
    {
        var trend = Trend.Of([1, 2, 3, 4], [100, 102, 98, 100]);

        Assert.Equal((100d, 100d, 102d), (trend.First, trend.Last, trend.Max));
        Assert.Equal(-4, trend.SlopePerTenMinutes, 6);
    }

    private void Record(StatsCollector stats, TimeSpan latency, int count)
    {
        for (var i = 0; i < count; i++)
        {
            stats.RecordIteration(ok: true, latency, _clock.GetTimestamp());
        }
    }

    private static string Markdown(ServerMetricsReport report)
    {
        var md = new StringBuilder();
        report.AppendMarkdown(md);
        return md.ToString();
    }

    private static string Page(double workingSetMb, double heapMb, double pauseSeconds, double gen2, double cpuSeconds, double activations)
    {
        const double Mb = 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture, $"""
            dotnet_process_memory_working_set_bytes{"{"}otel_scope_name="System.Runtime"{"}"} {workingSetMb * Mb}
            dotnet_gc_last_collection_heap_size_bytes{"{"}gc_heap_generation="gen0"{"}"} {heapMb * Mb / 2}
            dotnet_gc_last_collection_heap_size_bytes{"{"}gc_heap_generation="gen2"{"}"} {heapMb * Mb / 2}
            dotnet_gc_pause_time_seconds_total {pauseSeconds}
            dotnet_gc_collections_total{"{"}gc_heap_generation="gen0"{"}"} 100
            dotnet_gc_collections_total{"{"}gc_heap_generation="gen2"{"}"} {gen2}
            dotnet_process_cpu_time_seconds_total{"{"}cpu_mode="user"{"}"} {cpuSeconds}
            orleans_catalog_activations{"{"}grain_type="member"{"}"} {activations}
            """);
    }

    /// <summary>A node whose <c>/metrics</c> answers the next scripted page (null: 403, as a node that serves local clients only).</summary>
    private sealed class ScriptedNode(Func<string?> next) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("/metrics", request.RequestUri!.AbsolutePath);
            var page = next();
            return Task.FromResult(page is null
                ? new HttpResponseMessage(HttpStatusCode.Forbidden)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(page) });
        }
    }
}
