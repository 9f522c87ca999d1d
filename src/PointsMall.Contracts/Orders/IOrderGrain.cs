using System.Security.Cryptography;
using System.Text;

namespace PointsMall.Contracts.Orders;

/// <summary>
/// One redemption order (key: order id) and the saga that carries it out: reserve stock, spend points, then
/// pending payment (points + cash), pending shipment (physical) or a code (virtual), shipped, completed; or
/// cancelled with points refunded and stock released. Each step is recorded durably before the next begins,
/// every step is keyed by the order id at the grain it calls, and a durable reminder resumes an interrupted saga.
/// </summary>
[Alias("order")]
public interface IOrderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Places the order and runs the saga until it rests (pending payment, pending shipment, completed or
    /// refused/cancelled). The same command again returns the order as it is; a different command for the
    /// same id is refused with <c>conflict</c>.
    /// </summary>
    Task<OrderResult> PlaceAsync(PlaceOrder command);

    /// <summary>A zero-cost order for a lottery prize (no points spent, no payment).</summary>
    Task<OrderResult> PlacePrizeAsync(PlacePrizeOrder command);

    /// <summary>The order, or null when it was never placed.</summary>
    Task<OrderView?> GetAsync();

    /// <summary>Cancels before shipment: refunds points (and cash) and releases stock.</summary>
    Task<OrderResult> CancelAsync(CancelOrder command);

    /// <summary>A payment provider's verified, idempotent confirmation for a points + cash order.</summary>
    Task<OrderResult> ConfirmPaymentAsync(ConfirmPayment command);

    /// <summary>Ships a paid physical order; one without a shipping address is refused with <c>address_required</c>.</summary>
    Task<OrderResult> ShipAsync(ShipOrder command);

    /// <summary>
    /// Sends an unshipped physical order to another address (a prize won before the member had one, or a move):
    /// <c>conflict</c> once it has shipped or been cancelled, or for goods that do not ship.
    /// </summary>
    Task<OrderResult> ChangeAddressAsync(ChangeOrderAddress command);

    /// <summary>The member confirms receipt of a shipped order, which completes it.</summary>
    Task<OrderResult> ConfirmReceiptAsync(string memberId);

    /// <summary>
    /// The payment session of a points + cash order waiting for its cash part (created when missing, idempotent):
    /// the view carries <c>PaymentReference</c> and <c>PayUrl</c>. Another member's order answers <c>not_found</c>;
    /// an order not waiting for payment answers <c>conflict</c>.
    /// </summary>
    Task<OrderResult> StartPaymentAsync(string memberId);
}

/// <summary>
/// The orders of one member, newest first (key: member id), read from the order index: each order grain keeps its
/// entry there in the same commit as its state, so the list is never behind the orders.
/// </summary>
[Alias("member-orders")]
public interface IMemberOrdersGrain : IGrainWithStringKey
{
    /// <summary>Page <paramref name="page"/> (1-based, size 1–100), optionally only one status (case-insensitive).</summary>
    Task<OrderBoardPage> ListAsync(string? status, int page, int pageSize);
}

/// <summary>The operators' order board (key: <c>all</c>), read from the order index (see <see cref="IMemberOrdersGrain"/>).</summary>
[Alias("order-board")]
public interface IOrderBoardGrain : IGrainWithStringKey
{
    /// <summary>Newest first, optionally only one status (case-insensitive) and one member; page is 1-based, page size 1–100.</summary>
    Task<OrderBoardPage> ListAsync(string? status, string? memberId, int page, int pageSize);
}

public static class OrderKeys
{
    public const string Board = "all";

    /// <summary>The grain index of orders: partition member id, tag status, newest placed first.</summary>
    public const string Index = "orders";
}

/// <summary>
/// Order ids (the idempotency rule): derived from the member and the client's idempotency key, so a retry reaches
/// the same order and no key can ever reach another member's order.
/// </summary>
public static class OrderIds
{
    public static string For(string memberId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{memberId}\n{idempotencyKey}"));
        return "o-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
