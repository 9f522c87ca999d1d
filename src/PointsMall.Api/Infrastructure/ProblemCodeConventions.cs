using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace PointsMall.Api.Infrastructure;

/// <summary>Endpoint metadata: the problem codes (<see cref="ApiProblems.Codes"/>) a route can answer.</summary>
public sealed class ProblemCodesMetadata(IEnumerable<string> codes)
{
    public IReadOnlyList<string> Codes { get; } = [.. codes.Distinct(StringComparer.Ordinal)];
}

/// <summary>
/// What each route can refuse with, as endpoint metadata the OpenAPI document shows: a route names its own codes
/// (<see cref="ProducesProblemCodes"/>), and the group's <see cref="WithProblemResponses"/> adds the ones its
/// metadata implies and declares a problem+json response for every status among them.
/// </summary>
public static class ProblemCodeConventions
{
    public const string ProblemContentType = "application/problem+json";

    /// <summary>The codes this route answers besides those its group implies (auth, rate limits, a JSON body, the engine).</summary>
    public static TBuilder ProducesProblemCodes<TBuilder>(this TBuilder builder, params string[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(codes);
        foreach (var code in codes)
        {
            if (!ApiProblems.Codes.Any(c => c.Code == code))
            {
                throw new ArgumentException($"'{code}' is not one of the problem codes in ApiProblems.Codes.", nameof(codes));
            }
        }

        return builder.WithMetadata(new ProblemCodesMetadata(codes));
    }

    /// <summary>After each route's own conventions: its complete list of codes, and a problem response per status.</summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(Complete);
        return builder;
    }

    private static void Complete(EndpointBuilder endpoint)
    {
        var named = endpoint.Metadata.OfType<ProblemCodesMetadata>().ToList();
        foreach (var item in named)
        {
            endpoint.Metadata.Remove(item);
        }

        var order = ApiProblems.Codes.Select(c => c.Code).ToList();
        var codes = named.SelectMany(m => m.Codes).Concat(Implied(endpoint.Metadata)).Distinct(StringComparer.Ordinal).OrderBy(order.IndexOf).ToList();
        endpoint.Metadata.Add(new ProblemCodesMetadata(codes));

        var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
        foreach (var status in codes.Select(ApiProblems.StatusFor))
        {
            if (declared.Add(status))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemContentType]));
            }
        }
    }

    /// <summary>Codes a route answers because of what it is rather than what it does.</summary>
    private static IEnumerable<string> Implied(IList<object> metadata)
    {
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            yield return ApiProblems.Unauthorized;
            yield return ApiProblems.Forbidden;
        }

        if (metadata.OfType<ShopperRateLimited>().Any())
        {
            yield return ApiProblems.RateLimited;
            yield return ApiProblems.RateLimiterUnavailable;
        }

        // A JSON body can be malformed or mistyped, whatever the route then checks.
        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            yield return ApiProblems.ValidationFailed;
        }

        // A route that calls grains answers 503 when the engine cannot complete the call.
        if (metadata.OfType<MethodInfo>().Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(IGrainFactory))))
        {
            yield return ApiProblems.Unavailable;
        }
    }
}
