using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Coupons;

/// <summary>One coupon handed to a member: the claim that asked for it, and when the member's copy expires.</summary>
public sealed record CouponGrant(string ClaimId, string MemberId, string CouponId, CouponTerms Terms, DateTimeOffset ClaimedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// A coupon's issuance (发券): how many of <see cref="Quantity"/> are out, the claim window, the per-member limit, and
/// the recent grants by claim id so a retried claim gets its first answer and is never counted twice.
/// </summary>
/// <remarks>
/// Design note: the per-member count is the member's (its wallet counts its claims and sends the count with each
/// claim); the coupon keeps only the total, so a coupon storm writes a small document however many members claim.
/// A claim id is derived from the member and its count, so a member retrying after a lost answer asks with the same
/// id and cannot take a second coupon by it.
/// </remarks>
public sealed record CouponIssue(
    string CouponId,
    CouponTerms Terms,
    int Quantity,
    int PerMemberLimit,
    DateTimeOffset? ClaimFrom,
    DateTimeOffset? ClaimUntil,
    int Issued,
    ImmutableList<CouponGrant> Recent)
{
    /// <summary>How many grants are remembered for replays: far more than claims in flight at once.</summary>
    public const int RecentCapacity = 4_096;

    public const int MaxQuantity = 10_000_000;

    public int Remaining => Math.Max(0, Quantity - Issued);

    /// <summary>Hands one coupon to <paramref name="memberId"/>, who holds <paramref name="claimed"/> of it already.</summary>
    public (CouponIssue Issue, CouponGrant? Grant, Refusal? Refusal, bool Replayed) Claim(string claimId, string memberId, int claimed, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claimId);
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        if (Recent.Find(g => g.ClaimId == claimId) is { } earlier)
        {
            return earlier.MemberId == memberId
                ? (this, earlier, null, true)
                : (this, null, new Refusal(RefusalCode.Conflict, "claim_id_reused"), false);
        }

        if ((ClaimFrom is { } from && now < from) || (ClaimUntil is { } until && now >= until))
        {
            return (this, null, new Refusal(RefusalCode.NotOnSale, CouponRefusals.NotClaimable), false);
        }

        if (claimed >= PerMemberLimit)
        {
            return (this, null, new Refusal(RefusalCode.LimitExceeded, CouponRefusals.PerMemberLimit), false);
        }

        if (Issued >= Quantity)
        {
            return (this, null, new Refusal(RefusalCode.SoldOut, "coupon_sold_out"), false);
        }

        var grant = new CouponGrant(claimId, memberId, CouponId, Terms, now, now.AddDays(Terms.ValidDays));
        var recent = Recent.Add(grant);
        if (recent.Count > RecentCapacity)
        {
            recent = recent.RemoveRange(0, recent.Count - RecentCapacity);
        }

        return (this with { Issued = Issued + 1, Recent = recent }, grant, null, false);
    }

    /// <summary>New terms, quantity, limit or window; issued coupons keep the terms they were claimed under.</summary>
    public (CouponIssue Issue, IReadOnlyList<string> Errors) Reconfigure(CouponTerms terms, int quantity, int perMemberLimit, DateTimeOffset? from, DateTimeOffset? until)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var errors = Check(terms, quantity, perMemberLimit, from, until).ToList();
        if (quantity < Issued)
        {
            errors.Add($"the quantity cannot go below the {Issued} already issued");
        }

        return errors.Count > 0
            ? (this, errors)
            : (this with { Terms = terms, Quantity = quantity, PerMemberLimit = perMemberLimit, ClaimFrom = from, ClaimUntil = until }, errors);
    }

    public static (CouponIssue? Issue, IReadOnlyList<string> Errors) Create(
        string couponId, CouponTerms terms, int quantity, int perMemberLimit, DateTimeOffset? from, DateTimeOffset? until)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var errors = Check(terms, quantity, perMemberLimit, from, until);
        return errors.Count > 0 ? (null, errors) : (new CouponIssue(couponId, terms, quantity, perMemberLimit, from, until, 0, []), errors);
    }

    private static List<string> Check(CouponTerms terms, int quantity, int perMemberLimit, DateTimeOffset? from, DateTimeOffset? until)
    {
        var errors = terms.Validate().ToList();
        if (quantity is <= 0 or > MaxQuantity)
        {
            errors.Add($"the quantity must be 1 to {MaxQuantity}");
        }

        if (perMemberLimit is <= 0 or > 100)
        {
            errors.Add("each member may claim 1 to 100 of a coupon");
        }

        if (from is { } f && until is { } u && u <= f)
        {
            errors.Add("the claim window must end after it starts");
        }

        return errors;
    }
}
