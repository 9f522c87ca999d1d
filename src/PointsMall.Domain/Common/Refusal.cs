using System.Text.Json.Serialization;

namespace PointsMall.Domain.Common;

/// <summary>
/// Stable refusal codes. The snake_case names are part of the public contract (the HTTP API reuses them
/// as problem types and they are persisted in grain state), so never rename a member's JSON name.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RefusalCode>))]
public enum RefusalCode
{
    [JsonStringEnumMemberName("sold_out")] SoldOut,
    [JsonStringEnumMemberName("insufficient_points")] InsufficientPoints,
    [JsonStringEnumMemberName("limit_exceeded")] LimitExceeded,
    [JsonStringEnumMemberName("not_on_sale")] NotOnSale,
    [JsonStringEnumMemberName("tier_required")] TierRequired,
    [JsonStringEnumMemberName("validation_failed")] ValidationFailed,
    [JsonStringEnumMemberName("not_found")] NotFound,
    [JsonStringEnumMemberName("conflict")] Conflict,
    [JsonStringEnumMemberName("address_required")] AddressRequired,
    [JsonStringEnumMemberName("coupon_not_usable")] CouponNotUsable,
}

/// <summary>A business refusal: a stable code plus a short machine-readable detail (e.g. <c>already_signed_in</c>).</summary>
public sealed record Refusal(RefusalCode Code, string Detail)
{
    public static Refusal Of(RefusalCode code, string detail) => new(code, detail);

    /// <summary>The stable wire code, e.g. <c>insufficient_points</c>.</summary>
    [JsonIgnore]
    public string CodeName => RefusalCodes.Name(Code);
}

public static class RefusalCodes
{
    public static string Name(RefusalCode code) => code switch
    {
        RefusalCode.SoldOut => "sold_out",
        RefusalCode.InsufficientPoints => "insufficient_points",
        RefusalCode.LimitExceeded => "limit_exceeded",
        RefusalCode.NotOnSale => "not_on_sale",
        RefusalCode.TierRequired => "tier_required",
        RefusalCode.ValidationFailed => "validation_failed",
        RefusalCode.NotFound => "not_found",
        RefusalCode.Conflict => "conflict",
        RefusalCode.AddressRequired => "address_required",
        RefusalCode.CouponNotUsable => "coupon_not_usable",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}
