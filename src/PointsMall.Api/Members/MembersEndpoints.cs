namespace PointsMall.Api.Members;

public static class MembersEndpoints
{
    /// <summary>The member's own routes (<c>/me…</c>) and the operators' member routes (<c>/admin/members…</c>, <c>/admin/earn</c>).</summary>
    public static IEndpointRouteBuilder MapMembers(this IEndpointRouteBuilder routes) => routes.MapMe().MapLoginChange().MapAdminMembers();
}
