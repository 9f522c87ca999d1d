using PointsMall.Contracts.Common;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>The order after it is paid: where it ships, shipping it, and its receipt.</summary>
public sealed partial class OrderGrain
{
    public async Task<OrderResult> ShipAsync(ShipOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not { } order)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        // A parcel needs somewhere to go; a repeat of a shipment already made is answered as before.
        if (order.IsPhysical && order.Shipment is null && state.State.ShippingAddress is null)
        {
            return new OrderResult(View(), Problem.From(new Refusal(RefusalCode.AddressRequired, "order_has_no_shipping_address")));
        }

        return await ApplyAsync(order.Ship(command.Carrier?.Trim() ?? "", command.TrackingNumber?.Trim() ?? "", Now));
    }

    public async Task<OrderResult> ChangeAddressAsync(ChangeOrderAddress command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not { } order || order.MemberId != command.MemberId)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        var refusal = !order.IsPhysical ? "order_does_not_ship"
            : order.Shipment is not null ? "already_shipped"
            : order.Status is OrderStatus.Cancelled or OrderStatus.Completed ? "order_closed"
            : null;
        if (refusal is not null)
        {
            return new OrderResult(View(), Problem.From(new Refusal(RefusalCode.Conflict, refusal)));
        }

        if (state.State.ShippingAddress != command.Address)
        {
            // The index row shows the address (packing list, console), so it is rewritten in the same commit.
            state.State = state.State with { ShippingAddress = command.Address };
            PublishStatusChange(order, force: true);
            await state.CommitAsync();
        }

        return new OrderResult(View(), null);
    }

    public async Task<OrderResult> ConfirmReceiptAsync(string memberId)
    {
        if (state.State.Order is not { } order || order.MemberId != memberId)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        return await ApplyAsync(order.ConfirmReceived(Now));
    }
}
