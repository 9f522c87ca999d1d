using PointsMall.GroupCommit;
using System.Collections.Immutable;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Common;

namespace PointsMall.Grains.Lottery;

public sealed record MemberDrawsState
{
    /// <summary>Newest first.</summary>
    public ImmutableList<DrawSummary> Draws { get; init; } = [];

    /// <summary>By lottery id: the draws admitted under its daily limit on the latest day the member drew.</summary>
    public ImmutableDictionary<string, AdmittedDraws> Admitted { get; init; } = ImmutableDictionary<string, AdmittedDraws>.Empty;
}

public sealed record AdmittedDraws(DateOnly Day, ImmutableList<string> DrawIds);

/// <summary>
/// One member's draw history (key: member id), newest first. Bounded: the oldest entries fall off past
/// <see cref="Capacity"/>, because the whole list is one document rewritten on each draw; the lottery's draw
/// stream stays the complete audit trail.
/// </summary>
[GrainType("member-draws")]
public sealed class MemberDrawsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<MemberDrawsState> state) : MallGrain, IMemberDrawsGrain
{
    public const int Capacity = 500;

    public Task AddAsync(DrawSummary draw)
    {
        ArgumentNullException.ThrowIfNull(draw);

        // A resumed saga adds its draw again: keep the first.
        if (state.State.Draws.Exists(d => d.DrawId == draw.DrawId))
        {
            return Task.CompletedTask;
        }

        var draws = state.State.Draws.Insert(0, draw);
        if (draws.Count > Capacity)
        {
            draws = draws.RemoveRange(Capacity, draws.Count - Capacity);
        }

        state.State = state.State with { Draws = draws };
        return Task.CompletedTask;
    }

    public Task<Problem?> AdmitAsync(DrawAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        var admitted = state.State.Admitted;
        var today = admitted.GetValueOrDefault(admission.LotteryId);
        if (today is not null && (today.DrawIds.Contains(admission.DrawId) || admission.Day < today.Day))
        {
            // A retry, or a draw that began before midnight and reached here after a later day's draw: counted already, or
            // on a day that is over.
            return Task.FromResult<Problem?>(null);
        }

        var draws = today is not null && today.Day == admission.Day ? today.DrawIds : [];
        if (draws.Count >= admission.Limit)
        {
            return Task.FromResult<Problem?>(new Problem(RefusalCodes.Name(RefusalCode.LimitExceeded), "daily_draw_limit"));
        }

        // Days that are over are forgotten, so the state holds at most the lotteries drawn today.
        admitted = admitted.RemoveRange(admitted.Where(a => a.Value.Day < admission.Day).Select(a => a.Key))
            .SetItem(admission.LotteryId, new AdmittedDraws(admission.Day, draws.Add(admission.DrawId)));
        state.State = state.State with { Admitted = admitted };
        return Task.FromResult<Problem?>(null);
    }

    public Task ReleaseAsync(string lotteryId, string drawId)
    {
        if (state.State.Admitted.GetValueOrDefault(lotteryId) is { } today && today.DrawIds.Contains(drawId))
        {
            state.State = state.State with { Admitted = state.State.Admitted.SetItem(lotteryId, today with { DrawIds = today.DrawIds.Remove(drawId) }) };
        }

        return Task.CompletedTask;
    }

    public Task<DrawHistoryPage> ListAsync(int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var draws = state.State.Draws;
        var items = draws.Skip((page - 1) * pageSize).Take(pageSize).ToArray();
        return Task.FromResult(new DrawHistoryPage(items, page, pageSize, draws.Count));
    }
}
