using PointsMall.Domain.Catalog;

namespace PointsMall.Domain.Tests.Catalog;

public sealed class PopularityTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static Dictionary<string, int> Counts(params (string Id, int N)[] counts) => counts.ToDictionary(c => c.Id, c => c.N);

    [Fact]
    public void A_redemption_weighs_more_than_a_view_and_scores_halve_every_half_life()
    {
        var board = PopularityBoard.Empty.Add(Counts(("a", 3)), Counts(("b", 1)), Start, Day, 10);

        Assert.Equal([("b", 5.0), ("a", 3.0)], board.Top(5, Start, Day));
        Assert.Equal([("b", 2.5), ("a", 1.5)], board.Top(5, Start + Day, Day));
    }

    [Fact]
    public void A_product_hot_today_overtakes_one_that_was_hot_two_days_ago()
    {
        var board = PopularityBoard.Empty
            .Add(Counts(("old", 100)), Counts(), Start, Day, 10)
            .Add(Counts(("new", 30)), Counts(), Start + (2 * Day), Day, 10);

        Assert.Equal(["new", "old"], board.Top(2, Start + (2 * Day), Day).Select(t => t.ProductId));
        Assert.Equal(25 + 5 + 30, board.Add(Counts(("old", 5)), Counts(), Start + (2 * Day), Day, 10).Top(2, Start + (2 * Day), Day).Sum(t => t.Score), 9);
    }

    [Fact]
    public void The_board_keeps_only_its_capacity_dropping_the_weakest()
    {
        var board = PopularityBoard.Empty.Add(Counts(("a", 1), ("b", 2), ("c", 3)), Counts(), Start, Day, 2);

        Assert.Equal(["c", "b"], board.Scores.Keys.Order().Reverse());
        Assert.Empty(PopularityBoard.Empty.Add(Counts(("a", 0)), Counts(("b", -1)), Start, Day, 2).Scores);
    }
}
