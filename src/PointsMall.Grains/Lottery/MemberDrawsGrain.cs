using PointsMall.GroupCommit;
using System.Collections.Immutable;
using PointsMall.Contracts.Lottery;

namespace PointsMall.Grains.Lottery;

public sealed record MemberDrawsState
{
    /// <summary>Newest first.</summary>
    public ImmutableList<DrawSummary> Draws { get; init; } = [];
}

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

    public Task<DrawHistoryPage> ListAsync(int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var draws = state.State.Draws;
        var items = draws.Skip((page - 1) * pageSize).Take(pageSize).ToArray();
        return Task.FromResult(new DrawHistoryPage(items, page, pageSize, draws.Count));
    }
}
