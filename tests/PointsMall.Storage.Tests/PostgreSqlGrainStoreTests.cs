using PointsMall.Storage.PostgreSql;
using PointsMall.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Storage.Tests;

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;

/// <summary>
/// Runs against the throw-away server shared by the collection: this class has its own database, and each
/// test its own schema in it, so tests never see each other's rows or event sequences.
/// </summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class PostgreSqlGrainStoreTests(PostgresServerFixture postgres, ITestOutputHelper output) : DurableGrainStoreContract(output)
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");

    protected override async Task<IGrainStore> OpenStoreAsync()
    {
        var connectionString = await postgres.DatabaseForAsync(GetType());
        return new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = connectionString, Schema = _schema });
    }

    [Fact]
    public void A_schema_name_that_is_not_a_plain_identifier_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PostgreSqlGrainStore(
            new PostgreSqlGrainStoreOptions { ConnectionString = postgres.Server.ConnectionString, Schema = "x; DROP TABLE y" }));
    }
}
