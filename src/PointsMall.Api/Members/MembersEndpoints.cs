namespace PointsMall.Api.Members;

public static class MembersEndpoints
{
    // The Members routes under /api/v1 are added here.
    public static IEndpointRouteBuilder MapMembers(this IEndpointRouteBuilder routes) => routes;
}
