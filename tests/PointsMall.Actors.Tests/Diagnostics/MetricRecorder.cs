using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PointsMall.Actors.Tests.Diagnostics;

/// <summary>
/// Records every measurement of one <see cref="Meter"/> instance (not every meter of that name: tests run silos
/// side by side), so a test can assert what an instrument really reported.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    /// <summary>Values recorded by the instrument, optionally only those carrying a tag with that value.</summary>
    public IReadOnlyList<double> Values(string instrument, string? tag = null, string? value = null)
        => _measurements
            .Where(m => m.Instrument == instrument && (tag is null || (m.Tags.TryGetValue(tag, out var v) && v == value)))
            .Select(m => m.Value)
            .ToList();

    public double Sum(string instrument, string? tag = null, string? value = null) => Values(instrument, tag, value).Sum();

    /// <summary>Asks observable instruments (gauges) for their current value and returns the latest one.</summary>
    public double Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return Values(instrument)[^1];
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue?.ToString();
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
