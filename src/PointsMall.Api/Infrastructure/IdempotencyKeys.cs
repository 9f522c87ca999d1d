namespace PointsMall.Api.Infrastructure;

/// <summary>
/// The <c>Idempotency-Key</c> header of redemptions, draws and restocks. The grains derive the order or draw id from
/// the member and this key, so a retry with the same key returns the first outcome. Absent means "a new attempt"
/// (a fresh key); present, it must be 1 to 100 visible ASCII characters (a UUID fits; spaces do not, since
/// proxies may trim them and so change the key): the handler's parameter carries <see cref="IdempotencyKeyAttribute"/>.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 100;
    public const string Rule = "Idempotency-Key is 1 to 100 visible ASCII characters (no spaces).";

    /// <summary>What the header's parameter says in the OpenAPI document.</summary>
    public const string Description = "Makes the request safe to retry: a retry with the same key gives the first outcome. 1 to 100 visible ASCII characters (a UUID fits); without it every request is a new attempt.";

    /// <summary>The client's key, or a fresh one when it sent none.</summary>
    public static string KeyOrNew(string? key) => key ?? Guid.NewGuid().ToString("n");
}
