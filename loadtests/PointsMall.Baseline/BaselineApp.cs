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

    /// <summary>Builds the app on <paramref name="url"/> over <paramref name="connectionString"/>; the schema is created on start.</summary>
    public static WebApplication Create(string connectionString, string url, string adminPassword, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()));
        builder.Services.AddSingleton(new NpgsqlDataSourceBuilder(connectionString).Build());
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

    /// <summary>The redemption: one transaction, the product row locked first (then the member row), so concurrent ones queue on the lock.</summary>
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
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var product = new NpgsqlCommand("SELECT available, points_price, per_member_limit FROM products WHERE id = @p FOR UPDATE", connection, transaction))
        {
            product.Parameters.AddWithValue("p", request.ProductId);
            await using var reader = await product.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return Problem(404, "not_found");
            }

            var available = reader.GetInt64(0);
            var price = reader.GetInt64(1);
            int? limit = reader.IsDBNull(2) ? null : reader.GetInt32(2);
            await reader.CloseAsync();

            // Under the product lock: a retry with the same key sees the first attempt's order.
            await using (var existing = new NpgsqlCommand("SELECT id, status FROM orders WHERE member_id = @m AND idempotency_key = @k", connection, transaction))
            {
                existing.Parameters.AddWithValue("m", memberId);
                existing.Parameters.AddWithValue("k", key);
                await using var found = await existing.ExecuteReaderAsync();
                if (await found.ReadAsync())
                {
                    var orderId = found.GetString(0);
                    var status = found.GetString(1);
                    return Results.Created($"/api/v1/orders/{orderId}", new { orderId, id = orderId, status, replayed = true });
                }
            }

            if (available < quantity)
            {
                return Problem(409, "sold_out");
            }

            if (limit is { } max)
            {
                await using var held = new NpgsqlCommand("SELECT coalesce(sum(quantity), 0) FROM orders WHERE member_id = @m AND product_id = @p AND status <> 'Cancelled'", connection, transaction);
                held.Parameters.AddWithValue("m", memberId);
                held.Parameters.AddWithValue("p", request.ProductId);
                if ((long)(await held.ExecuteScalarAsync())! + quantity > max)
                {
                    return Problem(409, "limit_exceeded");
                }
            }

            var cost = price * quantity;
            long balance;
            await using (var spend = new NpgsqlCommand("UPDATE members SET balance = balance - @c WHERE id = @m AND balance >= @c RETURNING balance", connection, transaction))
            {
                spend.Parameters.AddWithValue("c", cost);
                spend.Parameters.AddWithValue("m", memberId);
                if (await spend.ExecuteScalarAsync() is not long after)
                {
                    return Problem(422, "insufficient_points");
                }

                balance = after;
            }

            var id = "o-" + Guid.NewGuid().ToString("N")[..20];
            await using (var write = new NpgsqlCommand("""
                UPDATE products SET available = available - @q WHERE id = @p;
                INSERT INTO orders (id, member_id, product_id, quantity, points, status, idempotency_key) VALUES (@id, @m, @p, @q, @c, 'PendingShipment', @k);
                INSERT INTO ledger (member_id, kind, amount, balance_after, operation_id) VALUES (@m, 'spend', -@c, @b, @id);
                """, connection, transaction))
            {
                write.Parameters.AddWithValue("q", quantity);
                write.Parameters.AddWithValue("p", request.ProductId);
                write.Parameters.AddWithValue("id", id);
                write.Parameters.AddWithValue("m", memberId);
                write.Parameters.AddWithValue("c", cost);
                write.Parameters.AddWithValue("k", key);
                write.Parameters.AddWithValue("b", balance);
                await write.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
            return Results.Created($"/api/v1/orders/{id}", new { orderId = id, id, status = "PendingShipment", points = cost });
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
