using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Orders;

/// <summary>The operators' order board: a query of the order index, which each order grain keeps with its state.</summary>
[GrainType("order-board")]
public sealed class OrderBoardGrain(IGrainIndex index) : MallGrain, IOrderBoardGrain
{
    public Task<OrderBoardPage> ListAsync(string? status, string? memberId, int page, int pageSize)
        => OrderIndex.PageAsync(index, status, string.IsNullOrWhiteSpace(memberId) ? null : memberId, page, pageSize);
}

/// <summary>One member's orders: the order index partitioned by member id.</summary>
[GrainType("member-orders")]
public sealed class MemberOrdersGrain(IGrainIndex index) : MallGrain, IMemberOrdersGrain
{
    public Task<OrderBoardPage> ListAsync(string? status, int page, int pageSize)
        => OrderIndex.PageAsync(index, status, GrainKey, page, pageSize);
}

internal static class OrderIndex
{
    public const int MaxPageSize = 100;

    public static async Task<OrderBoardPage> PageAsync(IGrainIndex index, string? status, string? memberId, int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var found = await index.QueryAsync<OrderSummary>(
            new IndexQuery(OrderKeys.Index, memberId, Tag(status), null, (page - 1) * pageSize, pageSize));
        return new OrderBoardPage(found.Items, page, pageSize, found.Total);
    }

    /// <summary>Statuses are tagged by their enum name; a filter matches it whatever its case ("cancelled" too).</summary>
    private static string? Tag(string? status)
    {
        if (string.IsNullOrWhiteSpace(status))
        {
            return null;
        }

        return EnumNames.TryParse<OrderStatus>(status, out var parsed)
            ? parsed.ToString()
            : status.Trim();
    }
}
