using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>, browsable at <c>/docs</c>): every route's problem codes in its
/// responses (<c>x-problem-codes</c>), the table of all codes, and the bearer scheme on the routes that need a token.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "Bearer";

    /// <summary>The extension that lists problem codes: on the document (all, with status and meaning), an operation and a response.</summary>
    public const string ProblemCodesExtension = "x-problem-codes";

    public static IServiceCollection AddPointsMallOpenApi(this IServiceCollection services)
        => services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ProblemCodesDocumentTransformer>();
            o.AddOperationTransformer<ProblemCodesOperationTransformer>();
            o.AddSchemaTransformer<OptionalFieldsSchemaTransformer>();
        });

    internal static JsonNodeExtension Extension(IEnumerable<string> codes)
        => new(new JsonArray([.. codes.Select(c => (JsonNode)JsonValue.Create(c))]));
}

/// <summary>Writes each route's problem codes into its responses and the bearer requirement onto the routes that need it.</summary>
internal sealed class ProblemCodesOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var codes = metadata.OfType<ProblemCodesMetadata>().SelectMany(m => m.Codes).Distinct(StringComparer.Ordinal).ToList();
        if (codes.Count > 0)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[ApiDocument.ProblemCodesExtension] = ApiDocument.Extension(codes);
            foreach (var byStatus in codes.GroupBy(ApiProblems.StatusFor))
            {
                var key = byStatus.Key.ToString(CultureInfo.InvariantCulture);
                if (operation.Responses?.TryGetValue(key, out var found) == true && found is OpenApiResponse response)
                {
                    response.Description = string.Join(" ", byStatus.Select(c => $"`{c}`: {ApiProblems.Title(c)}.")) + " See the document's problem codes.";
                    response.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    response.Extensions[ApiDocument.ProblemCodesExtension] = ApiDocument.Extension(byStatus);
                }
            }
        }

        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocument.BearerScheme, context.Document)] = [] }];
            if (policies.Count > 0)
            {
                var needs = $"Needs a bearer token of the {string.Join(" or ", policies)} role.";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : operation.Description + "\n\n" + needs;
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The table of every problem code (status, title, meaning) in the document's description and extension, and the bearer scheme.</summary>
internal sealed class ProblemCodesDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "PointsMall API";
        var text = new StringBuilder()
            .AppendLine("Every refusal is an `application/problem+json` with a stable `code` (listed per route in its responses and in `x-problem-codes`);")
            .AppendLine("a `validation_failed` problem has `errors`: the messages per field, by the field's JSON name.")
            .AppendLine()
            .AppendLine("| code | status | title | meaning |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var code in ApiProblems.Codes)
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{code.Code}` | {code.Status} | {code.Title} | {code.Meaning} |").AppendLine();
        }

        document.Info.Description = text.ToString();
        document.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        document.Extensions[ApiDocument.ProblemCodesExtension] = new JsonNodeExtension(new JsonArray([.. ApiProblems.Codes.Select(c => (JsonNode)new JsonObject
        {
            ["code"] = c.Code,
            ["status"] = c.Status,
            ["title"] = c.Title,
            ["meaning"] = c.Meaning,
        })]));

        document.Components ??= new OpenApiComponents();
        if (document.Components.Schemas?.TryGetValue(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), out var schema) == true && schema is OpenApiSchema problem)
        {
            // The problem every refusal answers: RFC 9457 plus the stable code and, for validation_failed, the errors per field.
            problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
            problem.Properties["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The stable problem code (see the table in the description).",
                Enum = [.. ApiProblems.Codes.Select(c => (JsonNode)JsonValue.Create(c.Code))],
            };
            problem.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "With validation_failed: the messages per faulty field, by the field's JSON name (or header name).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
            problem.Required ??= new HashSet<string>(StringComparer.Ordinal);
            problem.Required.Add("code");
        }

        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiDocument.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token that POST /api/v1/auth/login (or /auth/refresh) answers with, sent as `Authorization: Bearer <token>`: a JWT valid 15 minutes by default; trade the refresh token for a new one.",
        };
        return Task.CompletedTask;
    }
}

/// <summary>
/// A field is required in the document when the request must carry it ([Required]) or it is never null; the
/// generator would otherwise require every constructor parameter of a record, the optional ones included.
/// </summary>
internal sealed class OptionalFieldsSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return Task.CompletedTask;
        }

        var nullability = new NullabilityInfoContext();
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var attributes = property.AttributeProvider;
            var nullable = property.PropertyType.IsValueType
                ? Nullable.GetUnderlyingType(property.PropertyType) is not null
                : attributes is not PropertyInfo info || nullability.Create(info).ReadState != NullabilityState.NotNull;
            if (nullable && attributes?.IsDefined(typeof(RequiredAttribute), inherit: true) != true)
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }
}
