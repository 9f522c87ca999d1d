using PointsMall.GroupCommit;
using System.Collections.Immutable;
using PointsMall.Contracts.Lottery;

namespace PointsMall.Grains.Lottery;

public sealed record LotteryDirectoryState
{
    public ImmutableList<LotteryEntry> Entries { get; init; } = [];
}

/// <summary>
/// The list of lotteries (key: <c>all</c>). Lotteries are few and configured rarely, so one small document is
/// enough; draws never touch it.
/// </summary>
[GrainType("lottery-directory")]
public sealed class LotteryDirectoryGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<LotteryDirectoryState> state) : MallGrain, ILotteryDirectoryGrain
{
    /// <summary>More than any programme runs at once; keeps the document (and GET /lotteries) bounded.</summary>
    public const int MaxLotteries = 500;

    public Task RegisterAsync(LotteryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entries = state.State.Entries;
        var index = entries.FindIndex(e => e.Id == entry.Id);
        if (index >= 0)
        {
            // Keeps the first creation time; only the name follows the lottery.
            if (entries[index].Name != entry.Name)
            {
                state.State = state.State with { Entries = entries.SetItem(index, entries[index] with { Name = entry.Name }) };
            }

            return Task.CompletedTask;
        }

        if (entries.Count >= MaxLotteries)
        {
            throw new InvalidOperationException($"At most {MaxLotteries} lotteries can be listed.");
        }

        state.State = state.State with { Entries = entries.Add(entry) };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LotteryEntry>> ListAsync() => Task.FromResult<IReadOnlyList<LotteryEntry>>(state.State.Entries);
}
