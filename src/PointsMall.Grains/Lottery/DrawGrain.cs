using Microsoft.Extensions.DependencyInjection;
using PointsMall.GroupCommit;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Contracts.Orders;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Common;
using PointsMall.Domain.Lottery;

namespace PointsMall.Grains.Lottery;

/// <summary>Where a draw's saga stands. Each step is recorded durably before the grain call it leads to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DrawStep>))]
public enum DrawStep
{
    /// <summary>Never asked.</summary>
    New,

    /// <summary>About to spend the cost at the member (idempotent by <c>draw:{id}</c>).</summary>
    Paying,

    /// <summary>The cost is spent; about to draw at the lottery (idempotent by draw id).</summary>
    Paid,

    /// <summary>The lottery refused after the cost was spent; about to refund it.</summary>
    Refunding,

    /// <summary>Drawn; about to place the prize order (on a win) and credit participation points.</summary>
    Drawn,

    /// <summary>The prize order is placed (or there was none); about to credit participation points.</summary>
    PrizeOrdered,

    /// <summary>Finished with a record.</summary>
    Completed,

    /// <summary>Finished without a draw (member or lottery refused; any spent points refunded).</summary>
    Refused,
}

public sealed record DrawState
{
    public DrawStep Step { get; init; }

    public string? LotteryId { get; init; }

    public string? MemberId { get; init; }

    /// <summary>The cost taken from the table when the draw began; what is spent and, if need be, refunded.</summary>
    public long Cost { get; init; }

    public DrawRecord? Record { get; init; }

    public string? PrizeOrderId { get; init; }

    /// <summary>Why the prize order was refused, if it was: the win stands in the record and needs an operator.</summary>
    public Problem? PrizeOrderProblem { get; init; }

    public long ParticipationPoints { get; init; }

    public Problem? Refusal { get; init; }

    /// <summary>The lottery's name when the draw began, for the member's history.</summary>
    public string? LotteryName { get; init; }

    /// <summary>The prize table the cost was taken from; names the tier won when the draw used this version.</summary>
    public PrizeTable? Table { get; init; }

    /// <summary>The tier won, as configured in the table version the draw was made against.</summary>
    public PrizeTier? WonTier { get; init; }

    /// <summary>The prize product's name, from the prize order.</summary>
    public string? PrizeName { get; init; }

    public DateTimeOffset? At { get; init; }

    /// <summary>The lottery's per-member daily limit when the draw began, and the local day it counts on.</summary>
    public int? DailyLimit { get; init; }

    public DateOnly? Day { get; init; }

    /// <summary>Bonus points credited for the tier won.</summary>
    public long BonusPoints { get; init; }
}

/// <summary>
/// The saga of one draw (key: draw id): spend the cost, draw, place the prize order on a win, credit
/// participation points. It does the waiting so that the lottery grain never does: the hot lottery only ever
/// runs in-memory turns. Every step is written before the call it leads to and every call is idempotent by a
/// key derived from the draw id, so a retry, or the resume reminder after a crash, repeats nothing.
/// </summary>
[GrainType("draw")]
public sealed partial class DrawGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<DrawState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time, ILogger<DrawGrain> logger) : MallGrain, IDrawGrain, IRemindable
{
    /// <summary>How soon an interrupted saga is resumed, and how often it is retried while a step keeps failing.</summary>
    public static readonly TimeSpan ResumeAfter = TimeSpan.FromMinutes(1);

    private const string ResumeReminder = "resume";

    private string DrawId => GrainKey;

    private string SpendOperationId => "draw:" + DrawId;

    public async Task<DrawResult> DrawAsync(string lotteryId, string memberId)
    {
        if (string.IsNullOrWhiteSpace(lotteryId) || string.IsNullOrWhiteSpace(memberId))
        {
            return Refused(RefusalCode.ValidationFailed, "a draw needs a lottery id and a member id");
        }

        var current = state.State;
        if (current.Step != DrawStep.New)
        {
            // The draw id is the idempotency key: it must keep meaning the same lottery and member.
            if (current.LotteryId != lotteryId || current.MemberId != memberId)
            {
                return Refused(RefusalCode.Conflict, "draw_id_reused");
            }

            if (IsFinished(current.Step))
            {
                return Result(replayed: true);
            }

            // Interrupted earlier (a failed call or a crash): carry on from the recorded step.
            await ContinueAsync();
            return Result(replayed: false);
        }

        // Refuse what is certain to fail before any points move: no lottery, or outside its window.
        var lottery = await GrainFactory.GetGrain<ILotteryGrain>(lotteryId).GetTermsAsync();
        if (lottery is null)
        {
            return Refused(RefusalCode.NotFound, "no_lottery");
        }

        var now = time.GetUtcNow();
        if ((lottery.StartsAt is { } starts && now < starts) || (lottery.EndsAt is { } ends && now >= ends))
        {
            return Refused(RefusalCode.NotOnSale, now < lottery.StartsAt ? "lottery_not_started" : "lottery_ended");
        }

        // A daily limit counts on the programme's local day, as sign-in streaks do.
        DateOnly? day = lottery.DailyDrawLimit is null ? null
            : ZonedTime.LocalDate(now, (await GrainFactory.GetGrain<IProgramGrain>(Programs.Default).GetAsync()).TimeZone);

        state.State = new DrawState
        {
            Step = DrawStep.Paying,
            LotteryId = lotteryId,
            MemberId = memberId,
            Cost = lottery.Table.CostPoints,
            LotteryName = lottery.Name,
            Table = lottery.Table,
            At = now,
            DailyLimit = lottery.DailyDrawLimit,
            Day = day,
        };
        SetReminder(ResumeReminder, now + ResumeAfter, ResumeAfter);
        await state.CommitAsync();
        await ContinueAsync();
        return Result(replayed: false);
    }

    public Task<DrawResult?> GetAsync()
        => Task.FromResult(state.State.Step == DrawStep.New ? null : Result(replayed: true));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder)
        {
            return;
        }

        if (IsFinished(state.State.Step) || state.State.Step == DrawStep.New)
        {
            RemoveReminder(ResumeReminder);
            return;
        }

        LogResuming(logger, DrawId, state.State.Step);
        await ContinueAsync();
    }

    /// <summary>Runs the saga from the recorded step to its end. A call that throws leaves the last durable step for the reminder.</summary>
    private async Task ContinueAsync()
    {
        var lotteryId = state.State.LotteryId!;
        var memberId = state.State.MemberId!;
        var member = GrainFactory.GetGrain<IMemberGrain>(memberId);
        while (true)
        {
            switch (state.State.Step)
            {
                case DrawStep.Paying:
                    if (state.State is { DailyLimit: { } limit, Day: { } today }
                        && await GrainFactory.GetGrain<IMemberDrawsGrain>(memberId).AdmitAsync(new DrawAdmission(lotteryId, DrawId, today, limit)) is { } overLimit)
                    {
                        Finish(state.State with { Step = DrawStep.Refused, Refusal = overLimit });
                        return;
                    }

                    if (state.State.Cost > 0)
                    {
                        var spent = await member.SpendAsync(new SpendPoints(SpendOperationId, state.State.Cost, $"lottery {lotteryId} draw {DrawId}"));
                        if (spent.Refusal is { } refusal)
                        {
                            // The member refused (insufficient points): nothing was spent, and the day's draw is not used up.
                            await ReleaseAdmissionAsync(lotteryId, memberId);
                            Finish(state.State with { Step = DrawStep.Refused, Refusal = refusal });
                            return;
                        }
                    }

                    await RecordAsync(state.State with { Step = DrawStep.Paid });
                    break;

                case DrawStep.Paid:
                    // The paid cost goes along: a lottery whose cost changed since refuses, and the cost is refunded.
                    var drawn = await GrainFactory.GetGrain<ILotteryGrain>(lotteryId).DrawPaidAsync(new PaidDraw(DrawId, memberId, state.State.Cost));
                    var wonTier = drawn.Refusal is null ? await WonTierAsync(lotteryId, drawn.Record) : null;
                    if (drawn.Won)
                    {
                        // Told with the step that records the win, so a resumed saga tells it once.
                        Notify(new MemberNotice($"prize:{DrawId}", memberId, NoticeKinds.PrizeWon, "恭喜中奖 You won a prize",
                            $"{state.State.LotteryName ?? lotteryId}: {wonTier?.Name ?? drawn.Record!.WonTierId}", "/me/draws", drawn.Record!.At));
                    }

                    await RecordAsync(drawn.Refusal is { } lotteryRefusal
                        ? state.State with { Step = DrawStep.Refunding, Refusal = lotteryRefusal }
                        : state.State with { Step = DrawStep.Drawn, Record = drawn.Record, WonTier = wonTier });
                    break;

                case DrawStep.Refunding:
                    if (state.State.Cost > 0)
                    {
                        var refunded = await member.RefundAsync(new RefundPoints(SpendOperationId + ":refund", SpendOperationId, null, $"lottery {lotteryId} refused draw {DrawId}"));
                        if (refunded.Refusal is { } refundRefusal)
                        {
                            // Not retried: a refund refusal is a business answer and will not change. Visible for an operator.
                            LogRefundRefused(logger, DrawId, refundRefusal.Code, refundRefusal.Detail);
                        }
                    }

                    await ReleaseAdmissionAsync(lotteryId, memberId);
                    Finish(state.State with { Step = DrawStep.Refused });
                    return;

                case DrawStep.Drawn:
                    await RecordAsync(await PlacePrizeOrderAsync(lotteryId, memberId));
                    break;

                case DrawStep.PrizeOrdered:
                    var participation = 0L;
                    if (state.State.Record is { ParticipationPoints: > 0 } record)
                    {
                        var earned = await member.EarnAsync(new EarnPoints(SpendOperationId + ":participation", record.ParticipationPoints, "lottery", $"lottery {lotteryId} participation"));
                        participation = earned.Succeeded ? earned.Amount : 0;
                    }

                    var bonus = 0L;
                    if (state.State.Record is { BonusPoints: > 0, WonTierId: { } tier } win)
                    {
                        var earned = await member.EarnAsync(new EarnPoints(SpendOperationId + ":bonus", win.BonusPoints, "lottery", $"lottery {lotteryId} prize {tier}"));
                        bonus = earned.Succeeded ? earned.Amount : 0;
                    }

                    // The history entry is idempotent by draw id, so a resumed saga may add it again.
                    var completed = state.State with { Step = DrawStep.Completed, ParticipationPoints = participation, BonusPoints = bonus };
                    await GrainFactory.GetGrain<IMemberDrawsGrain>(memberId).AddAsync(Summary(completed));

                    // The last step needs no explicit write: the reply waits for this turn's commit anyway.
                    Finish(completed);
                    return;

                default:
                    return;
            }
        }
    }

    private async Task<DrawState> PlacePrizeOrderAsync(string lotteryId, string memberId)
    {
        if (state.State.Record is not { WonTierId: not null, PrizeProductId: { } productId })
        {
            return state.State with { Step = DrawStep.PrizeOrdered };
        }

        var orderId = PrizeOrderId(memberId, DrawId);
        var order = await GrainFactory.GetGrain<IOrderGrain>(orderId).PlacePrizeAsync(new PlacePrizeOrder(memberId, productId, lotteryId, DrawId));
        if (order.Refusal is { } refusal)
        {
            // The win is recorded and the tier's unit is gone either way; an order refusal (say, the prize
            // product was deleted) is kept for an operator rather than retried forever.
            LogPrizeOrderRefused(logger, DrawId, orderId, refusal.Code, refusal.Detail);
            return state.State with { Step = DrawStep.PrizeOrdered, PrizeOrderProblem = refusal };
        }

        return state.State with { Step = DrawStep.PrizeOrdered, PrizeOrderId = orderId, PrizeName = order.Order?.ProductName };
    }

    /// <summary>The tier a record won, from the table the draw began with or, when the table changed since, the lottery's current one.</summary>
    private async Task<PrizeTier?> WonTierAsync(string lotteryId, DrawRecord? record)
    {
        if (record?.WonTierId is not { } tierId)
        {
            return null;
        }

        var table = state.State.Table;
        if (table is null || table.Version != record.TableVersion)
        {
            table = (await GrainFactory.GetGrain<ILotteryGrain>(lotteryId).GetTermsAsync())?.Table;
        }

        return table is not null && table.Version == record.TableVersion ? table.Tiers.FirstOrDefault(t => t.Id == tierId) : null;
    }

    private DrawSummary Summary(DrawState s)
    {
        var record = s.Record;
        return new DrawSummary(
            DrawId,
            s.LotteryId!,
            s.LotteryName ?? s.LotteryId!,
            record?.At ?? s.At ?? time.GetUtcNow(),
            record?.WonTierId is not null,
            record?.WonTierId,
            s.WonTier?.Rank,
            s.WonTier?.Name,
            record?.PrizeProductId,
            s.PrizeName,
            s.PrizeOrderId,
            s.Cost,
            s.ParticipationPoints)
        {
            DrawNumber = record?.DrawNumber ?? 0,
            RandomValue = record?.RandomValue,
            TableVersion = record?.TableVersion,
            BonusPoints = s.BonusPoints,
        };
    }

    private async Task ReleaseAdmissionAsync(string lotteryId, string memberId)
    {
        if (state.State.DailyLimit is not null)
        {
            await GrainFactory.GetGrain<IMemberDrawsGrain>(memberId).ReleaseAsync(lotteryId, DrawId);
        }
    }

    /// <summary>The prize order's id: derived from the draw, so a resumed saga reaches the same order.</summary>
    public static string PrizeOrderId(string memberId, string drawId) => OrderIds.For(memberId, "prize:" + drawId);

    private async Task RecordAsync(DrawState next)
    {
        state.State = next;
        await state.CommitAsync();
    }

    private void Finish(DrawState next)
    {
        state.State = next;
        RemoveReminder(ResumeReminder);
    }

    private static bool IsFinished(DrawStep step) => step is DrawStep.Completed or DrawStep.Refused;

    private DrawResult Result(bool replayed)
    {
        var s = state.State;
        var spent = s.Step switch
        {
            DrawStep.Refused or DrawStep.New or DrawStep.Paying => 0,
            _ => s.Cost,
        };
        return new DrawResult(DrawId, s.Record, s.PrizeOrderId, spent, s.ParticipationPoints, replayed, s.Step == DrawStep.Refused ? s.Refusal : null)
        {
            LotteryName = s.LotteryName,
            TierRank = s.WonTier?.Rank,
            TierName = s.WonTier?.Name,
            PrizeName = s.PrizeName,
            BonusPoints = s.BonusPoints,
        };
    }

    private DrawResult Refused(RefusalCode code, string detail)
        => new(DrawId, null, null, 0, 0, false, new Problem(RefusalCodes.Name(code), detail));

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Resuming draw {DrawId} from step {Step}")]
    private static partial void LogResuming(ILogger logger, string drawId, DrawStep step);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Draw {DrawId}: prize order {OrderId} was refused ({Code}: {Detail}); the win needs an operator")]
    private static partial void LogPrizeOrderRefused(ILogger logger, string drawId, string orderId, string code, string detail);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Draw {DrawId}: refund of the draw cost was refused ({Code}: {Detail})")]
    private static partial void LogRefundRefused(ILogger logger, string drawId, string code, string detail);
}
