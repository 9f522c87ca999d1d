using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Common;
using PointsMall.Domain.Lottery;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Lottery;

public sealed record LotteryGrainState
{
    /// <summary>Table, remaining tier stock and the recent-draws window; null until configured.</summary>
    public LotteryState? Lottery { get; init; }

    public string Name { get; init; } = "";

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    public long Wins { get; init; }

    public int? DailyDrawLimit { get; init; }

    /// <summary>The secret the draws' random values derive from (see <see cref="LotteryFairness"/>); published once closed.</summary>
    public string? Seed { get; init; }

    /// <summary>Every table version drawn against, oldest first (the current one last).</summary>
    public ImmutableList<PrizeTable> Tables { get; init; } = [];
}

public static class LotteryStreams
{
    /// <summary>Stream namespace of the draw records (key: lottery id): the complete audit trail.</summary>
    public const string Draws = "lottery";
}

/// <summary>
/// One lottery. Its turns are pure in-memory work (no grain calls, no explicit writes), so a lottery storm runs
/// at the rate of in-memory turns while earlier draws are still being committed. State stays bounded: the
/// domain keeps a window of recent draws for idempotency; every draw record goes into the audit index
/// (<see cref="ILotteryDrawsGrain"/>) and out on the (<c>lottery</c>, id) stream, committed with the draw.
/// Draws are provably fair: each value derives from a seed fixed, and committed to by its hash, when the lottery is
/// created, and published when it closes.
/// </summary>
[Reentrant]
[GrainType("lottery")]
public sealed class LotteryGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<LotteryGrainState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time, ILotteryRandom random) : MallGrain, ILotteryGrain
{
    private (string Seed, string Hash)? commitment;

    public async Task<LotteryResult> ConfigureAsync(ConfigureLottery command)
    {
        if (Plan(command).Refused is { } refused)
        {
            return refused;
        }

        // Configuration is rare, so this one call may wait on another grain. The directory hears first, before
        // anything changes here: a lottery is never missing from the list, and a listed id whose configuration
        // failed reads as null. Draws run while this call waits (the grain is reentrant), so the change is planned
        // again, against the state they left, and applied with no await in between.
        await GrainFactory.GetGrain<ILotteryDirectoryGrain>(LotteryKeys.Directory)
            .RegisterAsync(new LotteryEntry(GrainKey, command.Name.Trim(), time.GetUtcNow()));
        var (again, next) = Plan(command);
        if (again is not null)
        {
            return again;
        }

        state.State = next!;
        return new LotteryResult(View(), null);
    }

    /// <summary>The state a configuration leads to, or its refusal; changes nothing.</summary>
    private (LotteryResult? Refused, LotteryGrainState? Next) Plan(ConfigureLottery command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (string.IsNullOrWhiteSpace(command.Name) || command.Table is null)
        {
            return (Refused(RefusalCode.ValidationFailed, "a lottery needs a name and a prize table"), null);
        }

        if (command.StartsAt is { } starts && command.EndsAt is { } ends && ends <= starts)
        {
            return (Refused(RefusalCode.ValidationFailed, "the lottery must end after it starts"), null);
        }

        if (command.DailyDrawLimit is <= 0)
        {
            return (Refused(RefusalCode.ValidationFailed, "the daily draw limit must be positive"), null);
        }

        var current = state.State.Lottery;
        if (current is not null && IsClosed() && !(command.EndsAt == state.State.EndsAt && SameTable(current.Table, command.Table)))
        {
            // Its seed is public: every further draw would be known in advance. Only the name may still change.
            return (Refused(RefusalCode.Conflict, "lottery_closed"), null);
        }

        LotteryState next;
        if (current is null)
        {
            var table = command.Table with { Version = Math.Max(command.Table.Version, 1) };
            if (table.Validate() is { Count: > 0 } errors)
            {
                return (Refused(RefusalCode.ValidationFailed, string.Join("; ", errors)), null);
            }

            next = LotteryState.Create(GrainKey, table);
        }
        else if (SameTable(current.Table, command.Table))
        {
            // A retry, or a change of name or window only: the table, its version and the remaining stock stay.
            next = current;
        }
        else
        {
            // Any change to the table is a new version, so every draw record names the table it was drawn
            // against. Callers need not track versions: one that does not increase is moved past the current.
            var table = command.Table.Version > current.Table.Version ? command.Table : command.Table with { Version = current.Table.Version + 1 };
            var (replaced, refusal) = current.Replace(table);
            if (refusal is not null)
            {
                return (new LotteryResult(View(), Problem.From(refusal)), null);
            }

            next = replaced;
        }

        var tables = state.State.Tables;
        if (tables.IsEmpty || tables[^1].Version != next.Table.Version)
        {
            tables = tables.Add(next.Table);
        }

        return (null, state.State with
        {
            Lottery = next,
            Name = command.Name.Trim(),
            StartsAt = command.StartsAt,
            EndsAt = command.EndsAt,
            DailyDrawLimit = command.DailyDrawLimit,
            Seed = state.State.Seed ?? LotteryFairness.NewSeed(),
            Tables = tables,
        });
    }

    public Task<LotteryView?> GetAsync() => Task.FromResult(View());

    public Task<LotteryTerms?> GetTermsAsync()
        => Task.FromResult(state.State.Lottery is { } lottery
            ? new LotteryTerms(state.State.Name, lottery.Table, state.State.StartsAt, state.State.EndsAt, state.State.DailyDrawLimit)
            : null);

    public Task<LotteryResult> CloseAsync()
    {
        if (state.State.Lottery is null)
        {
            return Task.FromResult(Refused(RefusalCode.NotFound, "no_lottery"));
        }

        if (!IsClosed())
        {
            // A lottery that had not started closes too; its window becomes the empty one ending now.
            var now = time.GetUtcNow();
            state.State = state.State with { EndsAt = now, StartsAt = state.State.StartsAt is { } starts && starts > now ? now : state.State.StartsAt };
        }

        return Task.FromResult(new LotteryResult(View(), null));
    }

    public Task<DrawResult> DrawAsync(string drawId, string memberId) => Task.FromResult(Draw(drawId, memberId, null));

    public Task<DrawResult> DrawPaidAsync(PaidDraw draw)
    {
        ArgumentNullException.ThrowIfNull(draw);
        return Task.FromResult(Draw(draw.DrawId, draw.MemberId, draw.PaidCost));
    }

    private DrawResult Draw(string drawId, string memberId, long? paidCost)
    {
        if (string.IsNullOrWhiteSpace(drawId) || string.IsNullOrWhiteSpace(memberId))
        {
            return RefusedDraw(drawId ?? "", RefusalCode.ValidationFailed, "a draw needs a draw id and a member id");
        }

        if (state.State.Lottery is not { } lottery)
        {
            return RefusedDraw(drawId, RefusalCode.NotFound, "no_lottery");
        }

        // Replays first, and without taking a random value: a retried draw returns its first record even after
        // the lottery has closed, and consumes nothing from the random source.
        var previous = lottery.RecentDraws.Find(d => d.DrawId == drawId);
        if (previous is not null)
        {
            return previous.MemberId == memberId
                ? new DrawResult(drawId, previous, null, previous.CostPoints, previous.ParticipationPoints, true, null)
                : RefusedDraw(drawId, RefusalCode.Conflict, "draw_id_reused");
        }

        var now = time.GetUtcNow();
        if (state.State.StartsAt is { } starts && now < starts)
        {
            return RefusedDraw(drawId, RefusalCode.NotOnSale, "lottery_not_started");
        }

        if (state.State.EndsAt is { } ends && now >= ends)
        {
            return RefusedDraw(drawId, RefusalCode.NotOnSale, "lottery_ended");
        }

        if (paidCost is { } paid && paid != lottery.Table.CostPoints)
        {
            // The table changed between the payment and this draw: never draw at a price the member did not pay.
            return RefusedDraw(drawId, RefusalCode.Conflict, "cost_changed");
        }

        // A lottery configured before draws had seeds takes one now, committed with this draw (its hash is public
        // from this draw on); its earlier draws, numbered 0, cannot be verified.
        var seed = state.State.Seed ?? LotteryFairness.NewSeed();
        var value = random.ValueOf(seed, GrainKey, memberId, lottery.NextDrawNumber);
        var outcome = lottery.Draw(drawId, memberId, value, now);
        if (outcome.Refusal is { } refusal)
        {
            return new DrawResult(drawId, null, null, 0, 0, false, Problem.From(refusal));
        }

        var record = outcome.Record!;
        state.State = state.State with
        {
            Lottery = outcome.State,
            Wins = state.State.Wins + (outcome.Won ? 1 : 0),
            Seed = seed,
            Tables = state.State.Tables.IsEmpty ? [lottery.Table] : state.State.Tables,
        };
        Publish(new StreamId(LotteryStreams.Draws, GrainKey), record);
        AddToIndex(ILotteryDrawsGrain.Index, drawId, record, record.DrawNumber, partition: GrainKey,
            tag: record.WonTierId ?? LotteryKeys.NoPrize, text: LotteryDrawsGrain.Text(record));
        return new DrawResult(drawId, record, null, record.CostPoints, record.ParticipationPoints, false, null);
    }

    private static bool SameTable(PrizeTable current, PrizeTable proposed)
        => current.CostPoints == proposed.CostPoints
           && current.ParticipationPoints == proposed.ParticipationPoints
           && !proposed.Tiers.IsDefault
           && current.Tiers.SequenceEqual(proposed.Tiers);

    private bool IsClosed() => state.State.EndsAt is { } ends && time.GetUtcNow() >= ends;

    private LotteryView? View()
        => state.State.Lottery is { } lottery
            ? new LotteryView(GrainKey, state.State.Name, lottery.Table, state.State.StartsAt, state.State.EndsAt, lottery.DrawCount, state.State.Wins, lottery.Remaining)
            {
                DailyDrawLimit = state.State.DailyDrawLimit,
                SeedHash = Commitment(),
                Seed = IsClosed() ? state.State.Seed : null,
                Tables = state.State.Tables.IsEmpty ? [lottery.Table] : state.State.Tables,
            }
            : null;

    /// <summary>The seed's hash, computed once per seed: a seed never changes once taken, and views are read often.</summary>
    private string? Commitment()
    {
        if (state.State.Seed is not { } seed)
        {
            return null;
        }

        if (commitment?.Seed != seed)
        {
            commitment = (seed, LotteryFairness.Commitment(seed));
        }

        return commitment.Value.Hash;
    }

    private LotteryResult Refused(RefusalCode code, string detail)
        => new(View(), new Problem(RefusalCodes.Name(code), detail));

    private static DrawResult RefusedDraw(string drawId, RefusalCode code, string detail)
        => new(drawId, null, null, 0, 0, false, new Problem(RefusalCodes.Name(code), detail));
}
