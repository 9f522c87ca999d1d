using System.Collections.Concurrent;
using PointsMall.LocalServers;
using Xunit;

namespace PointsMall.Testing;

/// <summary>
/// One <see cref="PostgresServer"/> shared by every test class of a test assembly that joins the collection
/// <see cref="CollectionName"/>. xunit wants the collection definition in the test assembly itself, so each
/// test project declares:
/// <code>
/// [CollectionDefinition(PostgresServerFixture.CollectionName)]
/// public sealed class PostgresServerDefinition : ICollectionFixture&lt;PostgresServerFixture&gt;;
/// </code>
/// and its classes take the fixture in their constructor under <c>[Collection(PostgresServerFixture.CollectionName)]</c>.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string CollectionName = "PostgreSQL server";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _databases = new(StringComparer.Ordinal);
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server fixture has not started.");

    /// <summary>
    /// A database of its own for one test class (created on first ask, then reused), so classes never see
    /// each other's rows.
    /// </summary>
    public Task<string> DatabaseForAsync(Type testClass)
    {
        ArgumentNullException.ThrowIfNull(testClass);
        return _databases.GetOrAdd(testClass.FullName ?? testClass.Name, _ => new Lazy<Task<string>>(() => Server.CreateDatabaseAsync())).Value;
    }

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
