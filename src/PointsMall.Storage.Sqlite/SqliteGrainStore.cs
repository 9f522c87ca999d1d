using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PointsMall.Storage.Sqlite;

/// <summary>
/// The embedded default <see cref="IGrainStore"/>: one SQLite file in WAL mode with <c>synchronous=FULL</c>,
/// so a committed batch is on disk (fsync'd) before <see cref="CommitAsync"/> returns.
/// </summary>
/// <remarks>
/// Writes (commits and checkpoints) go through one dedicated connection whose prepared statements live as
/// long as it does; reads open pooled connections, which WAL lets run alongside the writer.
/// Times are stored as UTC ticks, so <see cref="DateTimeOffset"/> values round-trip exactly (as UTC).
/// </remarks>
public sealed class SqliteGrainStore : IGrainStore
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _databasePath;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMs;
    private Writer? _writer;
    private bool _disposed;

    public SqliteGrainStore(SqliteGrainStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath);
        _databasePath = Path.GetFullPath(options.DatabasePath);
        _busyTimeoutMs = (int)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));

        // The writer is not pooled: it is the store's own connection for its whole life.
        _writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    public string Name => "sqlite";

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => _databasePath;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            EnsureWriter();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<StoredState?> ReadStateAsync(StateKey grain, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, payload FROM grain_state WHERE grain_type = $type AND grain_key = $key";
        command.Parameters.AddWithValue("$type", grain.Type);
        command.Parameters.AddWithValue("$key", grain.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredState(reader.GetInt64(0), (byte[])reader.GetValue(1))
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
        return await WriteAsync(writer => writer.Commit(batch, cancellationToken), cancellationToken);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence, stream, event_type, payload, timestamp_ticks FROM stream_events
            WHERE sequence > $after ORDER BY sequence LIMIT $max
            """;
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$max", maxCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                (byte[])reader.GetValue(3),
                FromTicks(reader.GetInt64(4))));
        }

        return events;
    }

    public async Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence FROM stream_checkpoints WHERE subscriber = $subscriber";
        command.Parameters.AddWithValue("$subscriber", subscriber);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public async Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);

        // A write, so it takes the writer: SQLite has one writer at a time anyway, and this keeps it ours.
        await WriteAsync(writer =>
        {
            writer.WriteCheckpoint(subscriber, sequence);
            return true;
        }, cancellationToken);
    }

    public Task<bool> TryWriteCheckpointAsync(string subscriber, long sequence, LeaseFence fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);

        // On the writer: the fence check and the write are one statement, which sees every committed lease change.
        return WriteAsync(writer => writer.TryWriteCheckpoint(subscriber, sequence, fence), cancellationToken);
    }

    public Task<LeaseState> AcquireLeaseAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WriteAsync(writer => writer.AcquireLease(request), cancellationToken);
    }

    public Task ReleaseLeaseAsync(string lease, string holder, CancellationToken cancellationToken)
        => WriteAsync(writer => writer.ReleaseLease(lease, holder), cancellationToken);

    public async Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT grain_type, grain_key, name, due_ticks, period_ticks FROM reminders
            WHERE due_ticks < $before ORDER BY due_ticks, grain_type, grain_key, name
            """;
        command.Parameters.AddWithValue("$before", dueBefore.UtcTicks);
        return await ReadRemindersAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(StateKey grain, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT grain_type, grain_key, name, due_ticks, period_ticks FROM reminders
            WHERE grain_type = $type AND grain_key = $key ORDER BY name
            """;
        command.Parameters.AddWithValue("$type", grain.Type);
        command.Parameters.AddWithValue("$key", grain.Key);
        return await ReadRemindersAsync(command, cancellationToken);
    }

    public async Task<IndexPage> QueryIndexAsync(IndexQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // Only the filters given, so the planner can use the (index, tag) and (index, partition) indexes.
        var where = new System.Text.StringBuilder("index_name = $i");
        command.Parameters.AddWithValue("$i", query.Index);
        if (query.Partition is not null)
        {
            where.Append(" AND partition_key = $p");
            command.Parameters.AddWithValue("$p", query.Partition);
        }

        if (query.Tag is not null)
        {
            where.Append(" AND tag = $tag");
            command.Parameters.AddWithValue("$tag", query.Tag);
        }

        if (query.Text is not null)
        {
            where.Append(" AND instr(search_text, $text) > 0");
            command.Parameters.AddWithValue("$text", query.Text.ToLowerInvariant());
        }

        // The page and the total from one statement, so one snapshot. The total is an uncorrelated subquery (run
        // once, over the index alone), not a window over the matches: a window materialises every matching row with
        // its payload for each page, which made reading a long list page by page quadratic.
        command.CommandText = $"""
            SELECT entry_key, partition_key, tag, sort_key, payload, (SELECT count(*) FROM grain_index WHERE {where}) FROM grain_index
            WHERE {where} ORDER BY sort_key DESC, entry_key LIMIT $limit OFFSET $offset
            """;
        command.Parameters.AddWithValue("$limit", Math.Max(0, query.Limit));
        command.Parameters.AddWithValue("$offset", Math.Max(0, query.Offset));
        var rows = new List<IndexRow>();
        var total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new IndexRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt64(3), (byte[])reader.GetValue(4)));
                total = reader.GetInt32(5);
            }
        }

        // A page past the end has no row to carry the total.
        if (rows.Count == 0 && query.Offset > 0)
        {
            command.CommandText = $"SELECT count(*) FROM grain_index WHERE {where}";
            total = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        return new IndexPage(rows, total);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer?.Dispose();
            _writer = null;

            // Pooled readers would otherwise keep the file (and its -wal/-shm) open after the store is gone.
            using var pooled = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    internal static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>
    /// Work on the single writer, under the write gate. Whatever failed, the transaction is rolled back (or was never
    /// begun); a fresh connection next time rules out a writer left in a state we did not foresee.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<Writer, T> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var writer = EnsureWriter();
            try
            {
                return write(writer);
            }
            catch
            {
                writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reminders = new List<ReminderRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reminders.Add(new ReminderRecord(
                new StateKey(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                FromTicks(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : TimeSpan.FromTicks(reader.GetInt64(4))));
        }

        return reminders;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the writer (and creates the file and schema) on first use. Call under the write gate.</summary>
    private Writer EnsureWriter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            var directory = Path.GetDirectoryName(_databasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            _writer = Writer.Open(_writerConnectionString, _busyTimeoutMs);
        }

        return _writer;
    }

    /// <summary>The writer connection and its prepared statements, reused for every row of every batch.</summary>
    private sealed class Writer : IDisposable
    {
        private const string Schema = """
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                version INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (grain_type, grain_key));
            CREATE TABLE IF NOT EXISTS stream_events (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                stream TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload BLOB NOT NULL,
                timestamp_ticks INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS stream_checkpoints (
                subscriber TEXT NOT NULL PRIMARY KEY,
                sequence INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS leases (
                name TEXT NOT NULL PRIMARY KEY,
                holder TEXT NOT NULL,
                token INTEGER NOT NULL,
                expires_ticks INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS reminders (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                name TEXT NOT NULL,
                due_ticks INTEGER NOT NULL,
                period_ticks INTEGER NULL,
                PRIMARY KEY (grain_type, grain_key, name));
            CREATE INDEX IF NOT EXISTS reminders_by_due ON reminders (due_ticks);
            CREATE TABLE IF NOT EXISTS grain_index (
                index_name TEXT NOT NULL,
                entry_key TEXT NOT NULL,
                partition_key TEXT NULL,
                tag TEXT NULL,
                sort_key INTEGER NOT NULL,
                search_text TEXT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (index_name, entry_key));
            CREATE INDEX IF NOT EXISTS grain_index_by_sort ON grain_index (index_name, sort_key DESC, entry_key);
            CREATE INDEX IF NOT EXISTS grain_index_by_tag ON grain_index (index_name, tag, sort_key DESC, entry_key);
            CREATE INDEX IF NOT EXISTS grain_index_by_partition ON grain_index (index_name, partition_key, sort_key DESC, entry_key);
            """;

        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _rollback;
        private readonly Statement _updateState;
        private readonly Statement _insertState;
        private readonly Statement _appendEvent;
        private readonly Statement _upsertReminder;
        private readonly Statement _deleteReminder;
        private readonly Statement _deleteReminderIfDue;
        private readonly Statement _advanceReminderIfDue;
        private readonly Statement _writeCheckpoint;
        private readonly Statement _writeFencedCheckpoint;
        private readonly Statement _acquireLease;
        private readonly Statement _readLease;
        private readonly Statement _releaseLease;
        private readonly Statement _upsertIndex;
        private readonly Statement _deleteIndex;

        private Writer(SqliteConnection connection)
        {
            _connection = connection;

            // BEGIN IMMEDIATE takes the write lock up front, so the batch cannot fail half way on a lock upgrade.
            _begin = Command("BEGIN IMMEDIATE");
            _commit = Command("COMMIT");
            _rollback = Command("ROLLBACK");
            _updateState = new Statement(connection, """
                UPDATE grain_state SET version = $new, payload = $payload
                WHERE grain_type = $t AND grain_key = $k AND version = $expected
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$expected", SqliteType.Integer), ("$new", SqliteType.Integer), ("$payload", SqliteType.Blob));
            _insertState = new Statement(connection, """
                INSERT INTO grain_state (grain_type, grain_key, version, payload) VALUES ($t, $k, $new, $payload)
                ON CONFLICT (grain_type, grain_key) DO NOTHING
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$new", SqliteType.Integer), ("$payload", SqliteType.Blob));
            _appendEvent = new Statement(connection, """
                INSERT INTO stream_events (stream, event_type, payload, timestamp_ticks) VALUES ($stream, $type, $payload, $ticks)
                """, ("$stream", SqliteType.Text), ("$type", SqliteType.Text), ("$payload", SqliteType.Blob), ("$ticks", SqliteType.Integer));
            _upsertReminder = new Statement(connection, """
                INSERT INTO reminders (grain_type, grain_key, name, due_ticks, period_ticks) VALUES ($t, $k, $name, $due, $period)
                ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET due_ticks = excluded.due_ticks, period_ticks = excluded.period_ticks
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$name", SqliteType.Text), ("$due", SqliteType.Integer), ("$period", SqliteType.Integer));
            _deleteReminder = new Statement(connection, """
                DELETE FROM reminders WHERE grain_type = $t AND grain_key = $k AND name = $name
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$name", SqliteType.Text));
            _deleteReminderIfDue = new Statement(connection, """
                DELETE FROM reminders WHERE grain_type = $t AND grain_key = $k AND name = $name AND due_ticks = $expected
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$name", SqliteType.Text), ("$expected", SqliteType.Integer));
            _advanceReminderIfDue = new Statement(connection, """
                UPDATE reminders SET due_ticks = $due
                WHERE grain_type = $t AND grain_key = $k AND name = $name AND due_ticks = $expected
                """, ("$t", SqliteType.Text), ("$k", SqliteType.Text), ("$name", SqliteType.Text), ("$expected", SqliteType.Integer), ("$due", SqliteType.Integer));
            _writeCheckpoint = new Statement(connection, """
                INSERT INTO stream_checkpoints (subscriber, sequence) VALUES ($subscriber, $sequence)
                ON CONFLICT (subscriber) DO UPDATE SET sequence = MAX(sequence, excluded.sequence)
                """, ("$subscriber", SqliteType.Text), ("$sequence", SqliteType.Integer));
            _writeFencedCheckpoint = new Statement(connection, """
                INSERT INTO stream_checkpoints (subscriber, sequence)
                SELECT $subscriber, $sequence WHERE EXISTS (SELECT 1 FROM leases WHERE name = $lease AND holder = $holder AND token = $token)
                ON CONFLICT (subscriber) DO UPDATE SET sequence = MAX(sequence, excluded.sequence)
                """, ("$subscriber", SqliteType.Text), ("$sequence", SqliteType.Integer), ("$lease", SqliteType.Text), ("$holder", SqliteType.Text), ("$token", SqliteType.Integer));

            // Renewal keeps the token; any change of holder (expired, or superseded) takes the next one.
            _acquireLease = new Statement(connection, """
                INSERT INTO leases (name, holder, token, expires_ticks) VALUES ($lease, $holder, 1, $expires)
                ON CONFLICT (name) DO UPDATE SET
                    token = CASE WHEN holder = excluded.holder THEN token ELSE token + 1 END,
                    holder = excluded.holder,
                    expires_ticks = excluded.expires_ticks
                WHERE holder = excluded.holder OR expires_ticks <= $now OR holder = $supersede
                RETURNING holder, token, expires_ticks
                """, ("$lease", SqliteType.Text), ("$holder", SqliteType.Text), ("$expires", SqliteType.Integer), ("$now", SqliteType.Integer), ("$supersede", SqliteType.Text));
            _readLease = new Statement(connection, "SELECT holder, token, expires_ticks FROM leases WHERE name = $lease", ("$lease", SqliteType.Text));
            _releaseLease = new Statement(connection, "UPDATE leases SET expires_ticks = 0 WHERE name = $lease AND holder = $holder",
                ("$lease", SqliteType.Text), ("$holder", SqliteType.Text));
            _upsertIndex = new Statement(connection, """
                INSERT INTO grain_index (index_name, entry_key, partition_key, tag, sort_key, search_text, payload)
                VALUES ($i, $k, $p, $tag, $sort, $text, $payload)
                ON CONFLICT (index_name, entry_key) DO UPDATE SET partition_key = excluded.partition_key, tag = excluded.tag,
                    sort_key = excluded.sort_key, search_text = excluded.search_text, payload = excluded.payload
                """, ("$i", SqliteType.Text), ("$k", SqliteType.Text), ("$p", SqliteType.Text), ("$tag", SqliteType.Text),
                ("$sort", SqliteType.Integer), ("$text", SqliteType.Text), ("$payload", SqliteType.Blob));
            _deleteIndex = new Statement(connection, "DELETE FROM grain_index WHERE index_name = $i AND entry_key = $k",
                ("$i", SqliteType.Text), ("$k", SqliteType.Text));
        }

        public static Writer Open(string connectionString, int busyTimeoutMs)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyTimeoutMs}"));
                var journalMode = Scalar(connection, "PRAGMA journal_mode = WAL");
                if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"SQLite refused WAL journal mode for '{connection.DataSource}' (it reports '{journalMode}'); the store needs a file on a local file system.");
                }

                // FULL: the WAL is fsync'd at every commit, so an acknowledged batch survives power loss.
                Execute(connection, "PRAGMA synchronous = FULL");

                // The writer updates rows all over the state table; SQLite's default 2 MB page cache makes it
                // re-read B-tree pages for every batch once the table outgrows that. 64 MB keeps it resident.
                Execute(connection, "PRAGMA cache_size = -65536");
                Execute(connection, Schema);
                return new Writer(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public CommitResult Commit(CommitBatch batch, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _begin.ExecuteNonQuery();
            var committed = false;
            try
            {
                List<StateKey>? conflicts = null;
                foreach (var write in batch.States)
                {
                    int changed;
                    if (write.ExpectedVersion == 0)
                    {
                        changed = _insertState.Execute(write.Grain.Type, write.Grain.Key, write.NewVersion, write.Payload);
                    }
                    else
                    {
                        changed = _updateState.Execute(write.Grain.Type, write.Grain.Key, write.ExpectedVersion, write.NewVersion, write.Payload);
                    }

                    if (changed == 0)
                    {
                        (conflicts ??= []).Add(write.Grain);
                    }
                }

                if (conflicts is not null)
                {
                    // Every fence was tried, so the caller learns all conflicting grains at once.
                    return new CommitResult(conflicts);
                }

                cancellationToken.ThrowIfCancellationRequested();
                foreach (var appended in batch.Events)
                {
                    // AUTOINCREMENT hands out sequences in insertion order and never reuses one.
                    _appendEvent.Execute(appended.Stream, appended.EventType, appended.Payload, appended.Timestamp.UtcTicks);
                }

                foreach (var write in batch.Reminders)
                {
                    ApplyReminder(write);
                }

                foreach (var write in batch.Indexes)
                {
                    if (write.Entry is { } entry)
                    {
                        _upsertIndex.Execute(write.Index, write.Key, entry.Partition, entry.Tag, entry.SortKey, entry.Text, entry.Payload);
                    }
                    else
                    {
                        _deleteIndex.Execute(write.Index, write.Key);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                _commit.ExecuteNonQuery();
                committed = true;
                return CommitResult.Committed;
            }
            finally
            {
                if (!committed)
                {
                    TryRollback();
                }
            }
        }

        public void WriteCheckpoint(string subscriber, long sequence) => _writeCheckpoint.Execute(subscriber, sequence);

        public bool TryWriteCheckpoint(string subscriber, long sequence, LeaseFence fence)
            => _writeFencedCheckpoint.Execute(subscriber, sequence, fence.Lease, fence.Holder, fence.Token) > 0;

        public LeaseState AcquireLease(LeaseRequest request)
        {
            // Refused: the upsert returns nothing, and the row is read on the same connection (still under the write gate).
            return ReadLease(_acquireLease, request.Lease, request.Holder, request.ExpiresAt.UtcTicks, request.Now.UtcTicks, request.Supersede)
                ?? ReadLease(_readLease, request.Lease)
                ?? throw new InvalidOperationException($"The lease '{request.Lease}' was neither granted nor found.");
        }

        public int ReleaseLease(string lease, string holder) => _releaseLease.Execute(lease, holder);

        private static LeaseState? ReadLease(Statement statement, params object?[] values)
        {
            using var reader = statement.ExecuteReader(values);
            return reader.Read() ? new LeaseState(reader.GetString(0), reader.GetInt64(1), FromTicks(reader.GetInt64(2))) : null;
        }

        public void Dispose()
        {
            _begin.Dispose();
            _commit.Dispose();
            _rollback.Dispose();
            _updateState.Dispose();
            _insertState.Dispose();
            _appendEvent.Dispose();
            _upsertReminder.Dispose();
            _deleteReminder.Dispose();
            _deleteReminderIfDue.Dispose();
            _advanceReminderIfDue.Dispose();
            _writeCheckpoint.Dispose();
            _writeFencedCheckpoint.Dispose();
            _acquireLease.Dispose();
            _readLease.Dispose();
            _releaseLease.Dispose();
            _upsertIndex.Dispose();
            _deleteIndex.Dispose();
            _connection.Dispose();
        }

        private void ApplyReminder(ReminderWrite write)
        {
            var (type, key) = (write.Grain.Type, write.Grain.Key);
            switch (write.Kind)
            {
                case ReminderWriteKind.Upsert:
                    _upsertReminder.Execute(type, key, write.Name, write.DueAt.UtcTicks, write.Period?.Ticks);
                    break;
                case ReminderWriteKind.Delete:
                    _deleteReminder.Execute(type, key, write.Name);
                    break;
                case ReminderWriteKind.DeleteIfDue:
                    // No expected due time matches no stored one: nothing to acknowledge.
                    if (write.ExpectedDueAt is { } expected)
                    {
                        _deleteReminderIfDue.Execute(type, key, write.Name, expected.UtcTicks);
                    }

                    break;
                case ReminderWriteKind.AdvanceIfDue:
                    if (write.ExpectedDueAt is { } previous)
                    {
                        _advanceReminderIfDue.Execute(type, key, write.Name, previous.UtcTicks, write.DueAt.UtcTicks);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(write), write.Kind, "Unknown reminder write kind.");
            }
        }

        private void TryRollback()
        {
            // Some errors (SQLITE_FULL, I/O errors) make SQLite roll back by itself; then there is nothing to undo.
            if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                _rollback.ExecuteNonQuery();
            }
        }

        private SqliteCommand Command(string sql)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            return command;
        }

        private static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        private static string? Scalar(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A prepared statement whose parameters are created once; each execution only sets values.</summary>
    private sealed class Statement : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;

        public Statement(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            _parameters = new SqliteParameter[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                _parameters[i] = _command.Parameters.Add(parameters[i].Name, parameters[i].Type);
            }

            _command.Prepare();
        }

        public int Execute(params object?[] values)
        {
            Bind(values);
            return _command.ExecuteNonQuery();
        }

        public SqliteDataReader ExecuteReader(params object?[] values)
        {
            Bind(values);
            return _command.ExecuteReader();
        }

        private void Bind(object?[] values)
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }

        public void Dispose() => _command.Dispose();
    }
}
