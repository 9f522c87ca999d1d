namespace PointsMall.Api.Admin;

public static class AdminEndpoints
{
    // The Admin routes under /api/v1 are added here.
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder routes) => routes;
}
