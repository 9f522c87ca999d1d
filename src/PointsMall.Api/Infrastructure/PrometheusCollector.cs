using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// Collects <see cref="System.Diagnostics.Metrics"/> measurements of chosen meters with a <see cref="MeterListener"/>
/// and writes them in the Prometheus text exposition format (version 0.0.4). No exporter package restores here
/// (REGISTRY.md), and this is all a scrape needs: cumulative counters, last gauge values and bucketed histograms.
/// </summary>
/// <remarks>
/// Naming follows the OpenTelemetry-to-Prometheus convention: dots become underscores, the unit is appended
/// (<c>ms</c> → <c>_milliseconds</c>, <c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations such as
/// <c>{call}</c> are dropped) and counters end in <c>_total</c>. A measurement without tags costs one atomic add;
/// a tagged one also builds its label key. Observable instruments are read at scrape time.
/// </remarks>
public sealed class PrometheusCollector : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] MillisecondBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];
    private static readonly double[] SecondBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] CountBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192, 16_384];

    private readonly HashSet<string> _meterNames;
    private readonly HashSet<string> _processMeterNames;
    private readonly object? _scope;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentData> _instruments = new();
    private readonly Lock _scrapeLock = new();

    /// <param name="meterNames">Meters to collect, by exact name.</param>
    /// <param name="scope">
    /// When set, only meters of <paramref name="meterNames"/> created with this scope (normally the host's
    /// <see cref="IMeterFactory"/>) are collected, so several hosts in one process (tests) do not see each other's numbers.
    /// </param>
    /// <param name="processMeterNames">Meters that exist once per process (such as <c>System.Runtime</c>), collected whatever their scope.</param>
    public PrometheusCollector(IEnumerable<string> meterNames, object? scope = null, IEnumerable<string>? processMeterNames = null)
    {
        ArgumentNullException.ThrowIfNull(meterNames);
        _meterNames = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _processMeterNames = new HashSet<string>(processMeterNames ?? [], StringComparer.Ordinal);
        _scope = scope;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentData? _),
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentData)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentData)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Writes every collected instrument in the Prometheus text format.</summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_scrapeLock)
        {
            // Observable instruments report what exists now: series that are no longer observed disappear.
            foreach (var data in _instruments.Values)
            {
                if (data.IsObservable)
                {
                    data.Clear();
                }
            }

            _listener.RecordObservableInstruments();
            var families = _instruments.Values
                .GroupBy(d => d.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var family in families)
            {
                var first = family.First();
                if (!string.IsNullOrEmpty(first.Help))
                {
                    writer.Write("# HELP ");
                    writer.Write(family.Key);
                    writer.Write(' ');
                    writer.Write(EscapeHelp(first.Help));
                    writer.Write('\n');
                }

                writer.Write("# TYPE ");
                writer.Write(family.Key);
                writer.Write(' ');
                writer.Write(first.PrometheusType);
                writer.Write('\n');
                foreach (var data in family)
                {
                    data.WriteSeries(writer);
                }
            }
        }
    }

    /// <summary>The exposition as a string (one scrape).</summary>
    public string Scrape()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus family name of an instrument (see the remarks on the class).</summary>
    public static string PrometheusName(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var name = Sanitize(instrument.Name);
        var suffix = instrument.Unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        if (KindOf(instrument) is Kind.Counter or Kind.ObservableCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var wanted = _processMeterNames.Contains(meter.Name)
            || (_meterNames.Contains(meter.Name) && (_scope is null || ReferenceEquals(meter.Scope, _scope)));
        if (!wanted)
        {
            return;
        }

        var data = new InstrumentData(instrument);
        if (_instruments.TryAdd(instrument, data))
        {
            listener.EnableMeasurementEvents(instrument, data);
        }
    }

    private static Kind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition == typeof(Counter<>) ? Kind.Counter
            : definition == typeof(UpDownCounter<>) ? Kind.UpDownCounter
            : definition == typeof(Histogram<>) ? Kind.Histogram
            : definition == typeof(ObservableCounter<>) ? Kind.ObservableCounter
            : definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) ? Kind.ObservableGauge
            : Kind.Gauge;
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var valid = char.IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c));
            builder.Append(valid ? c : '_');
        }

        return builder.ToString();
    }

    private static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabelValue(string text)
        => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string FormatNumber(double value)
        => double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>The label block (without braces) for a tag set: names sanitized, sorted, values escaped.</summary>
    private static string LabelsOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = tags.ToArray();
        if (sorted.Length > 1)
        {
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var builder = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(Sanitize(key)).Append("=\"").Append(EscapeLabelValue(FormatTagValue(value))).Append('"');
        }

        return builder.ToString();
    }

    private enum Kind
    {
        Counter,
        UpDownCounter,
        Gauge,
        Histogram,
        ObservableCounter,
        ObservableGauge,
    }

    /// <summary>One instrument's series, keyed by label block.</summary>
    private sealed class InstrumentData
    {
        private readonly Kind _kind;
        private readonly double[]? _bounds;
        private readonly ConcurrentDictionary<string, Series> _tagged = new(StringComparer.Ordinal);
        private Series? _untagged;

        public InstrumentData(Instrument instrument)
        {
            _kind = KindOf(instrument);
            Name = PrometheusName(instrument);
            Help = instrument.Description;
            PrometheusType = _kind switch
            {
                Kind.Counter or Kind.ObservableCounter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            };
            if (_kind == Kind.Histogram)
            {
                _bounds = AdvisedBounds(instrument) ?? instrument.Unit switch
                {
                    "ms" => MillisecondBuckets,
                    "s" => SecondBuckets,
                    _ => CountBuckets,
                };
            }
        }

        public string Name { get; }

        public string? Help { get; }

        public string PrometheusType { get; }

        public bool IsObservable => _kind is Kind.ObservableCounter or Kind.ObservableGauge;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = tags.IsEmpty
                ? _untagged ?? Interlocked.CompareExchange(ref _untagged, NewSeries(), null) ?? _untagged
                : _tagged.GetOrAdd(LabelsOf(tags), static (_, self) => self.NewSeries(), this);
            switch (_kind)
            {
                case Kind.Counter or Kind.UpDownCounter:
                    series.Add(value);
                    break;
                case Kind.Histogram:
                    series.Observe(value);
                    break;
                default:
                    series.Set(value);
                    break;
            }
        }

        public void Clear()
        {
            _untagged = null;
            _tagged.Clear();
        }

        public void WriteSeries(TextWriter writer)
        {
            if (_untagged is { } untagged)
            {
                Write(writer, string.Empty, untagged);
            }

            foreach (var (labels, series) in _tagged.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                Write(writer, labels, series);
            }
        }

        private void Write(TextWriter writer, string labels, Series series)
        {
            if (_bounds is null)
            {
                WriteSample(writer, Name, labels, null, series.Value);
                return;
            }

            var cumulative = 0L;
            for (var i = 0; i < _bounds.Length; i++)
            {
                cumulative += series.BucketCount(i);
                WriteSample(writer, Name + "_bucket", labels, FormatNumber(_bounds[i]), cumulative);
            }

            cumulative += series.BucketCount(_bounds.Length);
            WriteSample(writer, Name + "_bucket", labels, "+Inf", cumulative);
            WriteSample(writer, Name + "_sum", labels, null, series.Value);
            WriteSample(writer, Name + "_count", labels, null, cumulative);
        }

        private static void WriteSample(TextWriter writer, string name, string labels, string? le, double value)
        {
            writer.Write(name);
            if (labels.Length > 0 || le is not null)
            {
                writer.Write('{');
                writer.Write(labels);
                if (le is not null)
                {
                    writer.Write(labels.Length > 0 ? ",le=\"" : "le=\"");
                    writer.Write(le);
                    writer.Write('"');
                }

                writer.Write('}');
            }

            writer.Write(' ');
            writer.Write(FormatNumber(value));
            writer.Write('\n');
        }

        private Series NewSeries() => new(_bounds is null ? 0 : _bounds.Length + 1, _bounds);

        private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
    }

    /// <summary>A value (sum or last) and, for histograms, bucket counts; updated lock-free.</summary>
    private sealed class Series(int buckets, double[]? bounds)
    {
        private readonly long[] _buckets = new long[buckets];
        private double _value;

        public double Value => Volatile.Read(ref _value);

        public long BucketCount(int index) => Volatile.Read(ref _buckets[index]);

        public void Set(double value) => Volatile.Write(ref _value, value);

        public void Add(double value)
        {
            var current = Volatile.Read(ref _value);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _value, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public void Observe(double value)
        {
            // Bucket i counts values in (bounds[i-1], bounds[i]]; the last one is +Inf.
            var found = Array.BinarySearch(bounds!, value);
            Interlocked.Increment(ref _buckets[found >= 0 ? found : ~found]);
            Add(value);
        }
    }
}
