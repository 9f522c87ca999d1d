using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace PointsMall.Baseline;

public sealed record LoginRequest(string? Login, string? Password);

public sealed record BulkRequest(int? Count, long? StartingPoints);

public sealed record ProductRequest(string? Name, long? PointsPrice, long? Stock, int? PerMemberLimit);

public sealed record RedemptionRequest(string? ProductId, int? Quantity);

/// <summary>
/// The usual shop: one PostgreSQL transaction per redemption that locks the product row (<c>SELECT … FOR UPDATE</c>),
/// checks the per-member limit and the idempotency key, decrements stock and balance and inserts the order and the
/// ledger row. Correct, and bounded by how many transactions per second one hot row can take.
/// </summary>
public static class BaselineApp
{
    public const int MaxBulk = 10_000;

    /// <summary>Connections in the pool unless the connection string sets it: a few per core is what keeps PostgreSQL busiest.</summary>
    public const int DefaultPoolSize = 32;

    /// <summary>Builds the app on <paramref name="url"/> over <paramref name="connectionString"/>; the schema is created on start.</summary>
    public static WebApplication Create(string connectionString, string url, string adminPassword, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()));
        // A bounded pool, as any production shop has: requests beyond it queue in the app for a connection instead of
        // overrunning the server's max_connections (100) and thrashing two cores with hundreds of backends.
        var pooled = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            pooled.MaxPoolSize = DefaultPoolSize;
        }

        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            pooled.Timeout = 60; // seconds to wait for a pooled connection under a storm
        }

        builder.Services.AddSingleton(new NpgsqlDataSourceBuilder(pooled.ConnectionString).Build());
        builder.Services.AddSingleton(new Sessions(adminPassword));
        var app = builder.Build();
        var api = app.MapGroup("/api/v1");
        api.MapPost("/auth/login", (LoginRequest request, Sessions sessions) => sessions.AdminLogin(request));
        api.MapPost("/admin/members/bulk", BulkAsync);
        api.MapGet("/admin/members/{id}", MemberAsync);
        api.MapGet("/admin/members/{id}/points", LedgerAsync);
        api.MapPost("/admin/products", CreateProductAsync);
        api.MapPost("/admin/products/{id}/shelf", (string id, HttpContext http, Sessions sessions) => sessions.IsAdmin(http) ? Results.Ok(new { id, onShelf = true }) : Problem(401, "unauthorized"));
        api.MapGet("/admin/products/{id}", ProductAsync);
        api.MapGet("/admin/orders", OrdersAsync);
        api.MapPost("/redemptions", RedeemAsync);
        app.MapGet("/health/ready", async (NpgsqlDataSource db) =>
        {
            await using var command = db.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync();
            return Results.Ok("ready");
        });
        return app;
    }

    /// <summary>Creates the tables (idempotent).</summary>
    public static async Task CreateSchemaAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS members (id text PRIMARY KEY, token text UNIQUE NOT NULL, balance bigint NOT NULL CHECK (balance >= 0));
            CREATE TABLE IF NOT EXISTS products (id text PRIMARY KEY, name text NOT NULL, points_price bigint NOT NULL, per_member_limit int,
                total bigint NOT NULL, available bigint NOT NULL CHECK (available >= 0));
            CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, member_id text NOT NULL REFERENCES members, product_id text NOT NULL REFERENCES products,
                quantity int NOT NULL, points bigint NOT NULL, status text NOT NULL, idempotency_key text NOT NULL, placed_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (member_id, idempotency_key));
            CREATE INDEX IF NOT EXISTS orders_member_product ON orders (member_id, product_id);
            CREATE TABLE IF NOT EXISTS ledger (seq bigserial PRIMARY KEY, member_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), kind text NOT NULL,
                amount bigint NOT NULL, balance_after bigint NOT NULL, operation_id text NOT NULL);
            CREATE INDEX IF NOT EXISTS ledger_member ON ledger (member_id, seq);
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IResult> BulkAsync(BulkRequest request, HttpContext http, Sessions sessions, NpgsqlDataSource db)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        if (request.Count is not (>= 1 and <= MaxBulk) || request.StartingPoints is < 0)
        {
            return Problem(400, "validation_failed");
        }

        var members = Enumerable.Range(0, request.Count.Value).Select(_ => (Id: "m-" + Guid.NewGuid().ToString("N")[..20], Token: Convert.ToHexString(RandomNumberGenerator.GetBytes(24)))).ToList();
        var start = request.StartingPoints ?? 0;
        await using (var connection = await db.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO members (id, token, balance) SELECT unnest(@ids), unnest(@tokens), @start;
                INSERT INTO ledger (member_id, kind, amount, balance_after, operation_id) SELECT id, 'earn', @start, @start, 'bulk-' || id FROM unnest(@ids) AS id WHERE @start > 0;
                """, connection, transaction);
            command.Parameters.AddWithValue("ids", members.Select(m => m.Id).ToArray());
            command.Parameters.AddWithValue("tokens", members.Select(m => m.Token).ToArray());
            command.Parameters.AddWithValue("start", start);
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        foreach (var m in members)
        {
            sessions.AddMember(m.Token, m.Id);
        }

        return Results.Ok(new { members = members.Select(m => new { id = m.Id, accessToken = m.Token }), tokenType = "Bearer", expiresIn = 43200 });
    }

    private static async Task<IResult> CreateProductAsync(ProductRequest request, HttpContext http, Sessions sessions, NpgsqlDataSource db)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        if (string.IsNullOrWhiteSpace(request.Name) || request.PointsPrice is not (>= 0) || request.Stock is not (>= 0) || request.PerMemberLimit is < 1)
        {
            return Problem(400, "validation_failed");
        }

        var id = "p-" + Guid.NewGuid().ToString("N")[..16];
        await using var command = db.CreateCommand("INSERT INTO products (id, name, points_price, per_member_limit, total, available) VALUES (@id, @name, @price, @limit, @stock, @stock)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("name", request.Name);
        command.Parameters.AddWithValue("price", request.PointsPrice.Value);
        command.Parameters.AddWithValue("limit", (object?)request.PerMemberLimit ?? DBNull.Value);
        command.Parameters.AddWithValue("stock", request.Stock.Value);
        await command.ExecuteNonQueryAsync();
        return Results.Created($"/api/v1/admin/products/{id}", new { id });
    }

    /// <summary>
    /// The redemption, written the way a careful team writes it: one transaction in two round trips. The first locks the
    /// member row (so one member's redemptions queue and the idempotency key and the per-member limit are checked
    /// race-free) and reads what the checks need. The second is one statement that decrements the hot product row only
    /// if stock is left, debits the member and inserts the order and its ledger row, sent together with the COMMIT: the
    /// hot row's lock is held for that statement and the commit's WAL flush, with no client round trip inside it. That
    /// flush is the ceiling of this design: one hot row takes about one transaction per flush.
    /// </summary>
    private static async Task<IResult> RedeemAsync(RedemptionRequest request, HttpContext http, Sessions sessions, NpgsqlDataSource db)
    {
        if (sessions.Member(http) is not { } memberId)
        {
            return Problem(401, "unauthorized");
        }

        var quantity = request.Quantity ?? 1;
        if (string.IsNullOrEmpty(request.ProductId) || quantity is < 1 or > 99)
        {
            return Problem(400, "validation_failed");
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 100)
        {
            return Problem(400, "validation_failed");
        }

        if (key.Length == 0)
        {
            key = Guid.NewGuid().ToString("N");
        }

        await using var connection = await db.OpenConnectionAsync();
        var committed = false;
        try
        {
            // Round trip 1: BEGIN, lock the member, read the price, the key's order and what the member holds.
            long price, balance, held;
            int? limit;
            await using (var checks = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("BEGIN"),
                    new NpgsqlBatchCommand("SELECT balance FROM members WHERE id = $1 FOR UPDATE") { Parameters = { new() { Value = memberId } } },
                    new NpgsqlBatchCommand("SELECT points_price, per_member_limit FROM products WHERE id = $1") { Parameters = { new() { Value = request.ProductId } } },
                    new NpgsqlBatchCommand("SELECT id, status FROM orders WHERE member_id = $1 AND idempotency_key = $2") { Parameters = { new() { Value = memberId }, new() { Value = key } } },
                    new NpgsqlBatchCommand("SELECT coalesce(sum(quantity), 0) FROM orders WHERE member_id = $1 AND product_id = $2 AND status <> 'Cancelled'")
                    {
                        Parameters = { new() { Value = memberId }, new() { Value = request.ProductId } },
                    },
                },
            })
            await using (var reader = await checks.ExecuteReaderAsync())
            {
                // BEGIN returns no result set, so the reader starts at the member's row.
                balance = await reader.ReadAsync() ? reader.GetInt64(0) : -1;
                await reader.NextResultAsync();
                if (!await reader.ReadAsync())
                {
                    return Problem(404, "not_found");
                }

                (price, limit) = (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
                await reader.NextResultAsync();
                if (await reader.ReadAsync())
                {
                    // A retry of an order this member already placed: the first outcome, nothing applied twice.
                    var (orderId, status) = (reader.GetString(0), reader.GetString(1));
                    return Results.Created($"/api/v1/orders/{orderId}", new { orderId, id = orderId, status, replayed = true });
                }

                await reader.NextResultAsync();
                await reader.ReadAsync();
                held = reader.GetInt64(0);
            }

            var cost = price * quantity;
            if (limit is { } max && held + quantity > max)
            {
                return Problem(409, "limit_exceeded");
            }

            if (balance < cost)
            {
                return Problem(422, "insufficient_points");
            }

            // Round trip 2: the hot row last, then everything that depends on it, and the COMMIT in the same batch.
            var id = "o-" + Guid.NewGuid().ToString("N")[..20];
            await using var write = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("""
                        WITH p AS (UPDATE products SET available = available - $3 WHERE id = $2 AND available >= $3 RETURNING id),
                             m AS (UPDATE members SET balance = balance - $4 WHERE id = $1 AND EXISTS (SELECT 1 FROM p) RETURNING balance),
                             o AS (INSERT INTO orders (id, member_id, product_id, quantity, points, status, idempotency_key)
                                   SELECT $5, $1, $2, $3, $4, 'PendingShipment', $6 FROM m RETURNING id),
                             l AS (INSERT INTO ledger (member_id, kind, amount, balance_after, operation_id)
                                   SELECT $1, 'spend', -$4, m.balance, $5 FROM m)
                        SELECT count(*) FROM o
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = memberId }, new() { Value = request.ProductId }, new() { Value = quantity },
                            new() { Value = cost }, new() { Value = id }, new() { Value = key },
                        },
                    },
                    new NpgsqlBatchCommand("COMMIT"),
                },
            };
            var placed = (long)(await write.ExecuteScalarAsync())!;
            committed = true;
            return placed == 1
                ? Results.Created($"/api/v1/orders/{id}", new { orderId = id, id, status = "PendingShipment", points = cost })
                : Problem(409, "sold_out");
        }
        finally
        {
            if (!committed && connection.State == System.Data.ConnectionState.Open)
            {
                // Refusals and failures end the transaction here; a pooled connection must not keep it open.
                await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
                await rollback.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task<IResult> ProductAsync(string id, HttpContext http, Sessions sessions, NpgsqlDataSource db)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        await using var command = db.CreateCommand("SELECT name, points_price, total, available FROM products WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return Problem(404, "not_found");
        }

        var (total, available) = (reader.GetInt64(2), reader.GetInt64(3));
        return Results.Ok(new { id, name = reader.GetString(0), pointsPrice = reader.GetInt64(1), stock = new { total, available, reserved = 0L, sold = total - available } });
    }

    private static async Task<IResult> OrdersAsync(HttpContext http, Sessions sessions, NpgsqlDataSource db, int? page, int? pageSize)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        var (p, size) = (Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? 20, 1, 100));
        await using var command = db.CreateCommand("SELECT id, member_id, product_id, quantity, points, status, count(*) OVER () FROM orders ORDER BY placed_at, id LIMIT @l OFFSET @o");
        command.Parameters.AddWithValue("l", size);
        command.Parameters.AddWithValue("o", (p - 1) * size);
        var items = new List<object>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            items.Add(new { id = reader.GetString(0), memberId = reader.GetString(1), productId = reader.GetString(2), quantity = reader.GetInt32(3), points = reader.GetInt64(4), status = reader.GetString(5) });
            total = reader.GetInt64(6);
        }

        if (items.Count == 0)
        {
            await using var count = db.CreateCommand("SELECT count(*) FROM orders");
            total = (long)(await count.ExecuteScalarAsync())!;
        }

        return Results.Ok(new { items, page = p, pageSize = size, total });
    }

    private static async Task<IResult> MemberAsync(string id, HttpContext http, Sessions sessions, NpgsqlDataSource db)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        await using var command = db.CreateCommand("SELECT m.balance, coalesce((SELECT sum(amount) FROM ledger l WHERE l.member_id = m.id), 0) FROM members m WHERE m.id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return Problem(404, "not_found");
        }

        var (balance, sum) = (reader.GetInt64(0), reader.GetInt64(1));
        return Results.Ok(new { member = new { id, balance }, ledgerSum = sum, reconciles = balance == sum });
    }

    private static async Task<IResult> LedgerAsync(string id, HttpContext http, Sessions sessions, NpgsqlDataSource db, int? page, int? pageSize)
    {
        if (!sessions.IsAdmin(http))
        {
            return Problem(401, "unauthorized");
        }

        var (p, size) = (Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? 20, 1, 100));
        await using var command = db.CreateCommand("SELECT at, kind, amount, balance_after, operation_id, count(*) OVER () FROM ledger WHERE member_id = @id ORDER BY seq DESC LIMIT @l OFFSET @o");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("l", size);
        command.Parameters.AddWithValue("o", (p - 1) * size);
        var items = new List<object>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var kind = reader.GetString(1);
            items.Add(new { at = reader.GetFieldValue<DateTimeOffset>(0), kind, source = kind, reason = "", amount = reader.GetInt64(2), balanceAfter = reader.GetInt64(3), operationId = reader.GetString(4) });
            total = reader.GetInt64(5);
        }

        return Results.Ok(new { items, page = p, pageSize = size, total });
    }

    internal static ProblemHttpResult Problem(int status, string code)
        => TypedResults.Problem(statusCode: status, title: code, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>Bearer tokens held in memory, as a session cache in front of such a shop would.</summary>
    internal sealed class Sessions(string adminPassword)
    {
        private readonly ConcurrentDictionary<string, string> _members = new(StringComparer.Ordinal);
        private readonly string _adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

        public IResult AdminLogin(LoginRequest request)
            => string.Equals(request.Login, "admin", StringComparison.OrdinalIgnoreCase) && CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(request.Password ?? ""), System.Text.Encoding.UTF8.GetBytes(adminPassword))
                ? Results.Ok(new { tokenType = "Bearer", accessToken = _adminToken, expiresIn = 43200, refreshToken = "" })
                : Problem(401, "unauthorized");

        public void AddMember(string token, string memberId) => _members[token] = memberId;

        public bool IsAdmin(HttpContext http) => Token(http) is { } t && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(t), System.Text.Encoding.UTF8.GetBytes(_adminToken));

        public string? Member(HttpContext http) => Token(http) is { } t && _members.TryGetValue(t, out var id) ? id : null;

        private static string? Token(HttpContext http)
        {
            var header = http.Request.Headers.Authorization.ToString();
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        }
    }
}
