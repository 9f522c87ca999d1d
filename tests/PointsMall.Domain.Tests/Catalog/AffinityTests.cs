using PointsMall.Domain.Catalog;

namespace PointsMall.Domain.Tests.Catalog;

public sealed class AffinityTests
{
    [Fact]
    public void Products_seen_together_by_more_shoppers_and_more_recently_come_first()
    {
        var board = AffinityBoard.Empty.Add([("kettle", "teapot"), ("kettle", "teapot"), ("kettle", "cups"), ("mug", "spoon"), ("mug", "mug")]);

        Assert.Equal(["teapot", "cups"], board.Recommend(["kettle"], new HashSet<string>(), 5));
        Assert.Equal(["spoon", "teapot", "cups"], board.Recommend(["mug", "kettle"], new HashSet<string>(), 5));
        Assert.Equal(["cups"], board.Recommend(["kettle"], new HashSet<string> { "teapot" }, 5));
        Assert.Empty(board.Recommend(["mug"], new HashSet<string> { "spoon" }, 5));
    }

    [Fact]
    public void A_product_keeps_only_its_strongest_neighbours()
    {
        var pairs = Enumerable.Range(0, AffinityBoard.NeighboursKept + 5).Select(i => ("hub", $"p{i:00}")).Concat([("hub", "p00"), ("hub", "p00")]);

        var board = AffinityBoard.Empty.Add(pairs);

        Assert.Equal(AffinityBoard.NeighboursKept, board.Neighbours["hub"].Count);
        Assert.Equal("p00", board.Recommend(["hub"], new HashSet<string>(), 1)[0]);
    }

    [Fact]
    public void A_shopper_pairs_a_product_with_its_recent_ones_once_and_remembers_what_it_redeemed()
    {
        var (taste, pairs) = ShopperTaste.Empty.Saw(["kettle", "mug", "kettle"], ["teapot"]);
        var (again, repeated) = taste.Saw(["mug"], []);

        Assert.Equal([("kettle", "mug"), ("kettle", "teapot"), ("mug", "teapot")], pairs);
        Assert.Equal(["teapot", "kettle", "mug"], taste.Recent);
        Assert.Equal(["teapot"], taste.Redeemed);
        Assert.Empty(repeated);
        Assert.Equal(["mug", "teapot", "kettle"], again.Recent);
    }
}
