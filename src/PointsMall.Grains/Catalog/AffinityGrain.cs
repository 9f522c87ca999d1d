using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record AffinityState
{
    public AffinityBoard Board { get; init; } = AffinityBoard.Empty;
}

/// <summary>
/// The affinity board. Its writers are the API nodes' recorders (one call per node every couple of seconds, each with
/// its batch's pairs), so one grain is enough, as for popularity.
/// </summary>
[GrainType("affinity")]
public sealed class AffinityGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<AffinityState> state) : MallGrain, IAffinityGrain
{
    public const int MaxRecommendations = 50;

    public Task RecordAsync(AffinitySample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Pairs.Count > 0)
        {
            state.State = state.State with { Board = state.State.Board.Add(sample.Pairs.Select(p => (p.A, p.B))) };
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> RecommendAsync(RecommendFor query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(state.State.Board.Recommend(query.Recent, query.Exclude.ToHashSet(StringComparer.Ordinal), Math.Clamp(query.Count, 0, MaxRecommendations)));
    }
}
