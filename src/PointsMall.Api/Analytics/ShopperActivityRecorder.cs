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

    // Granted redemptions by member, for the shoppers' histories ("for you"); bounded like the queue.
    private readonly Channel<(string MemberId, string ProductId)> _redeemed = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>At most this many shoppers' histories are updated per hand-over; the rest of a flood is let go.</summary>
    public const int MaxTastesPerFlush = 500;

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

    /// <summary>A member's granted redemption, for its history.</summary>
    public void Redeemed(string memberId, string productId)
    {
        if (options.Value.Enabled)
        {
            _redeemed.Writer.TryWrite((memberId, productId));
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

        await RecordTastesAsync(batch);
    }

    /// <summary>Each signed-in shopper's views and redemptions go to its history; the pairs they made, to the affinity board at once.</summary>
    private async Task RecordTastesAsync(List<ShopperActivity> batch)
    {
        var redeemed = new List<(string MemberId, string ProductId)>();
        while (_redeemed.Reader.TryRead(out var item))
        {
            redeemed.Add(item);
        }

        var viewedBy = batch.Where(a => a is { Kind: ShopperActivityKind.ProductView, MemberId: not null, Subject: not null })
            .ToLookup(a => a.MemberId!, a => a.Subject!, StringComparer.Ordinal);
        var redeemedBy = redeemed.ToLookup(r => r.MemberId, r => r.ProductId, StringComparer.Ordinal);
        var members = viewedBy.Select(g => g.Key).Union(redeemedBy.Select(g => g.Key), StringComparer.Ordinal).Take(MaxTastesPerFlush).ToList();
        if (members.Count == 0)
        {
            return;
        }

        var pairs = await Task.WhenAll(members.Select(m => grains.GetGrain<IShopperTasteGrain>(m).SawAsync(new ShopperSaw([.. viewedBy[m]], [.. redeemedBy[m]]))));
        var all = pairs.SelectMany(p => p).ToList();
        if (all.Count > 0)
        {
            await grains.GetGrain<IAffinityGrain>(IAffinityGrain.Key).RecordAsync(new AffinitySample(all));
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
