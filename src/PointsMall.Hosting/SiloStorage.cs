using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PointsMall.Grains;
using PointsMall.Grains.Orders;
using PointsMall.GroupCommit;
using PointsMall.Storage;
using PointsMall.Storage.PostgreSql;
using PointsMall.Storage.Sqlite;

namespace PointsMall.Hosting;

/// <summary>
/// The Orleans silo every host runs (the silo process, and the API when it co-hosts one): the product's grains over
/// the group-commit storage on the store named by the <c>Storage</c> section, reminders in that store, the outbox
/// dispatcher, the clustering the <c>Orleans</c> section names (<see cref="Clustering"/>) on its ports, and the
/// dashboard's statistics when <c>Dashboard:Enabled</c> (<see cref="OperatorDashboard"/>), and the order saga's
/// timings from the <c>Orders</c> section (<see cref="OrderSagaOptions"/>).
/// </summary>
public static class SiloStorage
{
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    public static IHostApplicationBuilder AddPointsMallSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var createStore = StoreFactory(configuration.GetSection("Storage"));
        builder.UseOrleans(silo =>
        {
            Clustering.Configure(silo, configuration);

            // Grain calls join the caller's trace (the HTTP request's, or a remote client's) and start their own activities.
            silo.AddActivityPropagation();
            silo.AddPointsMall(_ => createStore());
            OperatorDashboard.Configure(silo, configuration);
            configure?.Invoke(silo);
        });

        // The store under the grain storage, for readiness checks and tools.
        builder.Services.AddSingleton(sp => (GroupCommitGrainStorage)sp.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(GrainStorage.Name));
        builder.Services.AddSingleton<IGrainStore>(sp => sp.GetRequiredService<GroupCommitGrainStorage>().Store);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<OrderSagaOptions>(configuration.GetSection("Orders"));
        return builder;
    }

    /// <summary>The store the <c>Storage</c> section names (<c>sqlite</c> by default, <c>postgresql</c>, <c>memory</c>).</summary>
    public static Func<IGrainStore> StoreFactory(IConfigurationSection storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var provider = storage["Provider"] ?? "sqlite";
        switch (provider)
        {
            case "sqlite":
                var path = storage["Sqlite:Path"] ?? "./data/pointsmall.db";
                return () => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = path });
            case "postgresql":
                var connectionString = storage["PostgreSql:ConnectionString"];
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Storage:PostgreSql:ConnectionString is required when Storage:Provider is postgresql.");
                }

                var schema = storage["PostgreSql:Schema"] ?? "pointsmall";
                return () => new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = connectionString, Schema = schema });
            case "memory":
                return () => new InMemoryGrainStore();
            default:
                throw new InvalidOperationException($"Storage:Provider '{provider}' is not one of sqlite, postgresql, memory.");
        }
    }

    /// <summary>The gateway an API node in the <c>api</c> role connects to: <c>Silo:Gateway</c> as host:port.</summary>
    public static IPEndPoint GatewayEndpoint(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var gateway = configuration["Silo:Gateway"];
        if (string.IsNullOrWhiteSpace(gateway) || !IPEndPoint.TryParse(gateway.Replace("localhost", "127.0.0.1", StringComparison.OrdinalIgnoreCase), out var endpoint) || endpoint.Port == 0)
        {
            throw new InvalidOperationException($"Role api needs Silo:Gateway, the silo's Orleans gateway as host:port (e.g. --silo:gateway 127.0.0.1:{DefaultGatewayPort}).");
        }

        return endpoint;
    }
}
