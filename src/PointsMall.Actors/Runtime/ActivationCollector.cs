using Microsoft.Extensions.Logging;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// Deactivates activations that have been idle for <see cref="SiloOptions.IdleTimeout"/>, and the least
/// recently used ones when there are more than <see cref="SiloOptions.MaxActivations"/>.
/// Runs on a <see cref="TimeProvider"/> timer, so tests drive it by advancing time.
/// </summary>
internal sealed partial class ActivationCollector(GrainRuntime runtime, ILogger<ActivationCollector> logger) : IDisposable
{
    private ITimer? _timer;
    private int _running;

    public void Start()
        => _timer = runtime.Time.CreateTimer(static s => ((ActivationCollector)s!).Collect(), this, runtime.Options.CollectionInterval, runtime.Options.CollectionInterval);

    /// <summary>Runs a collection pass soon (the activation cap was crossed).</summary>
    public void Nudge()
    {
        if (Volatile.Read(ref _running) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Collect(), this, preferLocal: false);
        }
    }

    /// <summary>One pass: returns how many deactivations it requested.</summary>
    public int Collect()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return 0;
        }

        try
        {
            var requested = 0;
            var idleBefore = runtime.Time.GetUtcNow().UtcTicks - runtime.Options.IdleTimeout.Ticks;
            var survivors = new List<ActivationData>();
            foreach (var activation in runtime.Catalog.Activations)
            {
                if (activation.LastUsedTicks <= idleBefore && activation.IsIdle)
                {
                    activation.RequestDeactivation(DeactivationReason.Idle);
                    requested++;
                }
                else
                {
                    survivors.Add(activation);
                }
            }

            var excess = survivors.Count - runtime.Options.MaxActivations;
            if (excess > 0)
            {
                // Go a little below the cap so that one new activation does not trigger another full pass.
                excess += runtime.Options.MaxActivations / 10;
                foreach (var activation in survivors.Where(a => a.IsIdle).OrderBy(a => a.LastUsedTicks).Take(excess))
                {
                    activation.RequestDeactivation(DeactivationReason.MemoryPressure);
                    requested++;
                }
            }

            if (requested > 0)
            {
                LogCollected(logger, requested, runtime.Catalog.Count);
            }

            return requested;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Collector asked {Requested} of {Resident} activations to deactivate")]
    private static partial void LogCollected(ILogger logger, int requested, int resident);
}
