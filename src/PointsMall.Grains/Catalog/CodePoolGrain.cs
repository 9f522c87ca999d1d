using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Common;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record CodePoolState
{
    /// <summary>The uploaded chunks in order; code i of the pool is in the chunk whose range holds i.</summary>
    public ImmutableList<CodeChunkRef> Chunks { get; init; } = [];

    public long Total { get; init; }

    /// <summary>How many codes are given out: the next order gets code number <see cref="Assigned"/>.</summary>
    public long Assigned { get; init; }

    public ImmutableHashSet<string> Batches { get; init; } = [];

    /// <summary>The latest assignments, oldest first, so an order asking again gets its own code back.</summary>
    public ImmutableList<RecentSlot> Recent { get; init; } = [];
}

public sealed record RecentSlot(string OrderId, long Index);

/// <summary>
/// A code-pool product's codes, given out in upload order. Every turn is pure in-memory work, like the product's:
/// the pool is as hot as its product in a drop. The order it names goes into the assignments index in the same commit.
/// </summary>
/// <remarks>
/// Design note: a code is never given twice because the cursor only moves forward and its move is durable before the
/// order hears of its slot. An order that asks again (its own write failed after the pool answered) gets its slot back
/// from the recent window; one that asks after the window has moved on gets a fresh code, and the earlier one is never
/// used. So codes may be lost, never shared: the pool can run out before the product's stock does, and the order that
/// finds it empty is refunded with its unit written off (see <c>OrderCodes</c>).
/// </remarks>
[Reentrant]
[GrainType("code-pool")]
public sealed class CodePoolGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<CodePoolState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, ICodePoolGrain
{
    /// <summary>Far more than orders waiting on their own write at once, and small enough to write with every commit.</summary>
    public const int RecentCapacity = 512;

    public Task<CodePoolView> AddChunksAsync(CodeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!state.State.Batches.Contains(batch.BatchId))
        {
            state.State = state.State with
            {
                Chunks = state.State.Chunks.AddRange(batch.Chunks),
                Total = state.State.Total + batch.Chunks.Sum(c => (long)c.Count),
                Batches = state.State.Batches.Add(batch.BatchId),
            };
        }

        return Task.FromResult(View());
    }

    public Task<CodeSlotResult> AssignAsync(string orderId)
    {
        if (string.IsNullOrWhiteSpace(orderId))
        {
            return Task.FromResult(new CodeSlotResult(null, false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "an order id is required")));
        }

        if (state.State.Recent.Find(r => r.OrderId == orderId) is { } earlier)
        {
            return Task.FromResult(new CodeSlotResult(SlotOf(earlier.Index), true, null));
        }

        if (state.State.Assigned >= state.State.Total)
        {
            return Task.FromResult(new CodeSlotResult(null, false, new Problem(RefusalCodes.Name(RefusalCode.SoldOut), "codes_exhausted")));
        }

        var index = state.State.Assigned;
        var recent = state.State.Recent.Add(new RecentSlot(orderId, index));
        state.State = state.State with
        {
            Assigned = index + 1,
            Recent = recent.Count > RecentCapacity ? recent.RemoveAt(0) : recent,
        };
        AddToIndex(ICodePoolGrain.AssignmentsIndex, orderId, new CodeAssignment(orderId, index, time.GetUtcNow()), index, partition: GrainKey);
        return Task.FromResult(new CodeSlotResult(SlotOf(index), false, null));
    }

    public Task<CodePoolView> GetAsync() => Task.FromResult(View());

    private CodeSlot SlotOf(long index)
    {
        var start = 0L;
        foreach (var chunk in state.State.Chunks)
        {
            if (index < start + chunk.Count)
            {
                return new CodeSlot(GrainKey, chunk.Chunk, (int)(index - start), index);
            }

            start += chunk.Count;
        }

        throw new InvalidOperationException($"Code {index} is beyond the pool's {state.State.Total} codes.");
    }

    private CodePoolView View() => new(GrainKey, state.State.Total, state.State.Assigned, state.State.Chunks.Count);
}
