using System.Collections.Immutable;
using PointsMall.Actors;
using PointsMall.Contracts.Orders;

namespace PointsMall.Grains.Orders;

public sealed record OrderBoardState
{
    public ImmutableDictionary<string, OrderSummary> Orders { get; init; } = ImmutableDictionary<string, OrderSummary>.Empty;
}

/// <summary>
/// The operators' order board, fed by the <c>order</c> stream. Delivery is at least once and in order per stream,
/// so an upsert replaces by id and ignores a summary older than the one it holds.
/// </summary>
public sealed class OrderBoardGrain(IPersistentState<OrderBoardState> state) : Grain, IOrderBoardGrain
{
    public const int MaxPageSize = 100;

    public Task UpsertAsync(OrderSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary.Id);
        var orders = state.State.Orders;
        if (orders.TryGetValue(summary.Id, out var existing) && (summary.UpdatedAt < existing.UpdatedAt || summary == existing))
        {
            return Task.CompletedTask;
        }

        state.State = state.State with { Orders = orders.SetItem(summary.Id, summary) };
        return Task.CompletedTask;
    }

    public Task<OrderBoardPage> ListAsync(string? status, string? memberId, int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        IEnumerable<OrderSummary> matches = state.State.Orders.Values;
        if (!string.IsNullOrWhiteSpace(status))
        {
            matches = matches.Where(o => string.Equals(o.Status, status.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        if (!string.IsNullOrWhiteSpace(memberId))
        {
            matches = matches.Where(o => o.MemberId == memberId);
        }

        // Newest first; ties break on id so paging is stable.
        var sorted = matches.OrderByDescending(o => o.PlacedAt).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        IReadOnlyList<OrderSummary> items = [.. sorted.Skip((page - 1) * pageSize).Take(pageSize)];
        return Task.FromResult(new OrderBoardPage(items, page, pageSize, sorted.Count));
    }
}
