using Microsoft.Extensions.Logging;
using PointsMall.Actors.Hosting;
using PointsMall.Actors.Invocation;
using PointsMall.Storage;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// The in-process call path: turns a call on a grain reference into a message in the owning activation's
/// queue, and applies the call timeout. It is also the silo's <see cref="IGrainFactory"/>.
/// </summary>
internal sealed class GrainRuntime : IGrainFactory, IGrainCallInvoker
{
    private volatile bool _accepting;

    public GrainRuntime(
        IServiceProvider services,
        IGrainStore store,
        SiloOptions options,
        TimeProvider time,
        GrainTypeRegistry registry,
        SiloStatistics statistics,
        ILoggerFactory loggerFactory)
    {
        options.Validate();
        Services = services;
        Store = store;
        Options = options;
        Time = time;
        Statistics = statistics;
        Logger = loggerFactory.CreateLogger("PointsMall.Actors.Runtime");
        Catalog = new Catalog(this, registry.Build());
        Collector = new ActivationCollector(this, loggerFactory.CreateLogger<ActivationCollector>());
        Watchdog = new CallWatchdog(this);
        Reminders = new ReminderService(this, loggerFactory.CreateLogger<ReminderService>());
        Streams = new StreamDispatcher(this, registry.Subscriptions, loggerFactory.CreateLogger<StreamDispatcher>());
        Committer = new GroupCommitter(store, Reminders, Streams, statistics, loggerFactory.CreateLogger<GroupCommitter>());
    }

    public IServiceProvider Services { get; }

    public IGrainStore Store { get; }

    public SiloOptions Options { get; }

    public TimeProvider Time { get; }

    public SiloStatistics Statistics { get; }

    public ILogger Logger { get; }

    public Catalog Catalog { get; }

    public ActivationCollector Collector { get; }

    public CallWatchdog Watchdog { get; }

    public ReminderService Reminders { get; }

    public StreamDispatcher Streams { get; }

    public GroupCommitter Committer { get; }

    public bool IsAccepting => _accepting;

    public void Start() => _accepting = true;

    public void StopAccepting() => _accepting = false;

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrain
    {
        ArgumentNullException.ThrowIfNull(key);
        return GrainProxies<TGrain>.Create(key, this);
    }

    public Task<TResult> InvokeAsync<TGrain, TResult>(GrainId grain, GrainRequest<TGrain, TResult> request)
        where TGrain : IGrain
    {
        // No per-call timer: the watchdog fails calls that outlive CallTimeout (see CallWatchdog).
        Dispatch(grain, request);
        return request.Reply;
    }

    public Task InvokeAsync<TGrain>(GrainId grain, GrainRequest<TGrain> request)
        where TGrain : IGrain
    {
        Dispatch(grain, request);
        return request.Reply;
    }

    /// <summary>Queues a call on the grain's activation, creating it if needed. Failures go to the call.</summary>
    public void Dispatch(GrainId grain, GrainCall call)
    {
        call.DispatchedAt = Time.GetTimestamp();
        if (!_accepting)
        {
            call.Fail(new SiloUnavailableException($"Call to {grain}.{call.MethodName} refused: the silo is not running."));
            return;
        }

        Statistics.CallDispatched();
        try
        {
            while (!Catalog.GetOrCreate(grain).TryEnqueue(call))
            {
                // The activation was deactivating and has just left the catalog; the next lookup finds its successor.
            }
        }
        catch (InvalidOperationException ex)
        {
            call.Fail(ex);
        }
    }
}
