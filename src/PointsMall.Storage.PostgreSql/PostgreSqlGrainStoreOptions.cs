namespace PointsMall.Storage.PostgreSql;

/// <summary>Where the PostgreSQL grain store keeps its tables.</summary>
public sealed class PostgreSqlGrainStoreOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Username=pm;Password=…;Database=pointsmall</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema that holds the store's tables; created when missing. A plain lower-case identifier.</summary>
    public string Schema { get; set; } = "pointsmall";
}
