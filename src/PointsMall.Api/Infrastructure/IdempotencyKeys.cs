using Microsoft.AspNetCore.Http.HttpResults;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// The <c>Idempotency-Key</c> header of redemptions and draws. The grains derive the order or draw id from the
/// member and this key, so a retry with the same key returns the first outcome. Absent means "a new attempt"
/// (a fresh key); present, it must be 1 to 100 visible ASCII characters (a UUID fits; spaces do not, since
/// proxies may trim them and so change the key).
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 100;
    public const string Rule = "Idempotency-Key is 1 to 100 visible ASCII characters (no spaces).";

    /// <summary>The key, a fresh one when the header is absent, or false when the header is malformed (one problem for it).</summary>
    public static bool TryRead(HttpRequest request, out string key, out ProblemHttpResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        problem = null;
        var values = request.Headers[Header];
        if (values.Count == 0)
        {
            key = Guid.NewGuid().ToString("n");
            return true;
        }

        key = values.Count == 1 ? values[0] ?? "" : "";
        if (key.Length is 0 or > MaxLength || !key.All(c => c is > ' ' and <= '~'))
        {
            key = "";
            problem = ApiProblems.Validation(new Dictionary<string, string[]> { [Header] = [Rule] });
            return false;
        }

        return true;
    }
}
