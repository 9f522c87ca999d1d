using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;

namespace PointsMall.Api.Analytics;

/// <summary>
/// What shoppers do at this API node that no grain records (sign-ins, product pages, searches), handed to the day
/// grains in batches every <see cref="FlushPeriod"/> so that recording costs a request nothing but a queue write.
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

    public void Record(ShopperActivityKind kind, string? memberId, string? subject = null, int results = 0)
    {
        if (options.Value.Enabled)
        {
            _queue.Writer.TryWrite(new ShopperActivity(kind, memberId, subject, results, time.GetUtcNow()));
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
