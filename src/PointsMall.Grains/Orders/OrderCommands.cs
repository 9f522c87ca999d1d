using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Orders;

/// <summary>
/// Reads the commands that start or cancel an order: what is refused before anything is recorded, and what the
/// order copies from the member and the product when it is placed.
/// </summary>
internal static class OrderCommands
{
    /// <summary>The checks that need neither the member nor the product.</summary>
    public static Refusal? Validate(PlaceOrder command)
    {
        if (string.IsNullOrWhiteSpace(command.MemberId) || string.IsNullOrWhiteSpace(command.ProductId))
        {
            return new Refusal(RefusalCode.ValidationFailed, "member_and_product_required");
        }

        if (command.Quantity is < RedemptionLimits.MinQuantity or > RedemptionLimits.MaxQuantity)
        {
            return new Refusal(RefusalCode.ValidationFailed, "quantity_must_be_1_to_99");
        }

        return PaymentModes.IsKnown(command.Payment)
            ? null
            : new Refusal(RefusalCode.ValidationFailed, "payment_must_be_points_or_points_cash");
    }

    public static Refusal? Validate(PlacePrizeOrder command) =>
        string.IsNullOrWhiteSpace(command.MemberId) || string.IsNullOrWhiteSpace(command.ProductId)
            ? new Refusal(RefusalCode.ValidationFailed, "member_and_product_required")
            : null;

    /// <summary>The payment kind the member chose must match the product's price (cash part or none).</summary>
    public static Refusal? CheckPayment(PlaceOrder command, Product product)
    {
        var hasCash = product.Price.CashFen > 0;
        if (command.Payment == PaymentModes.PointsCash && !hasCash)
        {
            return new Refusal(RefusalCode.ValidationFailed, "product_has_no_cash_price");
        }

        if (command.Payment == PaymentModes.Points && hasCash)
        {
            return new Refusal(RefusalCode.ValidationFailed, "product_requires_points_cash");
        }

        return null;
    }

    /// <summary>Physical goods are refused without somewhere to ship them: an order never waits on an address it lacks.</summary>
    public static Refusal? CheckAddress(PlaceOrder command, MemberView member, Product product)
        => product.Category == ProductCategory.Physical && ShippingAddress(command.AddressId, member, product) is null
            ? new Refusal(RefusalCode.AddressRequired, command.AddressId is null ? "add_a_shipping_address" : "address_not_in_address_book")
            : null;

    /// <summary>The state a new order is recorded with: the command, and what it copies from the member and the product.</summary>
    public static OrderState Placing(OrderState state, PlaceOrder command, MemberView member, Product product) => state with
    {
        Command = command,
        ProductName = product.Name,
        MemberTier = ParseTier(member.Tier),
        ShippingAddress = ShippingAddress(command.AddressId, member, product),
        PurchaseLimit = product.EffectivePerMemberLimit,
        CodePool = product.CodePool,
    };

    /// <summary>
    /// Where a physical order ships: the chosen address, else the default one, else the first (a prize order chooses
    /// none). Null for other goods, and for a member whose address book lacks it.
    /// </summary>
    public static ShippingAddressView? ShippingAddress(string? addressId, MemberView? member, Product product)
    {
        if (product.Category != ProductCategory.Physical || member is null)
        {
            return null;
        }

        // The address is copied onto the order: editing the address book later must not redirect a parcel.
        var chosen = addressId is not null
            ? member.Addresses.FirstOrDefault(a => a.Id == addressId)
            : member.Addresses.FirstOrDefault(a => a.IsDefault) ?? (member.Addresses.Count > 0 ? member.Addresses[0] : null);

        return chosen is null ? null : ShippingAddressView.Of(chosen);
    }

    /// <summary>The reason recorded with a cancellation: the caller's, else who cancelled.</summary>
    public static string CancelReason(CancelOrder command) =>
        string.IsNullOrWhiteSpace(command.Reason)
            ? command.MemberId is null ? "cancelled_by_operator" : "cancelled_by_member"
            : command.Reason.Trim();

    /// <summary>The member view's tier: the enum name, or the Chinese name the seeds use; anything else counts as Regular.</summary>
    public static Tier ParseTier(string? tier) => TierNames.TryParse(tier, out var parsed) ? parsed : Tier.Regular;
}
