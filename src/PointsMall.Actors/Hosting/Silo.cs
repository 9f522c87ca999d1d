using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PointsMall.Actors.Runtime;

namespace PointsMall.Actors.Hosting;

/// <summary>
/// A silo: hosts activations, the group committer, reminders and stream delivery over one store.
/// Registered as a hosted service by <see cref="SiloServiceCollectionExtensions.AddSilo"/>.
/// </summary>
public sealed partial class Silo : IHostedService
{
    private readonly GrainRuntime _runtime;
    private readonly ILogger<Silo> _logger;
    private readonly Lock _stopLock = new();
    private Task? _stopping;

    internal Silo(GrainRuntime runtime, ILogger<Silo> logger)
    {
        _runtime = runtime;
        _logger = logger;
    }

    public IGrainFactory GrainFactory => _runtime;

    public SiloStatistics Statistics => _runtime.Statistics;

    /// <summary>Resident activations right now.</summary>
    public int ActivationCount => _runtime.Catalog.Count;

    /// <summary>Reminders currently mirrored in memory (those due within the reminder window).</summary>
    public int ScheduledReminderCount => _runtime.Reminders.ScheduledCount;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _runtime.Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _runtime.Start();
        _runtime.Collector.Start();
        _runtime.Watchdog.Start();
        await _runtime.Reminders.StartAsync(cancellationToken).ConfigureAwait(false);
        _runtime.Streams.Start();
        LogStarted(_logger, _runtime.Store.Name);
    }

    /// <summary>Stops once; concurrent and repeated calls (hosts do both) share the one stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopping ??= StopCoreAsync(cancellationToken);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (!_runtime.IsAccepting)
        {
            return;
        }

        _runtime.Reminders.Stop();
        await _runtime.Streams.StopAsync().ConfigureAwait(false);
        _runtime.StopAccepting();
        _runtime.Collector.Dispose();
        _runtime.Watchdog.Dispose();

        // Queued calls run before each activation's deactivation; then the committer drains.
        var deactivations = _runtime.Catalog.Activations.Select(a => a.DeactivateForShutdownAsync()).ToArray();
        try
        {
            await Task.WhenAll(deactivations).WaitAsync(_runtime.Options.ShutdownTimeout, _runtime.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogShutdownTimedOut(_logger, deactivations.Count(d => !d.IsCompleted));
        }

        await _runtime.Committer.FlushAsync().ConfigureAwait(false);
        LogStopped(_logger);
    }

    /// <summary>Runs one idle-collection pass now (the collector's timer does this every CollectionInterval).</summary>
    public int CollectIdleActivations() => _runtime.Collector.Collect();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Silo started on {Store} storage")]
    private static partial void LogStarted(ILogger logger, string store);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Silo stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Pending} activations did not deactivate within the shutdown timeout")]
    private static partial void LogShutdownTimedOut(ILogger logger, int pending);
}
