using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Contracts.Common;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// Every error the API returns is an RFC 7807 problem with a stable <c>code</c> extension; this is where grain
/// refusals and request faults become HTTP statuses.
/// </summary>
public static class ApiProblems
{
    /// <summary>HTTP status for a refusal code: 404 for missing things, 409 for state conflicts, 422 for rule refusals.</summary>
    public static int StatusFor(string code) => code switch
    {
        "not_found" => StatusCodes.Status404NotFound,
        "validation_failed" => StatusCodes.Status400BadRequest,
        "forbidden" => StatusCodes.Status403Forbidden,
        "unauthorized" => StatusCodes.Status401Unauthorized,
        "rate_limited" => StatusCodes.Status429TooManyRequests,
        "sold_out" or "insufficient_points" or "conflict" => StatusCodes.Status409Conflict,
        "unavailable" or "rate_limiter_unavailable" => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

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

    /// <summary>A request that failed validation: 400 with <c>code = validation_failed</c> and the errors per field.</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors)
        => Of("validation_failed", "The request is not valid.", new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult NotFound(string what) => Of("not_found", $"{what} was not found.");

    private static string Title(string code) => code switch
    {
        "not_found" => "Not found",
        "validation_failed" => "Invalid request",
        "sold_out" => "Sold out",
        "insufficient_points" => "Not enough points",
        "limit_exceeded" => "Limit exceeded",
        "not_on_sale" => "Not on sale",
        "tier_required" => "Tier required",
        "conflict" => "Conflict",
        "forbidden" => "Forbidden",
        "unauthorized" => "Unauthorized",
        "rate_limited" => "Too many requests",
        "unavailable" => "Temporarily unavailable",
        "rate_limiter_unavailable" => "Request limiter unavailable",
        _ => "Refused",
    };
}
