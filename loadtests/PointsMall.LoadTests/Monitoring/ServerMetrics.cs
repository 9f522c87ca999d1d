using System.Globalization;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Monitoring;

/// <summary>
/// One scrape of a node's <c>GET /metrics</c>, reduced to what a long run watches for: memory, garbage collection
/// and live grain activations. Counters (pause time, collections, CPU) are totals since the process started;
/// the report turns them into per-interval amounts.
/// </summary>
public sealed record ServerSample(
    TimeSpan At,
    int Node,
    double WorkingSetBytes,
    double GcHeapBytes,
    double GcPauseSecondsTotal,
    double Gen2CollectionsTotal,
    double CpuSecondsTotal,
    double? Activations);

/// <summary>The series a sample reads, by their Prometheus names as OpenTelemetry's exporter writes them.</summary>
public static class ServerSeries
{
    public const string WorkingSet = "dotnet_process_memory_working_set_bytes";
    public const string GcHeap = "dotnet_gc_last_collection_heap_size_bytes";
    public const string GcPause = "dotnet_gc_pause_time_seconds_total";
    public const string GcCollections = "dotnet_gc_collections_total";
    public const string Cpu = "dotnet_process_cpu_time_seconds_total";
    public const string Activations = "orleans_catalog_activations";

    /// <summary>Reads a sample from the exposition text; null when the runtime series are missing (not a PointsMall node).</summary>
    public static ServerSample? Read(string text, TimeSpan at, int node)
    {
        var series = PrometheusText.Parse(text);
        if (!series.Any(s => s.Name == WorkingSet))
        {
            return null;
        }

        double Sum(string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null)
            => series.Where(s => s.Name == name && (where is null || where(s.Labels))).Sum(s => s.Value);

        var activations = series.Any(s => s.Name == Activations) ? Sum(Activations) : (double?)null;
        return new ServerSample(at, node, Sum(WorkingSet), Sum(GcHeap), Sum(GcPause),
            Sum(GcCollections, l => l.TryGetValue("gc_heap_generation", out var g) && g == "gen2"), Sum(Cpu), activations);
    }
}

/// <summary>
/// The Prometheus text exposition format, as far as a scrape of our own nodes needs it: samples
/// <c>name{label="value",…} value</c>, comments skipped. No .NET package parses it (prometheus-net and
/// OpenTelemetry only write it), and a sampler needs nothing more than this.
/// </summary>
public static class PrometheusText
{
    public sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static IReadOnlyList<Series> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<Series>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            string rest;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                var end = ReadLabels(line, brace + 1, labels);
                if (end < 0)
                {
                    continue;
                }

                rest = line[(end + 1)..].Trim();
            }
            else if (space > 0)
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }
            else
            {
                continue;
            }

            // The value may be followed by a timestamp.
            var valueText = rest.Split(' ', 2)[0];
            if (TryValue(valueText, out var value))
            {
                result.Add(new Series(name, labels, value));
            }
        }

        return result;
    }

    /// <summary>Reads <c>a="x",b="y"}</c> from <paramref name="start"/>; the index of the closing brace, or -1 if malformed.</summary>
    private static int ReadLabels(string line, int start, Dictionary<string, string> labels)
    {
        var i = start;
        while (i < line.Length)
        {
            if (line[i] == '}')
            {
                return i;
            }

            var equals = line.IndexOf('=', i);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                return -1;
            }

            var key = line[i..equals].Trim().TrimStart(',').Trim();
            var value = new System.Text.StringBuilder();
            var j = equals + 2;
            for (; j < line.Length && line[j] != '"'; j++)
            {
                if (line[j] == '\\' && j + 1 < line.Length)
                {
                    j++;
                    value.Append(line[j] == 'n' ? '\n' : line[j]);
                }
                else
                {
                    value.Append(line[j]);
                }
            }

            if (j >= line.Length)
            {
                return -1;
            }

            labels[key] = value.ToString();
            i = j + 1;
            while (i < line.Length && line[i] is ',' or ' ')
            {
                i++;
            }
        }

        return -1;
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}

/// <summary>
/// Scrapes every target's <c>/metrics</c> at the start of the measured phase, every <paramref name="every"/>, and
/// once more at its end. A node that refuses (metrics served to local clients only, say) is reported once and then
/// left alone; the run itself never depends on the scrapes.
/// </summary>
public sealed class ServerMetricsSampler(ApiTargets api, TimeProvider time, TimeSpan every)
{
    private readonly List<ServerSample> _samples = [];
    private readonly Dictionary<int, string> _unavailable = [];
    private readonly Lock _gate = new();

    public TimeSpan Every { get; } = every > TimeSpan.Zero ? every : throw new ArgumentOutOfRangeException(nameof(every), "The sampling period must be positive.");

    public IReadOnlyList<ServerSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples.OrderBy(s => s.At).ThenBy(s => s.Node)];
            }
        }
    }

    /// <summary>Per node that could not be read, why (the first refusal).</summary>
    public IReadOnlyDictionary<int, string> Unavailable
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<int, string>(_unavailable);
            }
        }
    }

    /// <summary>Samples from <paramref name="startTimestamp"/> (the phase start) until <paramref name="stop"/> is cancelled, then once more.</summary>
    public async Task RunAsync(long startTimestamp, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Every, time);
        await SampleAllAsync(startTimestamp).ConfigureAwait(false);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await SampleAllAsync(startTimestamp).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over: one last sample below.
        }

        await SampleAllAsync(startTimestamp).ConfigureAwait(false);
    }

    private Task SampleAllAsync(long startTimestamp)
        => Task.WhenAll(Enumerable.Range(0, api.BaseUrls.Count).Select(node => SampleAsync(node, startTimestamp)));

    private async Task SampleAsync(int node, long startTimestamp)
    {
        lock (_gate)
        {
            if (_unavailable.ContainsKey(node))
            {
                return;
            }
        }

        var at = time.GetElapsedTime(startTimestamp);
        string? problem;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
            var (status, text) = await api.GetRawAsync(node, "metrics", timeout.Token).ConfigureAwait(false);
            if (status == 200 && ServerSeries.Read(text, at, node) is { } sample)
            {
                lock (_gate)
                {
                    _samples.Add(sample);
                }

                return;
            }

            problem = status == 200 ? "no .NET runtime series in its /metrics" : string.Create(CultureInfo.InvariantCulture, $"GET /metrics answered {status}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            problem = "GET /metrics failed: " + ex.Message;
        }

        // A node killed by a fault drill fails its scrapes from then on; only a node never read is "unavailable".
        lock (_gate)
        {
            if (!_samples.Any(s => s.Node == node))
            {
                _unavailable[node] = problem;
            }
        }
    }
}
