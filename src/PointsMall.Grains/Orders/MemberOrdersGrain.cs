using PointsMall.Actors;
using PointsMall.Contracts.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>
/// A member's order ids, newest first. The order grain adds itself once its first step is durable and repeats
/// the add after a crash, so adding an id already listed does nothing.
/// </summary>
public sealed class MemberOrdersGrain(IPersistentState<MemberOrdersState> state) : Grain, IMemberOrdersGrain
{
    private const int MaxPageSize = 100;

    public Task AddAsync(string orderId, DateTimeOffset placedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        var orders = state.State.Orders;
        if (orders.Exists(e => e.OrderId == orderId))
        {
            return Task.CompletedTask;
        }

        // Orders arrive roughly in time order, so the insertion point is almost always the front.
        var index = orders.FindIndex(e => e.PlacedAt < placedAt || (e.PlacedAt == placedAt && string.CompareOrdinal(e.OrderId, orderId) < 0));
        var entry = new MemberOrderEntry(orderId, placedAt);
        state.State = state.State with { Orders = index < 0 ? orders.Add(entry) : orders.Insert(index, entry) };
        return Task.CompletedTask;
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Orders.Count);

    /// <summary>Page <paramref name="page"/> (1-based) of at most <paramref name="pageSize"/> ids (1–100).</summary>
    public Task<IReadOnlyList<string>> ListAsync(int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        IReadOnlyList<string> ids = [.. state.State.Orders.Skip((page - 1) * pageSize).Take(pageSize).Select(e => e.OrderId)];
        return Task.FromResult(ids);
    }
}
