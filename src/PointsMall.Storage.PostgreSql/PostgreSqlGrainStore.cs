using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace PointsMall.Storage.PostgreSql;

/// <summary>
/// The cluster <see cref="IGrainStore"/>: PostgreSQL through one <see cref="NpgsqlDataSource"/>.
/// </summary>
/// <remarks>
/// A batch is one transaction and two round trips: one <see cref="NpgsqlBatch"/> carries every statement
/// (each of them a set operation over <c>unnest</c>ed arrays, whatever the batch size), then COMMIT or ROLLBACK.
/// Durability is PostgreSQL's <c>synchronous_commit=on</c>, which the transaction asserts for itself, along with an
/// <c>idle_in_transaction_session_timeout</c> so a stalled writer cannot keep its rows locked.
/// Times are stored as UTC ticks (bigint), so <see cref="DateTimeOffset"/> values round-trip exactly.
/// <para><b>Outbox order (design note).</b> An event's sequence is taken when its row is inserted, not when its
/// transaction commits, and several transactions may be open at once (several silos): A takes 10, B takes 11, B
/// commits, a reader reads 11 and checkpoints it, then A commits 10 behind the checkpoint, never to be read. Each event
/// therefore records its transaction (<c>xact_id</c>, defaulting to <c>pg_current_xact_id()</c>), and the outbox is read
/// in (transaction, sequence) order, only up to the oldest transaction still running
/// (<c>xact_id &lt; pg_snapshot_xmin(pg_current_snapshot())</c>). Every transaction below that bound has ended, and any
/// transaction still running or yet to take an id has an id at or above it, so the events returned are a prefix of the
/// final order: nothing can later appear before one of them, and a checkpoint never passes an event still to come.
/// Filtering on the bound while ordering by sequence would not do: a transaction may take its id (its state writes come
/// first) before another that then inserts events with lower sequences and commits later. Within one transaction the
/// sequence keeps batch order, and one grain's writes commit one after another (each with a newer transaction), so
/// its events stay in commit order. The
/// checkpoint stays a sequence: the sequence names its event, whose row gives the transaction back.</para>
/// <para>The price: an event waits while any older transaction on the server is still open (the store's commits are
/// short, so it waits for the reader's next wake-up or poll; a long transaction anywhere on the server holds the outbox
/// back until it ends), and the write path pays one more index entry per event. Commits are not serialised.</para>
/// </remarks>
public sealed partial class PostgreSqlGrainStore : IGrainStore
{
    /// <summary>How long the server waits for the COMMIT of a batch whose statements have run before it ends the session.</summary>
    public const string AbandonedTransactionTimeout = "10s";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly Sql _sql;

    public PostgreSqlGrainStore(PostgreSqlGrainStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        if (!SchemaName().IsMatch(options.Schema ?? ""))
        {
            throw new ArgumentException(
                $"The schema name '{options.Schema}' is not a plain lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters).", nameof(options));
        }

        _schema = options.Schema!;
        _sql = new Sql($"\"{_schema}\"");
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    public string Name => "postgresql";

    /// <summary>The schema that holds the tables.</summary>
    public string Schema => _schema;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Silos starting together would race on CREATE ... IF NOT EXISTS (it is not atomic); the lock orders them.
        await using (var command = new NpgsqlCommand(_sql.CreateSchema, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<StoredState?> ReadStateAsync(StateKey grain, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ReadState);
        command.Parameters.Add(new NpgsqlParameter { Value = grain.Type });
        command.Parameters.Add(new NpgsqlParameter { Value = grain.Key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredState(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
            : null;
    }

    public async Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return CommitResult.Committed;
        }

        batch.EnsureOneWritePerKey();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);

        // Npgsql sends BEGIN together with the batch, so this costs no round trip of its own.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var commands = new NpgsqlBatch(connection, transaction);
        commands.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = on"));

        // A client stalled between the batch and its COMMIT (a paused process, a silo the cluster declared dead) would
        // hold the rows it wrote locked, and hold the outbox back, until its connection died; the server ends such a
        // transaction instead, so the survivors' writes go on. A commit that slow was never acknowledged: it just fails.
        commands.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL idle_in_transaction_session_timeout = '{AbandonedTransactionTimeout}'"));
        AddStateWrites(commands, batch.States);
        AddEvents(commands, batch.Events);
        AddReminders(commands, batch.Reminders);
        AddIndexWrites(commands, batch.Indexes);

        // The two state statements return the batch indexes of the writes whose fences failed; nothing else returns rows.
        List<StateKey>? conflicts = null;
        await using (var reader = await commands.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    (conflicts ??= []).Add(batch.States[reader.GetInt32(0)].Grain);
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        if (conflicts is not null)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return new CommitResult(conflicts);
        }

        await transaction.CommitAsync(cancellationToken);
        return CommitResult.Committed;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var command = _dataSource.CreateCommand(_sql.ReadEvents);
        command.Parameters.Add(new NpgsqlParameter { Value = afterSequence, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = maxCount, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<byte[]>(3),
                new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero)));
        }

        return events;
    }

    public async Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        await using var command = _dataSource.CreateCommand(_sql.ReadCheckpoint);
        command.Parameters.Add(new NpgsqlParameter { Value = subscriber });
        return await command.ExecuteScalarAsync(cancellationToken) is long sequence ? sequence : 0;
    }

    public async Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        await using var command = _dataSource.CreateCommand(_sql.WriteCheckpoint);
        command.Parameters.Add(new NpgsqlParameter { Value = subscriber });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryWriteCheckpointAsync(string subscriber, long sequence, LeaseFence fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        await using var command = _dataSource.CreateCommand(_sql.WriteFencedCheckpoint);
        command.Parameters.Add(new NpgsqlParameter { Value = subscriber });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = fence.Lease });
        command.Parameters.Add(new NpgsqlParameter { Value = fence.Holder });
        command.Parameters.Add(new NpgsqlParameter { Value = fence.Token, NpgsqlDbType = NpgsqlDbType.Bigint });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<LeaseState> AcquireLeaseAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using (var command = _dataSource.CreateCommand(_sql.AcquireLease))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = request.Lease });
            command.Parameters.Add(new NpgsqlParameter { Value = request.Holder });
            command.Parameters.Add(new NpgsqlParameter { Value = request.ExpiresAt.UtcTicks, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = request.Now.UtcTicks, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)request.Supersede ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            if (await ReadLeaseAsync(command, cancellationToken) is { } granted)
            {
                return granted;
            }
        }

        // Refused: who holds it, for the caller to judge (a later change of holder is the caller's next attempt's business).
        await using var read = _dataSource.CreateCommand(_sql.ReadLease);
        read.Parameters.Add(new NpgsqlParameter { Value = request.Lease });
        return await ReadLeaseAsync(read, cancellationToken)
            ?? throw new InvalidOperationException($"The lease '{request.Lease}' was neither granted nor found.");
    }

    public async Task ReleaseLeaseAsync(string lease, string holder, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ReleaseLease);
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = holder });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ReadDueReminders);
        command.Parameters.Add(new NpgsqlParameter { Value = dueBefore.UtcTicks, NpgsqlDbType = NpgsqlDbType.Bigint });
        return await ReadRemindersAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(StateKey grain, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ReadGrainReminders);
        command.Parameters.Add(new NpgsqlParameter { Value = grain.Type });
        command.Parameters.Add(new NpgsqlParameter { Value = grain.Key });
        return await ReadRemindersAsync(command, cancellationToken);
    }

    public async Task<IndexPage> QueryIndexAsync(IndexQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = new List<IndexRow>();
        var total = 0;
        await using (var command = _dataSource.CreateCommand(_sql.QueryIndex(query, countOnly: false)))
        {
            IndexParameters(command, query);
            command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, query.Limit) });
            command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, query.Offset) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new IndexRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)));
                total = (int)reader.GetInt64(5);
            }
        }

        // A page past the end has no row to carry the total.
        if (rows.Count == 0 && query.Offset > 0)
        {
            await using var count = _dataSource.CreateCommand(_sql.QueryIndex(query, countOnly: true));
            IndexParameters(count, query);
            total = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        return new IndexPage(rows, total);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The index, then the filters that are given, in the order <see cref="Sql.QueryIndex"/> numbers them.</summary>
    private static void IndexParameters(NpgsqlCommand command, IndexQuery query)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = query.Index });
        foreach (var filter in new[] { query.Partition, query.Tag, query.Text?.ToLowerInvariant() })
        {
            if (filter is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = filter });
            }
        }
    }

    private static async Task<LeaseState?> ReadLeaseAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LeaseState(reader.GetString(0), reader.GetInt64(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero))
            : null;
    }

    private static async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reminders = new List<ReminderRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reminders.Add(new ReminderRecord(
                new StateKey(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                reader.IsDBNull(4) ? null : TimeSpan.FromTicks(reader.GetInt64(4))));
        }

        return reminders;
    }

    private void AddStateWrites(NpgsqlBatch commands, IReadOnlyList<StateWrite> states)
    {
        // Inserts (expected version 0) and updates are separate set statements; each carries the batch index.
        var inserts = 0;
        foreach (var write in states)
        {
            if (write.ExpectedVersion == 0)
            {
                inserts++;
            }
        }

        var updates = states.Count - inserts;
        if (updates > 0)
        {
            var index = new int[updates];
            var types = new string[updates];
            var keys = new string[updates];
            var expected = new long[updates];
            var versions = new long[updates];
            var payloads = new byte[updates][];
            var n = 0;
            for (var i = 0; i < states.Count; i++)
            {
                var write = states[i];
                if (write.ExpectedVersion != 0)
                {
                    (index[n], types[n], keys[n], expected[n], versions[n], payloads[n]) =
                        (i, write.Grain.Type, write.Grain.Key, write.ExpectedVersion, write.NewVersion, write.Payload);
                    n++;
                }
            }

            commands.BatchCommands.Add(Command(_sql.UpdateStates, Ints(index), Texts(types), Texts(keys), Bigints(expected), Bigints(versions), Blobs(payloads)));
        }

        if (inserts > 0)
        {
            var index = new int[inserts];
            var types = new string[inserts];
            var keys = new string[inserts];
            var versions = new long[inserts];
            var payloads = new byte[inserts][];
            var n = 0;
            for (var i = 0; i < states.Count; i++)
            {
                var write = states[i];
                if (write.ExpectedVersion == 0)
                {
                    (index[n], types[n], keys[n], versions[n], payloads[n]) = (i, write.Grain.Type, write.Grain.Key, write.NewVersion, write.Payload);
                    n++;
                }
            }

            commands.BatchCommands.Add(Command(_sql.InsertStates, Ints(index), Texts(types), Texts(keys), Bigints(versions), Blobs(payloads)));
        }
    }

    private void AddEvents(NpgsqlBatch commands, IReadOnlyList<EventAppend> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var streams = new string[events.Count];
        var types = new string[events.Count];
        var payloads = new byte[events.Count][];
        var ticks = new long[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            (streams[i], types[i], payloads[i], ticks[i]) = (events[i].Stream, events[i].EventType, events[i].Payload, events[i].Timestamp.UtcTicks);
        }

        commands.BatchCommands.Add(Command(_sql.AppendEvents, Texts(streams), Texts(types), Blobs(payloads), Bigints(ticks)));
    }

    private void AddReminders(NpgsqlBatch commands, IReadOnlyList<ReminderWrite> reminders)
    {
        if (reminders.Count == 0)
        {
            return;
        }

        // One set statement per kind. A batch holds at most one write per reminder, so their order does not matter.
        var upserts = reminders.Where(r => r.Kind == ReminderWriteKind.Upsert).ToArray();
        if (upserts.Length > 0)
        {
            commands.BatchCommands.Add(Command(
                _sql.UpsertReminders,
                Texts(upserts.Select(r => r.Grain.Type)),
                Texts(upserts.Select(r => r.Grain.Key)),
                Texts(upserts.Select(r => r.Name)),
                Bigints(upserts.Select(r => r.DueAt.UtcTicks)),
                new NpgsqlParameter { Value = upserts.Select(r => r.Period?.Ticks).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint }));
        }

        var deletes = reminders.Where(r => r.Kind == ReminderWriteKind.Delete).ToArray();
        if (deletes.Length > 0)
        {
            commands.BatchCommands.Add(Command(
                _sql.DeleteReminders,
                Texts(deletes.Select(r => r.Grain.Type)),
                Texts(deletes.Select(r => r.Grain.Key)),
                Texts(deletes.Select(r => r.Name))));
        }

        // No expected due time matches no stored one, so those acknowledgements are no-ops and are left out.
        var deletesIfDue = reminders.Where(r => r.Kind == ReminderWriteKind.DeleteIfDue && r.ExpectedDueAt is not null).ToArray();
        if (deletesIfDue.Length > 0)
        {
            commands.BatchCommands.Add(Command(
                _sql.DeleteRemindersIfDue,
                Texts(deletesIfDue.Select(r => r.Grain.Type)),
                Texts(deletesIfDue.Select(r => r.Grain.Key)),
                Texts(deletesIfDue.Select(r => r.Name)),
                Bigints(deletesIfDue.Select(r => r.ExpectedDueAt!.Value.UtcTicks))));
        }

        var advances = reminders.Where(r => r.Kind == ReminderWriteKind.AdvanceIfDue && r.ExpectedDueAt is not null).ToArray();
        if (advances.Length > 0)
        {
            commands.BatchCommands.Add(Command(
                _sql.AdvanceRemindersIfDue,
                Texts(advances.Select(r => r.Grain.Type)),
                Texts(advances.Select(r => r.Grain.Key)),
                Texts(advances.Select(r => r.Name)),
                Bigints(advances.Select(r => r.ExpectedDueAt!.Value.UtcTicks)),
                Bigints(advances.Select(r => r.DueAt.UtcTicks))));
        }

        foreach (var write in reminders)
        {
            if (write.Kind is not (ReminderWriteKind.Upsert or ReminderWriteKind.Delete or ReminderWriteKind.DeleteIfDue or ReminderWriteKind.AdvanceIfDue))
            {
                throw new ArgumentOutOfRangeException(nameof(reminders), write.Kind, "Unknown reminder write kind.");
            }
        }
    }

    private void AddIndexWrites(NpgsqlBatch commands, IReadOnlyList<IndexWrite> writes)
    {
        // One set statement each for puts and removals; a batch holds at most one write per entry.
        var puts = writes.Where(w => w.Entry is not null).ToArray();
        if (puts.Length > 0)
        {
            commands.BatchCommands.Add(Command(
                _sql.UpsertIndex,
                Texts(puts.Select(w => w.Index)),
                Texts(puts.Select(w => w.Key)),
                NullableTexts(puts.Select(w => w.Entry!.Partition)),
                NullableTexts(puts.Select(w => w.Entry!.Tag)),
                Bigints(puts.Select(w => w.Entry!.SortKey)),
                NullableTexts(puts.Select(w => w.Entry!.Text)),
                Blobs([.. puts.Select(w => w.Entry!.Payload)])));
        }

        var removals = writes.Where(w => w.Entry is null).ToArray();
        if (removals.Length > 0)
        {
            commands.BatchCommands.Add(Command(_sql.DeleteIndex, Texts(removals.Select(w => w.Index)), Texts(removals.Select(w => w.Key))));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Ints(int[] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };

    private static NpgsqlParameter Texts(string[] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Texts(IEnumerable<string> values) => Texts(values.ToArray());

    private static NpgsqlParameter NullableTexts(IEnumerable<string?> values) => new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Bigints(long[] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };

    private static NpgsqlParameter Bigints(IEnumerable<long> values) => Bigints(values.ToArray());

    private static NpgsqlParameter Blobs(byte[][] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    /// <summary>The store's SQL, with the (validated, quoted) schema name filled in once.</summary>
    private sealed class Sql(string s)
    {
        public string CreateSchema { get; } = $"""
            SELECT pg_advisory_xact_lock(hashtext('pointsmall.grain-store.schema:{s}'));
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE IF NOT EXISTS {s}.grain_state (
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                version bigint NOT NULL,
                payload bytea NOT NULL,
                PRIMARY KEY (grain_type, grain_key));
            CREATE TABLE IF NOT EXISTS {s}.stream_events (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream text NOT NULL,
                event_type text NOT NULL,
                payload bytea NOT NULL,
                timestamp_ticks bigint NOT NULL,
                xact_id xid8 NOT NULL DEFAULT pg_current_xact_id());
            -- Tables from before events carried their transaction: the events already there count as transaction 0, before
            -- every later one, so they keep their order and existing checkpoints stay valid. A constant default adds the
            -- column without rewriting the table; the ALTERs run only then, so a routine start takes no exclusive lock.
            DO $migrate$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_attribute
                               WHERE attrelid = '{s}.stream_events'::regclass AND attname = 'xact_id' AND NOT attisdropped) THEN
                    ALTER TABLE {s}.stream_events ADD COLUMN xact_id xid8 NOT NULL DEFAULT '0';
                    ALTER TABLE {s}.stream_events ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();
                END IF;
            END $migrate$;
            CREATE INDEX IF NOT EXISTS stream_events_by_xact ON {s}.stream_events (xact_id, sequence);
            CREATE TABLE IF NOT EXISTS {s}.stream_checkpoints (
                subscriber text PRIMARY KEY,
                sequence bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS {s}.leases (
                name text PRIMARY KEY,
                holder text NOT NULL,
                token bigint NOT NULL,
                expires_ticks bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS {s}.reminders (
                grain_type text NOT NULL,
                grain_key text NOT NULL,
                name text NOT NULL,
                due_ticks bigint NOT NULL,
                period_ticks bigint NULL,
                PRIMARY KEY (grain_type, grain_key, name));
            CREATE INDEX IF NOT EXISTS reminders_by_due ON {s}.reminders (due_ticks);
            CREATE TABLE IF NOT EXISTS {s}.grain_index (
                index_name text NOT NULL,
                entry_key text NOT NULL,
                partition_key text NULL,
                tag text NULL,
                sort_key bigint NOT NULL,
                search_text text NULL,
                payload bytea NOT NULL,
                PRIMARY KEY (index_name, entry_key));
            CREATE INDEX IF NOT EXISTS grain_index_by_sort ON {s}.grain_index (index_name, sort_key DESC, entry_key COLLATE "C");
            CREATE INDEX IF NOT EXISTS grain_index_by_tag ON {s}.grain_index (index_name, tag, sort_key DESC, entry_key COLLATE "C");
            CREATE INDEX IF NOT EXISTS grain_index_by_partition ON {s}.grain_index (index_name, partition_key, sort_key DESC, entry_key COLLATE "C");
            """;

        public string UpsertIndex { get; } = $"""
            INSERT INTO {s}.grain_index (index_name, entry_key, partition_key, tag, sort_key, search_text, payload)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bytea[])
            ON CONFLICT (index_name, entry_key) DO UPDATE SET partition_key = EXCLUDED.partition_key, tag = EXCLUDED.tag,
                sort_key = EXCLUDED.sort_key, search_text = EXCLUDED.search_text, payload = EXCLUDED.payload
            """;

        public string DeleteIndex { get; } = $"""
            DELETE FROM {s}.grain_index AS g
            USING unnest($1::text[], $2::text[]) AS d(index_name, entry_key)
            WHERE g.index_name = d.index_name AND g.entry_key = d.entry_key
            """;

        /// <summary>
        /// The query of an index with only the given filters (so the planner can pick the matching index), numbered in
        /// the order of <see cref="IndexParameters"/>; then limit and offset unless <paramref name="countOnly"/>.
        /// </summary>
        public string QueryIndex(IndexQuery query, bool countOnly)
        {
            var n = 1;
            var where = $"index_name = ${n++}"
                + (query.Partition is null ? "" : $" AND partition_key = ${n++}")
                + (query.Tag is null ? "" : $" AND tag = ${n++}")
                + (query.Text is null ? "" : $" AND strpos(search_text, ${n++}) > 0");
            return countOnly
                ? $"SELECT count(*) FROM {s}.grain_index WHERE {where}"
                // The total is an uncorrelated subquery (one index scan per page, in the page's snapshot), not a
                // window over the matches, which would materialise every matching row with its payload per page.
                : $"""
                    SELECT entry_key, partition_key, tag, sort_key, payload, (SELECT count(*) FROM {s}.grain_index WHERE {where})
                    FROM {s}.grain_index
                    WHERE {where} ORDER BY sort_key DESC, entry_key COLLATE "C" LIMIT ${n++} OFFSET ${n}
                    """;
        }

        public string ReadState { get; } = $"SELECT version, payload FROM {s}.grain_state WHERE grain_type = $1 AND grain_key = $2";

        // Returns the batch index of every write whose row was not at the expected version.
        public string UpdateStates { get; } = $"""
            WITH req AS (
                SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[])
                    AS r(idx, grain_type, grain_key, expected, new_version, payload)),
            upd AS (
                UPDATE {s}.grain_state AS g SET version = req.new_version, payload = req.payload
                FROM req
                WHERE g.grain_type = req.grain_type AND g.grain_key = req.grain_key AND g.version = req.expected
                RETURNING req.idx)
            SELECT req.idx FROM req WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.idx = req.idx)
            """;

        // Returns the batch index of every insert whose row already existed.
        public string InsertStates { get; } = $"""
            WITH req AS (
                SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bytea[])
                    AS r(idx, grain_type, grain_key, new_version, payload)),
            ins AS (
                INSERT INTO {s}.grain_state (grain_type, grain_key, version, payload)
                SELECT grain_type, grain_key, new_version, payload FROM req
                ON CONFLICT (grain_type, grain_key) DO NOTHING
                RETURNING grain_type, grain_key)
            SELECT req.idx FROM req
            WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.grain_type = req.grain_type AND ins.grain_key = req.grain_key)
            """;

        // ORDER BY the ordinality makes the identity follow batch order.
        public string AppendEvents { get; } = $"""
            INSERT INTO {s}.stream_events (stream, event_type, payload, timestamp_ticks)
            SELECT stream, event_type, payload, ticks
            FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[]) WITH ORDINALITY AS e(stream, event_type, payload, ticks, ord)
            ORDER BY ord
            """;

        public string UpsertReminders { get; } = $"""
            INSERT INTO {s}.reminders (grain_type, grain_key, name, due_ticks, period_ticks)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET due_ticks = EXCLUDED.due_ticks, period_ticks = EXCLUDED.period_ticks
            """;

        public string DeleteReminders { get; } = $"""
            DELETE FROM {s}.reminders AS r
            USING unnest($1::text[], $2::text[], $3::text[]) AS d(grain_type, grain_key, name)
            WHERE r.grain_type = d.grain_type AND r.grain_key = d.grain_key AND r.name = d.name
            """;

        public string DeleteRemindersIfDue { get; } = $"""
            DELETE FROM {s}.reminders AS r
            USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS d(grain_type, grain_key, name, expected)
            WHERE r.grain_type = d.grain_type AND r.grain_key = d.grain_key AND r.name = d.name AND r.due_ticks = d.expected
            """;

        public string AdvanceRemindersIfDue { get; } = $"""
            UPDATE {s}.reminders AS r SET due_ticks = a.due
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS a(grain_type, grain_key, name, expected, due)
            WHERE r.grain_type = a.grain_type AND r.grain_key = a.grain_key AND r.name = a.name AND r.due_ticks = a.expected
            """;

        /// <summary>
        /// The outbox position of event <paramref name="sequence"/>: (its transaction, its sequence). An event not in the
        /// table (position 0, or a sequence never handed out) counts as transaction 0, which errs towards redelivery.
        /// </summary>
        private static string Position(string schema, string sequence) =>
            $"(COALESCE((SELECT p.xact_id FROM {schema}.stream_events AS p WHERE p.sequence = {sequence}), '0'::xid8), {sequence})";

        // Always updates the row (the fenced write counts it as the fence holding), to the later of the two positions.
        private static string Later(string schema) =>
            $"CASE WHEN {Position(schema, "EXCLUDED.sequence")} > {Position(schema, "c.sequence")} THEN EXCLUDED.sequence ELSE c.sequence END";

        // Only transactions older than every one still running: their set is final (see the class's design note).
        public string ReadEvents { get; } = $"""
            SELECT sequence, stream, event_type, payload, timestamp_ticks FROM {s}.stream_events
            WHERE (xact_id, sequence) > {Position(s, "$1")} AND xact_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY xact_id, sequence LIMIT $2
            """;

        public string ReadCheckpoint { get; } = $"SELECT sequence FROM {s}.stream_checkpoints WHERE subscriber = $1";

        // Forward only, in outbox order: a later position may have a lower sequence.
        public string WriteCheckpoint { get; } = $"""
            INSERT INTO {s}.stream_checkpoints AS c (subscriber, sequence) VALUES ($1, $2)
            ON CONFLICT (subscriber) DO UPDATE SET sequence = {Later(s)}
            """;

        // FOR SHARE holds the lease row until the write commits: a takeover waits for it, and a takeover that
        // committed first is seen (the row is re-checked after the wait), so a fenced-out holder writes nothing.
        public string WriteFencedCheckpoint { get; } = $"""
            INSERT INTO {s}.stream_checkpoints AS c (subscriber, sequence)
            SELECT $1, $2 FROM {s}.leases WHERE name = $3 AND holder = $4 AND token = $5 FOR SHARE
            ON CONFLICT (subscriber) DO UPDATE SET sequence = {Later(s)}
            """;

        // Renewal keeps the token; any change of holder (expired, or superseded) takes the next one.
        public string AcquireLease { get; } = $"""
            INSERT INTO {s}.leases AS l (name, holder, token, expires_ticks) VALUES ($1, $2, 1, $3)
            ON CONFLICT (name) DO UPDATE SET
                token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
                holder = EXCLUDED.holder,
                expires_ticks = EXCLUDED.expires_ticks
            WHERE l.holder = EXCLUDED.holder OR l.expires_ticks <= $4 OR l.holder = $5
            RETURNING holder, token, expires_ticks
            """;

        public string ReadLease { get; } = $"SELECT holder, token, expires_ticks FROM {s}.leases WHERE name = $1";

        public string ReleaseLease { get; } = $"UPDATE {s}.leases SET expires_ticks = 0 WHERE name = $1 AND holder = $2";

        public string ReadDueReminders { get; } = $"""
            SELECT grain_type, grain_key, name, due_ticks, period_ticks FROM {s}.reminders
            WHERE due_ticks < $1 ORDER BY due_ticks, grain_type, grain_key, name
            """;

        public string ReadGrainReminders { get; } = $"""
            SELECT grain_type, grain_key, name, due_ticks, period_ticks FROM {s}.reminders
            WHERE grain_type = $1 AND grain_key = $2 ORDER BY name
            """;
    }
}
