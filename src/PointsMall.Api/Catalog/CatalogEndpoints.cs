namespace PointsMall.Api.Catalog;

public static class CatalogEndpoints
{
    // The Catalog routes under /api/v1 are added here.
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes) => routes;
}
