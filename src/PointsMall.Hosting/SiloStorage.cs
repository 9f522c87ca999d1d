using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Grains;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;

namespace PointsMall.Hosting;

/// <summary>
/// The silo every host runs (the silo process, and the API when it co-hosts one): the product's grains over the
/// store named by the <c>Storage</c> section, with runtime options from the <c>Silo</c> section.
/// </summary>
public static class SiloStorage
{
    public static SiloBuilder AddPointsMallSilo(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var storage = builder.Configuration.GetSection("Storage");
        var provider = storage["Provider"] ?? "sqlite";
        var silo = builder.Services.AddSilo().AddPointsMallGrains();
        builder.Services.Configure<SiloOptions>(builder.Configuration.GetSection("Silo"));
        switch (provider)
        {
            case "sqlite":
                var path = storage["Sqlite:Path"] ?? "./data/pointsmall.db";
                silo.UseStore(_ => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = path }));
                break;
            case "postgresql":
                var connectionString = storage["PostgreSql:ConnectionString"];
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Storage:PostgreSql:ConnectionString is required when Storage:Provider is postgresql.");
                }

                silo.UseStore(_ => new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions
                {
                    ConnectionString = connectionString,
                    Schema = storage["PostgreSql:Schema"] ?? "pointsmall",
                }));
                break;
            case "memory":
                silo.UseInMemoryStore();
                break;
            default:
                throw new InvalidOperationException($"Storage:Provider '{provider}' is not one of sqlite, postgresql, memory.");
        }

        return silo;
    }
}
