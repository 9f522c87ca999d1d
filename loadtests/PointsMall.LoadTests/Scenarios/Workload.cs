using System.Globalization;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>Sizes of the seeded data and client behaviour, shared by the scenarios (each uses what it needs).</summary>
public sealed record WorkloadOptions
{
    public string AdminLogin { get; init; } = "admin";

    public string AdminPassword { get; init; } = "";

    /// <summary>Members seeded through POST /admin/members/bulk.</summary>
    public int Members { get; init; } = 1000;

    public long StartingPoints { get; init; } = 100_000;

    /// <summary>Stock of the flash-sale SKU (and of each SKU in mixed traffic).</summary>
    public long Stock { get; init; } = 100;

    /// <summary>SKUs in mixed traffic.</summary>
    public int Skus { get; init; } = 20;

    public long PointsPrice { get; init; } = 100;

    /// <summary>Retries of a failed write (5xx, 429, timeout), each with the same Idempotency-Key.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Per-member limit of the flash-sale SKU.</summary>
    public int PerMemberLimit { get; init; } = 1;

    /// <summary>How long the audit waits for sagas the run left mid-way (their reminders fire a minute after the step).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long the seeded tokens must stay valid (warm-up, measured phase and audit). The runner signs in once and
    /// does not renew, so a run longer than the server's access-token lifetime is refused before it starts rather
    /// than failing half-way with 401s.
    /// </summary>
    public TimeSpan TokensMustLast { get; init; } = TimeSpan.Zero;
}

/// <summary>A scenario ready to run, with its invariant audit and a one-line description of what it seeded.</summary>
public sealed record ScenarioPlan(Scenario Scenario, Func<CancellationToken, Task<AuditReport>> AuditAsync, Func<string> Setup);

/// <summary>Seeding through the admin API.</summary>
public sealed class Seeder(ApiTargets api, WorkloadOptions options)
{
    private const int BulkChunk = 2000;

    public string AdminToken { get; private set; } = "";

    public async Task SignInAsync(CancellationToken cancellationToken)
    {
        (AdminToken, var lifetime) = await api.LoginAsync(options.AdminLogin, options.AdminPassword, cancellationToken).ConfigureAwait(false);
        if (lifetime < options.TokensMustLast)
        {
            var hours = Math.Ceiling(options.TokensMustLast.TotalHours);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"the server's access tokens last {lifetime.TotalMinutes:0} min but this run needs them for {options.TokensMustLast.TotalMinutes:0} min; start the API with Auth__AccessTokenLifetime={hours:00}:00:00 (the runner does not renew its members' tokens)."));
        }
    }

    /// <summary>Every seeded member's default address: the seeded products are physical goods, which ship to one.</summary>
    private static readonly object SeededAddress = new { recipient = "压测 Load", phone = "13800000000", region = "广东省 深圳市 南山区", detail = "科技园 1 号" };

    /// <summary>Members with <see cref="WorkloadOptions.StartingPoints"/> each, a default address, and their bearer tokens.</summary>
    public async Task<IReadOnlyList<(string Id, string Token)>> MembersAsync(int count, CancellationToken cancellationToken)
    {
        var members = new List<(string, string)>(count);
        while (members.Count < count)
        {
            var chunk = Math.Min(BulkChunk, count - members.Count);
            var response = (await api.PostAsync("admin/members/bulk", new { count = chunk, startingPoints = options.StartingPoints, displayNamePrefix = "load", shippingAddress = SeededAddress }, AdminToken, cancellationToken).ConfigureAwait(false))
                .EnsureSuccess($"create {chunk} members (POST /admin/members/bulk)");
            members.AddRange(response.Body.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("id").GetString()!, m.GetProperty("accessToken").GetString()!)));
        }

        return members;
    }

    public async Task<string> ProductAsync(string name, long stock, long pointsPrice, int? perMemberLimit, CancellationToken cancellationToken)
    {
        var response = (await api.PostAsync("admin/products", new
        {
            name,
            brand = "LoadTest",
            category = "Physical",
            pointsPrice,
            stock,
            perMemberLimit,
            onShelf = true,
            lowStockThreshold = 0,
            description = "Seeded by loadtests/PointsMall.LoadTests",
        }, AdminToken, cancellationToken).ConfigureAwait(false)).EnsureSuccess($"create product {name} (POST /admin/products)");
        var id = response.Text("id") ?? throw new InvalidOperationException("POST /admin/products returned no id.");

        // Some deployments create products off the shelf; putting it on is idempotent.
        await api.PostAsync($"admin/products/{id}/shelf", new { onShelf = true }, AdminToken, cancellationToken).ConfigureAwait(false);
        return id;
    }

    public static string Key(string prefix, long iteration) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{iteration}-{Guid.NewGuid():N}");
}

/// <summary>Writes with the runner's retry rule: on 5xx, 429 or a transport failure, retry with the same Idempotency-Key.</summary>
public static class Retrying
{
    public static bool IsRetryable(StepOutcome outcome) => !outcome.IsOk && (outcome.StatusCode is 0 or 429 or >= 500);

    /// <summary>Sends as step <paramref name="name"/>, then retries as "<paramref name="name"/> (retry)".</summary>
    public static async Task<ApiResponse?> RunAsync(ScenarioContext ctx, string name, int retries, Func<CancellationToken, Task<ApiResponse>> send, params string[] acceptedCodes)
    {
        ApiResponse? last = null;
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            last = null;
            var outcome = await ctx.StepAsync(attempt == 0 ? name : name + " (retry)", async ct =>
            {
                last = await send(ct).ConfigureAwait(false);
                return last.ToOutcome(acceptedCodes);
            }).ConfigureAwait(false);
            if (!IsRetryable(outcome))
            {
                return last;
            }
        }

        return last;
    }
}
