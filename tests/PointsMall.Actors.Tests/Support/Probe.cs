using System.Collections.Concurrent;

namespace PointsMall.Actors.Tests.Support;

/// <summary>
/// A singleton the test grains report to, so tests can wait for what happened inside a grain (a turn ran,
/// an activation ended) instead of sleeping and hoping.
/// </summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, Signal> _signals = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private int _inside;
    private int _overlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Counts an occurrence of <paramref name="name"/>.</summary>
    public void Hit(string name)
    {
        _log.Enqueue(name);
        _signals.GetOrAdd(name, _ => new Signal()).Hit();
    }

    public int Count(string name) => _signals.TryGetValue(name, out var s) ? s.Count : 0;

    /// <summary>Waits until <paramref name="name"/> has been hit at least <paramref name="times"/> times.</summary>
    public Task WaitAsync(string name, int times = 1, int timeoutSeconds = 30)
        => _signals.GetOrAdd(name, _ => new Signal()).WaitAsync(times)
            .WaitAsync(TimeSpan.FromSeconds(timeoutSeconds))
            .ContinueWith(
                t => t.IsFaulted
                    ? throw new TimeoutException($"Waited {timeoutSeconds}s for '{name}' to happen {times} time(s); it happened {Count(name)} time(s).")
                    : t,
                TaskScheduler.Default).Unwrap();

    /// <summary>A gate grain code can wait on (e.g. to keep a turn running while the test looks).</summary>
    public TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Marks entry into a critical section; records an overlap if another caller is inside.</summary>
    public void Enter()
    {
        if (Interlocked.Increment(ref _inside) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inside);

    private sealed class Signal
    {
        private readonly Lock _lock = new();
        private readonly List<(int Times, TaskCompletionSource Done)> _waiters = [];
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Hit()
        {
            List<TaskCompletionSource>? done = null;
            lock (_lock)
            {
                _count++;
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Times <= _count)
                    {
                        (done ??= []).Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            done?.ForEach(d => d.TrySetResult());
        }

        public Task WaitAsync(int times)
        {
            lock (_lock)
            {
                if (_count >= times)
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((times, tcs));
                return tcs.Task;
            }
        }
    }
}
