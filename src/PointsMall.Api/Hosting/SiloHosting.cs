using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Grains;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;

namespace PointsMall.Api.Hosting;

/// <summary>Co-hosts a silo in the API process (the embedded default), configured from the <c>Storage</c> and <c>Silo</c> sections.</summary>
public static class SiloHosting
{
    public static WebApplicationBuilder AddPointsMallSilo(this WebApplicationBuilder builder)
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

        // After the silo (registered first, so started first): grain calls work from here on.
        builder.Services.AddHostedService<AdminBootstrap>();
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }
}
