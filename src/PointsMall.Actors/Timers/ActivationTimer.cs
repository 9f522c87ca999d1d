using Microsoft.Extensions.Logging;

namespace PointsMall.Actors.Runtime;

/// <summary>An in-memory timer of one activation. Ticks do not pile up: at most one is queued at a time.</summary>
internal sealed partial class ActivationTimer : IDisposable
{
    private readonly ActivationData _owner;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _timer;
    private int _queued;

    public ActivationTimer(ActivationData owner, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _owner = owner;
        _callback = callback;
        _timer = owner.Runtime.Time.CreateTimer(static state => ((ActivationTimer)state!).OnTick(), this, dueTime, period);
    }

    public Task TickAsync()
    {
        Volatile.Write(ref _queued, 0);
        return _disposed.IsCancellationRequested ? Task.CompletedTask : _callback(_disposed.Token);
    }

    public void OnFailed(Exception exception) => LogTimerFailed(_owner.Runtime.Logger, exception, _owner.Id);

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _timer.Dispose();
        _disposed.Dispose();
        _owner.RemoveTimer(this);
    }

    private void OnTick()
    {
        if (_disposed.IsCancellationRequested || Interlocked.Exchange(ref _queued, 1) == 1)
        {
            return;
        }

        if (!_owner.TryEnqueue(new TimerCall(this)))
        {
            _timer.Dispose();
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "A timer callback of {Grain} threw")]
    private static partial void LogTimerFailed(ILogger logger, Exception exception, GrainId grain);
}
