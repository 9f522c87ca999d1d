using PointsMall.Actors.Hosting;

namespace PointsMall.Grains.Catalog;

public static class CatalogRegistration
{
    // Filled in with the Catalog grains and their subscriptions as they land.
    public static SiloBuilder AddCatalogGrains(this SiloBuilder silo) => silo;
}
