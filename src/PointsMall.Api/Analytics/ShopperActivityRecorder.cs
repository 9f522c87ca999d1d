using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Common;

namespace PointsMall.Api.Analytics;

/// <summary>
/// What shoppers do at this API node that no grain records (sign-ins, product pages, searches, and every redemption
/// attempt with its outcome for the drop report), handed to the day grains in batches every <see cref="FlushPeriod"/>
/// so that recording costs a request nothing but a queue write (or, for an attempt, a counter under a per-product lock).
/// Best effort by design: the queue is bounded (a flood drops the newest rather than grow), and a node that dies loses
/// its last seconds. Orders and points are counted from the outbox instead, exactly.
/// </summary>
public sealed partial class ShopperActivityRecorder(IGrainFactory grains, TimeProvider time, IOptions<AnalyticsOptions> options, ILogger<ShopperActivityRecorder> logger)
    : BackgroundService
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromSeconds(2);

    private const int Capacity = 100_000;

    private readonly Channel<ShopperActivity> _queue = Channel.CreateBounded<ShopperActivity>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly TimeZoneInfo _zone = options.Value.Zone;

    // Keyed by (local day, product): bounded by the products attempted today (attempts on unknown ids are not kept).
    private readonly ConcurrentDictionary<(string Day, string ProductId), DropTracker> _drops = new();

    private long _arrivals;

    public void Record(ShopperActivityKind kind, string? memberId, string? subject = null, int results = 0, DateTimeOffset? memberSince = null)
    {
        if (options.Value.Enabled)
        {
            _queue.Writer.TryWrite(new ShopperActivity(kind, memberId, subject, results, time.GetUtcNow(), memberSince));
        }
    }

    /// <summary>Called as a redemption reaches the node: its place in the arrival order.</summary>
    public DropArrival Arrive() => new(Interlocked.Increment(ref _arrivals), time.GetUtcNow());

    /// <summary>Counts a redemption attempt on an existing product: granted (<paramref name="refusal"/> null) or refused with that code.</summary>
    public void Attempted(string productId, DropArrival arrival, string? refusal)
    {
        if (options.Value.Enabled && refusal != RefusalCodes.Name(RefusalCode.NotFound))
        {
            _drops.GetOrAdd((AnalyticsDays.Key(arrival.At, _zone), productId), key => new DropTracker(key.ProductId)).Add(arrival, refusal, time.GetUtcNow());
        }
    }

    /// <summary>Hands everything queued so far to the day grains.</summary>
    public async Task FlushAsync()
    {
        var batch = new List<ShopperActivity>();
        while (_queue.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        foreach (var day in batch.GroupBy(a => AnalyticsDays.Key(a.At, _zone)))
        {
            await grains.GetGrain<IAnalyticsDayGrain>(day.Key).RecordShopperActivityAsync([.. day]);
        }

        // A past day's trackers are reported one last time and let go (an attempt still in flight starts a new one).
        var today = AnalyticsDays.Key(time.GetUtcNow(), _zone);
        var tallies = new List<(string Day, DropTally Tally)>();
        foreach (var (key, tracker) in _drops)
        {
            if (string.CompareOrdinal(key.Day, today) < 0)
            {
                _drops.TryRemove(key, out _);
            }

            if (tracker.Take() is { } tally)
            {
                tallies.Add((key.Day, tally));
            }
        }

        foreach (var day in tallies.GroupBy(t => t.Day))
        {
            await grains.GetGrain<IAnalyticsDayGrain>(day.Key).RecordDropsAsync([.. day.Select(t => t.Tally)]);
        }

        // The same counts feed the popularity board behind the home page's hot products.
        var views = batch.Where(a => a is { Kind: ShopperActivityKind.ProductView, Subject: not null })
            .GroupBy(a => a.Subject!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var redemptions = tallies.Where(t => t.Tally.Granted > 0).GroupBy(t => t.Tally.ProductId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (int)Math.Min(int.MaxValue, g.Sum(t => t.Tally.Granted)), StringComparer.Ordinal);
        if (views.Count > 0 || redemptions.Count > 0)
        {
            await grains.GetGrain<IPopularityGrain>(IPopularityGrain.Key).RecordAsync(new PopularitySample(views, redemptions, time.GetUtcNow()));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushQuietlyAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is handed over once more below.
        }

        await FlushQuietlyAsync();
    }

    private async Task FlushQuietlyAsync()
    {
        try
        {
            await FlushAsync();
        }
#pragma warning disable CA1031 // Analytics are best effort: a silo that is away costs this batch, never the node.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFlushFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "Shopper activity could not be handed to the analytics; this batch is lost")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
