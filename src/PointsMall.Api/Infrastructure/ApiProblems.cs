using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Contracts.Common;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// A stable problem code: the HTTP status it is answered with, the problem's title and what it means to a client.
/// <paramref name="StatusDefault"/> marks the code given to a problem of that status that carries none (the
/// framework's own 401, 404, 415, …).
/// </summary>
public sealed record ProblemCode(string Code, int Status, string Title, string Meaning, bool StatusDefault = false);

/// <summary>
/// Every error the API returns is an RFC 7807 problem with a stable <c>code</c> extension; this is where grain
/// refusals and request faults become HTTP statuses, and the one table of the codes (the OpenAPI document lists it).
/// </summary>
public static class ApiProblems
{
    public const string ValidationFailed = "validation_failed";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFoundCode = "not_found";
    public const string Conflict = "conflict";
    public const string SoldOut = "sold_out";
    public const string InsufficientPoints = "insufficient_points";
    public const string LimitExceeded = "limit_exceeded";
    public const string NotOnSale = "not_on_sale";
    public const string TierRequired = "tier_required";
    public const string AddressRequired = "address_required";
    public const string CouponNotUsable = "coupon_not_usable";
    public const string WrongPassword = "wrong_password";
    public const string InvalidCode = "invalid_code";
    public const string RateLimited = "rate_limited";
    public const string Locked = "locked";
    public const string Unavailable = "unavailable";
    public const string RateLimiterUnavailable = "rate_limiter_unavailable";
    public const string InternalError = "internal_error";

    /// <summary>The detail of a request that failed validation; its <c>errors</c> say what is wrong with which field.</summary>
    public const string ValidationDetail = "The request is not valid.";

    /// <summary>Every code the API answers, by status.</summary>
    public static IReadOnlyList<ProblemCode> Codes { get; } =
    [
        new(ValidationFailed, StatusCodes.Status400BadRequest, "Invalid request",
            "The request is malformed or a field is out of bounds; `errors` names each faulty field (camelCase, `tiers[0].name` inside lists) when it is known. Nothing was changed.", StatusDefault: true),
        new(Unauthorized, StatusCodes.Status401Unauthorized, "Unauthorized",
            "No valid bearer token for a route that needs one, a wrong login or password, or a payment callback whose signature does not verify.", StatusDefault: true),
        new(Forbidden, StatusCodes.Status403Forbidden, "Forbidden",
            "The token's role may not use this route (a shopper on an operator route, an operator on a shopper's own route).", StatusDefault: true),
        new(NotFoundCode, StatusCodes.Status404NotFound, "Not found",
            "What the path or the body names does not exist, or belongs to another member.", StatusDefault: true),
        new("method_not_allowed", StatusCodes.Status405MethodNotAllowed, "Method not allowed",
            "The path exists, but not with this HTTP method.", StatusDefault: true),
        new(Conflict, StatusCodes.Status409Conflict, "Conflict",
            "The state does not allow the request now, or it reuses an id: already registered or signed in today, a stale rules version, a closed lottery (`lottery_closed`) or one whose draws are not published yet (`lottery_open`), an order past this step, an id that exists; `detail` says which."),
        new(SoldOut, StatusCodes.Status409Conflict, "Sold out", "The product (or a lottery's prize) has no stock left for this request."),
        new(InsufficientPoints, StatusCodes.Status409Conflict, "Not enough points", "The member's balance does not cover the points this costs."),
        new("payload_too_large", StatusCodes.Status413PayloadTooLarge, "Payload too large", "The request body is larger than the server accepts.", StatusDefault: true),
        new("unsupported_media_type", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            "The body is not `application/json`.", StatusDefault: true),
        new(LimitExceeded, StatusCodes.Status422UnprocessableEntity, "Limit exceeded",
            "A per-member purchase limit, a lottery's daily draws per member (`daily_draw_limit`), a task's daily cap, a programme limit or the operator's adjustment limit would be exceeded."),
        new(NotOnSale, StatusCodes.Status422UnprocessableEntity, "Not on sale",
            "The product is off the shelf or its drop has not started, or the lottery has not started or has ended."),
        new(TierRequired, StatusCodes.Status422UnprocessableEntity, "Tier required", "The product is for members of a higher tier."),
        new(AddressRequired, StatusCodes.Status422UnprocessableEntity, "Shipping address required",
            "Physical goods ship to an address: the member's address book has none (or not the one named). Add one under `/me/addresses` and retry."),
        new(CouponNotUsable, StatusCodes.Status422UnprocessableEntity, "Coupon not usable",
            "The wallet coupon named cannot pay for this order: `detail` says why (`coupon_used`, `coupon_expired`, `coupon_min_points` below its minimum order, `coupon_category` not for this kind of goods). Nothing was charged."),
        new(WrongPassword, StatusCodes.Status422UnprocessableEntity, "Wrong password", "The current password given to change a password is wrong."),
        new(InvalidCode, StatusCodes.Status422UnprocessableEntity, "Invalid code",
            "The one-time code is wrong, expired, already used or voided by too many wrong tries; ask for a new one."),
        new(RateLimited, StatusCodes.Status429TooManyRequests, "Too many requests",
            "Too many redemptions, draws or sign-ins from this member or address in the window, or too many failed sign-ins from this address; retry after `Retry-After` seconds.", StatusDefault: true),
        new(Locked, StatusCodes.Status429TooManyRequests, "Login locked",
            "Too many wrong passwords for this login in a short time: it is refused (even with the right password) for `Retry-After` seconds."),
        new(InternalError, StatusCodes.Status500InternalServerError, "Internal error",
            "A fault of the API itself; never a refusal, and reported to the operators.", StatusDefault: true),
        new(Unavailable, StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
            "The engine could not complete the request (a silo or the store is away); retry, with the same `Idempotency-Key` where the route takes one.", StatusDefault: true),
        new(RateLimiterUnavailable, StatusCodes.Status503ServiceUnavailable, "Request limiter unavailable",
            "The shared request limiter (Redis) cannot be reached and the API is set to refuse limited requests meanwhile; retry after `Retry-After` seconds."),
    ];

    private static readonly FrozenDictionary<string, ProblemCode> ByCode = Codes.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);

    private static readonly FrozenDictionary<int, string> ByStatus = Codes.Where(c => c.StatusDefault).ToFrozenDictionary(c => c.Status, c => c.Code);

    /// <summary>A code's entry; a refusal code the table does not know is a 422 "Refused".</summary>
    public static ProblemCode Describe(string code)
        => ByCode.TryGetValue(code, out var known) ? known : new ProblemCode(code, StatusCodes.Status422UnprocessableEntity, "Refused", "A refusal.");

    /// <summary>HTTP status for a refusal code: 404 for missing things, 409 for state conflicts, 422 for rule refusals.</summary>
    public static int StatusFor(string code) => Describe(code).Status;

    /// <summary>The code of a problem of <paramref name="status"/> written without one (by the framework).</summary>
    public static string CodeForStatus(int? status)
        => status is { } s && ByStatus.TryGetValue(s, out var code) ? code : InternalError;

    public static string Title(string code) => Describe(code).Title;

    public static ProblemHttpResult From(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Of(problem.Code, problem.Detail);
    }

    public static ProblemHttpResult Of(string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: StatusFor(code), title: Title(code), extensions: all);
    }

    /// <summary>
    /// A field fault found only by asking a grain (an address that is not the member's, a prize product that does not
    /// exist): the same 400 as the request validation's, with the errors per field.
    /// </summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors)
        => Of(ValidationFailed, ValidationDetail, new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult NotFound(string what) => Of(NotFoundCode, $"{what} was not found.");
}
