using Microsoft.Extensions.DependencyInjection;

namespace PointsMall.OrleansAdoNet;

/// <summary>
/// Orleans' own ADO.NET providers, each with its tables created before it starts: membership for a cluster of
/// silos on PostgreSQL; and the stock alternative to the group-commit storage (one transaction per grain write),
/// for grains that commit nothing beside their state, and for measuring what group commit buys.
/// </summary>
public static class AdoNetSiloBuilderExtensions
{
    /// <summary>
    /// Orleans' <c>AddAdoNetGrainStorage</c> under <paramref name="name"/>, over <paramref name="database"/>, after
    /// creating its table and queries. Orleans' default grain-storage serializer applies.
    /// </summary>
    public static ISiloBuilder AddAdoNetGrainStorageWithTables(this ISiloBuilder silo, string name, AdoNetDatabase database)
        => WithTables(silo, database, AdoNetTables.Persistence).AddAdoNetGrainStorage(name, options =>
        {
            options.Invariant = database.Invariant;
            options.ConnectionString = database.ConnectionString;
        });

    /// <summary>Orleans' <c>UseAdoNetReminderService</c> over a PostgreSQL <paramref name="database"/>, after creating its table and queries.</summary>
    public static ISiloBuilder UseAdoNetRemindersWithTables(this ISiloBuilder silo, AdoNetDatabase database)
        => WithTables(silo, database, AdoNetTables.Reminders).UseAdoNetReminderService(options =>
        {
            options.Invariant = database.Invariant;
            options.ConnectionString = database.ConnectionString;
        });

    /// <summary>
    /// Orleans' <c>UseAdoNetClustering</c> over a PostgreSQL <paramref name="database"/>, after creating the membership
    /// tables and queries: the silos of one cluster (Orleans' <c>ClusterId</c>) find each other there, and clients
    /// find the gateways (<see cref="UseAdoNetClusteringWithTables(IClientBuilder, AdoNetDatabase)"/>).
    /// </summary>
    public static ISiloBuilder UseAdoNetClusteringWithTables(this ISiloBuilder silo, AdoNetDatabase database)
        => WithTables(silo, database, AdoNetTables.Clustering).UseAdoNetClustering(options =>
        {
            options.Invariant = database.Invariant;
            options.ConnectionString = database.ConnectionString;
        });

    /// <summary>
    /// A client that finds the gateways in the membership table the silos keep in <paramref name="database"/>.
    /// The silos create the tables; a client started before any silo retries until one has joined.
    /// </summary>
    public static IClientBuilder UseAdoNetClusteringWithTables(this IClientBuilder client, AdoNetDatabase database)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(database);
        return client.UseAdoNetClustering(options =>
        {
            options.Invariant = database.Invariant;
            options.ConnectionString = database.ConnectionString;
        });
    }

    /// <summary>
    /// Has the silo create <paramref name="tables"/> at its very start, after checking the dialect provides them
    /// (the same check <see cref="AdoNetSchema"/> makes, here at configuration time rather than at start).
    /// </summary>
    private static ISiloBuilder WithTables(ISiloBuilder silo, AdoNetDatabase database, AdoNetTables tables)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(database);
        AdoNetSchema.CheckDialect(database, tables);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new AdoNetSchemaParticipant(database, tables));
        return silo;
    }

    /// <summary>Creates the tables at the very start of the silo, before any provider reads its queries.</summary>
    private sealed class AdoNetSchemaParticipant(AdoNetDatabase database, AdoNetTables tables) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe($"AdoNetSchema-{tables}", ServiceLifecycleStage.First, ct => AdoNetSchema.EnsureCreatedAsync(database, tables, ct));
    }
}
