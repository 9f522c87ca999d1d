using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record PopularityState
{
    public PopularityBoard Board { get; init; } = PopularityBoard.Empty;
}

/// <summary>
/// The popularity board: a day's half-life, the best 500 products kept. Its callers are the API nodes' recorders (one
/// call per node every couple of seconds) and the home page, so one grain is enough.
/// </summary>
[GrainType("popularity")]
public sealed class PopularityGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<PopularityState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, IPopularityGrain
{
    public const int Capacity = 500;

    public const int MaxTop = 50;

    public static readonly TimeSpan HalfLife = TimeSpan.FromDays(1);

    public Task RecordAsync(PopularitySample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Views.Count > 0 || sample.Redemptions.Count > 0)
        {
            state.State = state.State with { Board = state.State.Board.Add(sample.Views, sample.Redemptions, sample.At, HalfLife, Capacity) };
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PopularProduct>> TopAsync(int count)
        => Task.FromResult<IReadOnlyList<PopularProduct>>(
            [.. state.State.Board.Top(Math.Clamp(count, 0, MaxTop), time.GetUtcNow(), HalfLife).Select(t => new PopularProduct(t.ProductId, t.Score))]);
}
