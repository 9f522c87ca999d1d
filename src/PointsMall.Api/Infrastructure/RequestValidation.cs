using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// Request validation on the framework: the minimal-API validation filter (<c>AddValidation</c>, its source generator
/// finds every request record and query parameter that carries DataAnnotations) refuses a request before its handler
/// runs. Its problem is made to read like every other 400 of the API here: <c>code = validation_failed</c>, the API's
/// title and detail, and the field names as the JSON has them (camelCase, <c>tiers[0].name</c>; a header by its name).
/// </summary>
public static class RequestValidation
{
    /// <summary>Called for every problem the API writes; changes only the framework's validation problems.</summary>
    public static void Normalise(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails is not HttpValidationProblemDetails problem)
        {
            return;
        }

        problem.Title = ApiProblems.Title(ApiProblems.ValidationFailed);
        problem.Detail ??= ApiProblems.ValidationDetail;
        problem.Extensions["code"] = ApiProblems.ValidationFailed;

        var http = context.HttpContext;
        var naming = http.RequestServices.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions.PropertyNamingPolicy ?? JsonNamingPolicy.CamelCase;
        var headers = HeaderParameters(http.GetEndpoint());
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in problem.Errors)
        {
            var name = headers.TryGetValue(key, out var header) ? header : JsonPath(key, naming);
            errors[name] = errors.TryGetValue(name, out var earlier) ? [.. earlier, .. messages] : messages;
        }

        problem.Errors = errors;

        // Shopper operations count their refusals by code, these included (the handler never ran to do it).
        if (http.GetEndpoint()?.Metadata.GetMetadata<ShopperRateLimited>() is { } limited)
        {
            http.RequestServices.GetRequiredService<ApiMetrics>().Refused(limited.Operation, ApiProblems.ValidationFailed);
        }
    }

    /// <summary><c>Tiers[0].PrizeProductId</c> → <c>tiers[0].prizeProductId</c>: each member name as the serializer writes it.</summary>
    internal static string JsonPath(string path, JsonNamingPolicy naming)
        => string.Join('.', path.Split('.').Select(segment =>
        {
            var index = segment.IndexOf('[', StringComparison.Ordinal);
            var name = index < 0 ? segment : segment[..index];
            return name.Length == 0 ? segment : naming.ConvertName(name) + (index < 0 ? "" : segment[index..]);
        }));

    /// <summary>Handler parameters bound from a header, by parameter name: their faults are reported under the header's name.</summary>
    private static Dictionary<string, string> HeaderParameters(Endpoint? endpoint)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in endpoint?.Metadata.GetMetadata<MethodInfo>()?.GetParameters() ?? [])
        {
            if (parameter.GetCustomAttribute<FromHeaderAttribute>() is { Name: { } header } && parameter.Name is { } name)
            {
                headers[name] = header;
            }
        }

        return headers;
    }
}
