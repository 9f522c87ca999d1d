using System.Text;
using Npgsql;
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

    /// <summary>
    /// Transaction A takes the lower sequence and stays open while B, with the higher one, commits: a reader that
    /// checkpointed past B would never see A. A is held open on a connection of the test's own, inserting the row
    /// the way the store's batch does.
    /// </summary>
    [Fact]
    public async Task An_event_of_a_transaction_still_open_is_not_passed_by_a_later_sequence_that_committed_first()
    {
        await using var database = NpgsqlDataSource.Create(await postgres.DatabaseForAsync(GetType()));
        await using var a = await database.OpenConnectionAsync();
        await using var transactionA = await a.BeginTransactionAsync();
        var sequenceA = await InsertEventAsync(a, transactionA, "A");

        await Commit(new CommitBatch([], [Event("s", "t", "B")], []));

        // What the dispatcher does: read after its checkpoint, then checkpoint the last event it got.
        var first = await Store.ReadEventsAsync(0, 100, CancellationToken.None);
        Assert.True(first.All(e => e.Sequence < sequenceA),
            $"the read returned {Describe(first)} past event {sequenceA}, whose transaction is still open");
        var position = first.Count == 0 ? 0 : first[^1].Sequence;

        await transactionA.CommitAsync();
        var second = await Store.ReadEventsAsync(position, 100, CancellationToken.None);

        Assert.Equal(["A", "B"], first.Concat(second).Select(Payload));
    }

    /// <summary>
    /// Sequence order is not commit order even among finished transactions: X takes its transaction id first (its state
    /// writes come before its events), T then inserts an event and stays open, and X's event, with the higher sequence,
    /// commits. Returning only finished transactions in sequence order would hand out X and later skip T's lower
    /// sequence; the store orders by transaction, so T's event still comes after the position X left.
    /// </summary>
    [Fact]
    public async Task Events_come_in_transaction_order_so_an_open_transaction_with_a_lower_sequence_is_not_skipped()
    {
        await using var database = NpgsqlDataSource.Create(await postgres.DatabaseForAsync(GetType()));
        await using var x = await database.OpenConnectionAsync();
        await using var t = await database.OpenConnectionAsync();
        await using var transactionX = await x.BeginTransactionAsync();
        await using (var takeId = new NpgsqlCommand("SELECT pg_current_xact_id()", x, transactionX))
        {
            await takeId.ExecuteScalarAsync();
        }

        await using var transactionT = await t.BeginTransactionAsync();
        var sequenceT = await InsertEventAsync(t, transactionT, "T");
        var sequenceX = await InsertEventAsync(x, transactionX, "X");
        Assert.True(sequenceT < sequenceX);
        await transactionX.CommitAsync();

        var first = await Store.ReadEventsAsync(0, 100, CancellationToken.None);
        var position = first.Count == 0 ? 0 : first[^1].Sequence;
        await Store.WriteCheckpointAsync("reader", position, CancellationToken.None);

        await transactionT.CommitAsync();
        var second = await Store.ReadEventsAsync(await Store.ReadCheckpointAsync("reader", CancellationToken.None), 100, CancellationToken.None);

        Assert.Equal(["X", "T"], first.Concat(second).Select(Payload));

        // The checkpoint moves forward in that order too: T's lower sequence is past X's, and X's is behind T's.
        await Store.WriteCheckpointAsync("reader", sequenceT, CancellationToken.None);
        await Store.WriteCheckpointAsync("reader", sequenceX, CancellationToken.None);
        Assert.Equal(sequenceT, await Store.ReadCheckpointAsync("reader", CancellationToken.None));
        var fence = new LeaseFence("outbox/reader", "silo-1", (await Lease("outbox/reader", "silo-1", T0, T0.AddSeconds(15))).Token);
        Assert.True(await Store.TryWriteCheckpointAsync("fenced", sequenceT, fence, CancellationToken.None));
        Assert.True(await Store.TryWriteCheckpointAsync("fenced", sequenceX, fence, CancellationToken.None));
        Assert.Equal(sequenceT, await Store.ReadCheckpointAsync("fenced", CancellationToken.None));
    }

    /// <summary>A database from before events carried their transaction: its events and checkpoints carry on.</summary>
    [Fact]
    public async Task Events_and_checkpoints_written_before_the_transaction_column_existed_carry_on_after_initialising()
    {
        var connectionString = await postgres.DatabaseForAsync(GetType());
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var database = NpgsqlDataSource.Create(connectionString))
        {
            await using var create = database.CreateCommand($"""
                CREATE SCHEMA "{schema}";
                CREATE TABLE "{schema}".stream_events (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    stream text NOT NULL, event_type text NOT NULL, payload bytea NOT NULL, timestamp_ticks bigint NOT NULL);
                CREATE TABLE "{schema}".stream_checkpoints (subscriber text PRIMARY KEY, sequence bigint NOT NULL);
                INSERT INTO "{schema}".stream_events (stream, event_type, payload, timestamp_ticks)
                    VALUES ('s', 't', 'old-1'::bytea, 0), ('s', 't', 'old-2'::bytea, 0), ('s', 't', 'old-3'::bytea, 0);
                INSERT INTO "{schema}".stream_checkpoints VALUES ('reader', 2);
                """);
            await create.ExecuteNonQueryAsync();
        }

        await using var store = new PostgreSqlGrainStore(new PostgreSqlGrainStoreOptions { ConnectionString = connectionString, Schema = schema });
        try
        {
            await store.InitializeAsync(CancellationToken.None);
            await store.InitializeAsync(CancellationToken.None);
            Assert.True((await store.CommitAsync(new CommitBatch([], [Event("s", "t", "new")], []), CancellationToken.None)).IsCommitted);

            var checkpoint = await store.ReadCheckpointAsync("reader", CancellationToken.None);
            Assert.Equal(["old-3", "new"], (await store.ReadEventsAsync(checkpoint, 100, CancellationToken.None)).Select(Payload));
            Assert.Equal(["old-1", "old-2", "old-3", "new"], (await store.ReadEventsAsync(0, 100, CancellationToken.None)).Select(Payload));
        }
        finally
        {
            await using var database = NpgsqlDataSource.Create(connectionString);
            await using var drop = database.CreateCommand($"""DROP SCHEMA "{schema}" CASCADE""");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public void A_schema_name_that_is_not_a_plain_identifier_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PostgreSqlGrainStore(
            new PostgreSqlGrainStoreOptions { ConnectionString = postgres.Server.ConnectionString, Schema = "x; DROP TABLE y" }));
    }

    /// <summary>Inserts an event the way the store's batch does (the table's defaults fill in the rest); returns its sequence.</summary>
    private async Task<long> InsertEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string payload)
    {
        await using var insert = new NpgsqlCommand(
            $"""INSERT INTO "{_schema}".stream_events (stream, event_type, payload, timestamp_ticks) VALUES ('s', 't', $1, 0) RETURNING sequence""",
            connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetBytes(payload) });
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    private static string Payload(StoredEvent e) => Encoding.UTF8.GetString(e.Payload);

    private static string Describe(IEnumerable<StoredEvent> events) => "[" + string.Join(", ", events.Select(e => $"{e.Sequence}:{Payload(e)}")) + "]";
}
