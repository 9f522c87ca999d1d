using PointsMall.Domain.Catalog;

namespace PointsMall.Domain.Coupons;

/// <summary>
/// What a coupon (积分抵扣券) is worth and where it applies: it takes <see cref="FacePoints"/> off the points of one
/// order of at least <see cref="MinPoints"/> points (of <see cref="Category"/> goods only, when set), within
/// <see cref="ValidDays"/> days of being claimed. A member's copy keeps the terms it was claimed under.
/// </summary>
public sealed record CouponTerms(string Name, long FacePoints, long MinPoints, ProductCategory? Category, int ValidDays)
{
    public const int MaxNameLength = 100;
    public const long MaxFacePoints = 1_000_000;
    public const int MaxValidDays = 3_650;

    /// <summary>What is wrong with the terms, one message per fault (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > MaxNameLength)
        {
            errors.Add($"a coupon needs a name of 1 to {MaxNameLength} characters");
        }

        if (FacePoints is <= 0 or > MaxFacePoints)
        {
            errors.Add($"the face value must be 1 to {MaxFacePoints} points");
        }

        if (MinPoints < 0 || MinPoints > MaxFacePoints * 100)
        {
            errors.Add("the minimum order must be 0 or more points");
        }

        if (ValidDays is <= 0 or > MaxValidDays)
        {
            errors.Add($"a coupon must stay valid 1 to {MaxValidDays} days after it is claimed");
        }

        return errors;
    }

    /// <summary>The points taken off an order of <paramref name="orderPoints"/>, or why the coupon does not apply to it.</summary>
    public (long Discount, string? NotUsable) Apply(long orderPoints, ProductCategory category)
    {
        if (Category is { } only && only != category)
        {
            return (0, CouponRefusals.Category);
        }

        // An order of no points (cash only) has nothing for a points coupon to take off.
        if (orderPoints <= 0 || orderPoints < MinPoints)
        {
            return (0, CouponRefusals.MinPoints);
        }

        return (Math.Min(FacePoints, orderPoints), null);
    }
}

/// <summary>The details of a <c>coupon_not_usable</c> refusal and of the claim refusals.</summary>
public static class CouponRefusals
{
    public const string NotFound = "coupon_not_found";
    public const string Used = "coupon_used";
    public const string Expired = "coupon_expired";
    public const string MinPoints = "coupon_min_points";
    public const string Category = "coupon_category";
    public const string NotClaimable = "coupon_not_claimable";
    public const string PerMemberLimit = "coupon_per_member_limit";
}
