using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;

namespace PointsMall.Domain.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<ProductCategory>))]
public enum ProductCategory
{
    /// <summary>实物: shipped to an address.</summary>
    Physical,

    /// <summary>虚拟: a code or coupon is issued.</summary>
    Virtual,

    /// <summary>服务: fulfilled like virtual goods (a voucher code).</summary>
    Service,
}

/// <summary>
/// Price per unit: points, plus an optional cash part in fen for points + cash (e.g. a ¥200
/// item as 1000 points + ¥50). <see cref="CashFen"/> = 0 means points only.
/// </summary>
public sealed record Price(long Points, long CashFen)
{
    [JsonIgnore]
    public bool IsPointsOnly => CashFen == 0;

    public Price Times(int quantity) => new(checked(Points * quantity), checked(CashFen * quantity));
}

/// <summary>
/// A limited-time price (限时折扣): orders placed in [<see cref="StartsAt"/>, <see cref="EndsAt"/>) pay <see cref="Price"/>
/// instead of the product's own.
/// </summary>
public sealed record PriceDiscount(Price Price, DateTimeOffset StartsAt, DateTimeOffset EndsAt)
{
    public bool IsActiveAt(DateTimeOffset now) => now >= StartsAt && now < EndsAt;
}

/// <summary>A flash-sale drop (限时抢兑): nothing can be redeemed before <see cref="StartsAt"/>.</summary>
public sealed record FlashDrop(DateTimeOffset StartsAt, int PerMemberLimit);

/// <summary>
/// Product details. Stock is not here: it lives in the stock unit, which serialises redemptions of one
/// product. <see cref="OnShelfFrom"/>/<see cref="OnShelfUntil"/> bound the sale window ([from, until)).
/// </summary>
public sealed record Product(
    string Id,
    string Name,
    string Brand,
    string Spec,
    string Model,
    string Colour,
    ImmutableArray<string> Images,
    string Description,
    ProductCategory Category,
    Price Price,
    int? PerMemberLimit,
    Tier? RequiredTier,
    DateTimeOffset? OnShelfFrom,
    DateTimeOffset? OnShelfUntil,
    bool Listed,
    FlashDrop? Flash)
{
    public const int MaxNameLength = 200;

    /// <summary>The highest display priority: the home page shows higher priorities first.</summary>
    public const int MaxPriority = 9999;

    /// <summary>Shown in the home page's featured strip (精选推荐).</summary>
    public bool Featured { get; init; }

    /// <summary>Display order on the home page and in the "recommended" sort: higher first, 0 by default.</summary>
    public int Priority { get; init; }

    /// <summary>The operator-managed catalogue section it is shelved in (数码, 家居, …), by id; none when null.</summary>
    public string? Section { get; init; }

    /// <summary>
    /// Virtual goods whose codes (e-coupons, game cards) come from a pool the operator uploads: each order is given one
    /// uploaded code, and only an upload adds stock, so there are never more units to sell than codes. Fixed at creation.
    /// </summary>
    public bool CodePool { get; init; }

    /// <summary>A limited-time price, if any (see <see cref="PriceAt"/>).</summary>
    public PriceDiscount? Discount { get; init; }

    /// <summary>What an order placed at <paramref name="at"/> pays per unit: the discount's price within its window.</summary>
    public Price PriceAt(DateTimeOffset at) => Discount is { } discount && discount.IsActiveAt(at) ? discount.Price : Price;

    /// <summary>The per-member limit the stock unit enforces: the tighter of the product's and the drop's.</summary>
    [JsonIgnore]
    public int? EffectivePerMemberLimit =>
        (PerMemberLimit, Flash?.PerMemberLimit) switch
        {
            (null, null) => null,
            ({ } p, null) => p,
            (null, { } f) => f,
            ({ } p, { } f) => Math.Min(p, f),
        };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id))
        {
            errors.Add("id is required");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength)
        {
            errors.Add("name is required (at most 200 characters)");
        }

        if (Price is null || Price.Points < 0 || Price.CashFen < 0 || (Price.Points == 0 && Price.CashFen == 0))
        {
            errors.Add("price needs points and/or cash, never negative");
        }

        if (PerMemberLimit is <= 0 || Flash is { PerMemberLimit: <= 0 })
        {
            errors.Add("per-member limits must be positive");
        }

        if (OnShelfFrom is { } from && OnShelfUntil is { } until && until <= from)
        {
            errors.Add("the on-shelf window must end after it starts");
        }

        if (Images.IsDefault)
        {
            errors.Add("images must be a list");
        }

        if (Priority is < 0 or > MaxPriority)
        {
            errors.Add($"priority: 0 to {MaxPriority}");
        }

        if (Discount is { } discount && Price is not null)
        {
            var p = discount.Price;
            if (p is null || p.Points < 0 || p.CashFen < 0 || (p.Points == 0 && p.CashFen == 0) || p.Points > Price.Points || p.CashFen > Price.CashFen
                || (p.CashFen == 0) != (Price.CashFen == 0) || p == Price)
            {
                errors.Add("a discount is a lower price, with a cash part only when the product has one");
            }

            if (discount.EndsAt <= discount.StartsAt)
            {
                errors.Add("the discount must end after it starts");
            }
        }

        if (CodePool && Category == ProductCategory.Physical)
        {
            errors.Add("only virtual goods and services take their codes from a pool");
        }

        return errors;
    }

    public bool IsOnSaleAt(DateTimeOffset now) =>
        Listed && (OnShelfFrom is null || now >= OnShelfFrom) && (OnShelfUntil is null || now < OnShelfUntil)
        && (Flash is null || now >= Flash.StartsAt);

    /// <summary>
    /// Checks that a member of <paramref name="memberTier"/> may redeem now: on sale (listed, in window, drop
    /// started), tier, and one order within the per-member limit. Stock is the stock unit's job; the limit across a
    /// member's orders is the member's (<c>Members.Purchases</c>).
    /// </summary>
    public Refusal? CheckRedeemable(Tier memberTier, int quantity, DateTimeOffset now)
    {
        if (quantity <= 0)
        {
            return new Refusal(RefusalCode.ValidationFailed, "quantity_must_be_positive");
        }

        if (!Listed || (OnShelfFrom is { } from && now < from) || (OnShelfUntil is { } until && now >= until))
        {
            return new Refusal(RefusalCode.NotOnSale, "off_shelf");
        }

        if (Flash is { } flash && now < flash.StartsAt)
        {
            return new Refusal(RefusalCode.NotOnSale, "drop_not_started");
        }

        if (RequiredTier is { } required && memberTier < required)
        {
            return new Refusal(RefusalCode.TierRequired, $"requires_{required.ToString().ToLowerInvariant()}");
        }

        return EffectivePerMemberLimit is { } limit && quantity > limit
            ? new Refusal(RefusalCode.LimitExceeded, "per_member_limit")
            : null;
    }
}
