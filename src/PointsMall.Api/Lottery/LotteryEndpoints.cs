namespace PointsMall.Api.Lottery;

public static class LotteryEndpoints
{
    // The Lottery routes under /api/v1 are added here.
    public static IEndpointRouteBuilder MapLotteries(this IEndpointRouteBuilder routes) => routes;
}
