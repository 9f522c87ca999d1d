namespace PointsMall.Api.Orders;

public static class OrdersEndpoints
{
    // The Orders routes under /api/v1 are added here.
    public static IEndpointRouteBuilder MapRedemptions(this IEndpointRouteBuilder routes) => routes;
}
