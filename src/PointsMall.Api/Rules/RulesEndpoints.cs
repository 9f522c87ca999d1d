namespace PointsMall.Api.Rules;

public static class RulesEndpoints
{
    // Programme rules and campaigns (admin) under /api/v1 are added here.
    public static IEndpointRouteBuilder MapRules(this IEndpointRouteBuilder routes) => routes;
}
