using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Coupons;

namespace PointsMall.Domain.Tests.Coupons;

public sealed class CouponWalletTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly CouponTerms Terms = new("满100减30", 30, 100, ProductCategory.Physical, 7);

    [Fact]
    public void Using_a_coupon_again_for_the_same_order_replays_and_for_another_order_is_refused()
    {
        var wallet = WalletWith("w-1");

        var used = wallet.Use("order-1", "w-1", 250, ProductCategory.Physical, Now);
        var again = used.Wallet.Use("order-1", "w-1", 250, ProductCategory.Physical, Now);
        var other = used.Wallet.Use("order-2", "w-1", 250, ProductCategory.Physical, Now);

        Assert.Equal((30L, false), (used.Discount, used.Replayed));
        Assert.Equal((30L, true), (again.Discount, again.Replayed));
        Assert.Equal(new Refusal(RefusalCode.CouponNotUsable, CouponRefusals.Used), other.Refusal);
    }

    [Fact]
    public void A_returned_coupon_is_usable_again_until_it_expires()
    {
        var used = WalletWith("w-1").Use("order-1", "w-1", 250, ProductCategory.Physical, Now).Wallet;

        var returned = used.Return("order-1");

        Assert.True(returned.Use("order-2", "w-1", 250, ProductCategory.Physical, Now).Succeeded);
        Assert.Equal(CouponRefusals.Expired, returned.Use("order-2", "w-1", 250, ProductCategory.Physical, Now.AddDays(7)).Refusal!.Detail);
        Assert.Same(used, used.Return("order-unknown"));
    }

    [Theory]
    [InlineData(99, ProductCategory.Physical, CouponRefusals.MinPoints)]
    [InlineData(0, ProductCategory.Physical, CouponRefusals.MinPoints)]
    [InlineData(500, ProductCategory.Virtual, CouponRefusals.Category)]
    public void A_coupon_does_not_apply_below_its_minimum_or_to_another_category(long orderPoints, ProductCategory category, string detail)
        => Assert.Equal(detail, WalletWith("w-1").Quote("w-1", orderPoints, category, Now).Refusal!.Detail);

    [Fact]
    public void The_discount_never_exceeds_the_order()
        => Assert.Equal(20, WalletWith("w-1", Terms with { MinPoints = 0 }).Quote("w-1", 20, ProductCategory.Physical, Now).Discount);

    [Fact]
    public void Claims_are_counted_for_ever_while_long_finished_coupons_are_pruned()
    {
        var wallet = WalletWith("w-1").Use("order-1", "w-1", 250, ProductCategory.Physical, Now).Wallet;

        var later = wallet.Add(Grant("w-2"), Now + CouponWallet.FinishedKept);

        Assert.Equal(["w-2"], later.Coupons.Select(c => c.Id));
        Assert.Equal(2, later.ClaimsOf("c-1"));
        Assert.Equal("c-1:m-1:3", later.NextClaimId("m-1", "c-1"));
        Assert.Same(later, later.Add(Grant("w-2"), Now));
    }

    [Fact]
    public void An_issue_hands_out_its_quantity_once_per_claim_id_and_never_more()
    {
        var (issue, _) = CouponIssue.Create("c-1", Terms, 2, 1, null, null);

        var a = issue!.Claim("a", "m-a", 0, Now);
        var aAgain = a.Issue.Claim("a", "m-a", 0, Now);
        var b = aAgain.Issue.Claim("b", "m-b", 0, Now);
        var c = b.Issue.Claim("c", "m-c", 0, Now);

        Assert.True(aAgain.Replayed);
        Assert.Equal(2, b.Issue.Issued);
        Assert.Equal(RefusalCode.SoldOut, c.Refusal!.Code);
        Assert.Equal(RefusalCode.Conflict, b.Issue.Claim("a", "m-b", 0, Now).Refusal!.Code);
        Assert.Equal(RefusalCode.LimitExceeded, b.Issue.Claim("d", "m-a", 1, Now).Refusal!.Code);
    }

    private static CouponWallet WalletWith(string id, CouponTerms? terms = null) => CouponWallet.Empty.Add(Grant(id, terms), Now);

    private static CouponGrant Grant(string id, CouponTerms? terms = null)
        => new(id, "m-1", "c-1", terms ?? Terms, Now, Now.AddDays((terms ?? Terms).ValidDays));
}
