using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;

namespace PointsMall.Domain.Tests.Common;

public sealed class EnumNamesTests
{
    [Theory]
    [InlineData("Physical", ProductCategory.Physical)]
    [InlineData(" virtual ", ProductCategory.Virtual)]
    [InlineData("SERVICE", ProductCategory.Service)]
    public void A_name_in_any_case_is_read(string text, ProductCategory expected)
    {
        Assert.True(EnumNames.TryParse<ProductCategory>(text, out var parsed));
        Assert.Equal(expected, parsed);
        Assert.True(EnumNames.IsName(typeof(ProductCategory), text));
    }

    [Theory]
    [InlineData("1")]
    [InlineData(" 2 ")]
    [InlineData("-1")]
    [InlineData("Physical,Virtual")]
    [InlineData("Furniture")]
    [InlineData("")]
    [InlineData(null)]
    public void Numbers_flags_and_unknown_names_are_not_names(string? text)
    {
        Assert.False(EnumNames.TryParse<ProductCategory>(text, out _));
        Assert.False(EnumNames.IsName(typeof(ProductCategory), text));
    }

    [Fact]
    public void Tiers_and_order_statuses_follow_the_same_rule()
    {
        Assert.False(TierNames.TryParse("2", out _));
        Assert.True(TierNames.TryParse("gold", out var tier));
        Assert.Equal(Tier.Gold, tier);
        Assert.False(EnumNames.TryParse<OrderStatus>("0", out _));
        Assert.True(EnumNames.TryParse<OrderStatus>("shipped", out var status));
        Assert.Equal(OrderStatus.Shipped, status);
    }
}
