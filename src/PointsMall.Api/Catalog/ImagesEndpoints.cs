using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Catalog;

/// <summary>
/// Product pictures: a merchandiser uploads one (PNG, JPEG, WebP or GIF, at most 2 MB) and gets its URL; anyone
/// fetches it. A picture's URL is the hash of its bytes, so it never changes: browsers and proxies keep it for a year
/// and revalidate with its ETag, and the same file uploaded twice is one picture.
/// </summary>
public static class ImagesEndpoints
{
    public const int MaxBytes = 2 * 1024 * 1024;

    private static readonly string[] Types = ["image/png", "image/jpeg", "image/webp", "image/gif"];

    public static IEndpointRouteBuilder MapImages(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/admin/images", UploadAsync).WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy)
            .RequirePermission(Permission.CatalogWrite).WithName("UploadImage")
            .WithSummary("Uploads a product picture (the request body is the file; PNG, JPEG, WebP or GIF, at most 2 MB): its URL.")
            // The body's types are documented, not enforced by routing: a wrong type is answered (415) after authorization,
            // and the bytes' signature decides what the file is anyway.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The picture file itself.",
                    Content = Types.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } }),
                };
                return Task.CompletedTask;
            })
            .ProducesProblemCodes(ApiProblems.ValidationFailed, "payload_too_large", "unsupported_media_type");
        routes.MapGet("/images/{name}", GetAsync).WithTags("Catalog").WithName("GetImage")
            .WithSummary("A product picture by the name its upload gave; cached for a year (the name is its hash).")
            .Produces(StatusCodes.Status200OK, contentType: Types[0], additionalContentTypes: Types[1..])
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static async Task<Results<Created<UploadedImageDto>, ProblemHttpResult>> UploadAsync(HttpContext context, IGrainFactory grains, TimeProvider time)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            return ApiProblems.Of("payload_too_large", $"A picture is at most {MaxBytes / 1024 / 1024} MB.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes + 1;
        }

        var data = await ReadAtMostAsync(context.Request.Body, MaxBytes + 1, context.RequestAborted);
        if (data.Length > MaxBytes)
        {
            return ApiProblems.Of("payload_too_large", $"A picture is at most {MaxBytes / 1024 / 1024} MB.");
        }

        // What the bytes are decides, not what the client says they are: a script sent as image/png is refused.
        if (Sniff(data) is not { } type)
        {
            return ApiProblems.Of("unsupported_media_type", "Not a PNG, JPEG, WebP or GIF picture.");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        await grains.GetGrain<IImageGrain>(hash).StoreAsync(new StoredImage(type, data, time.GetUtcNow()));
        var url = $"/api/v1/images/{hash}{Extension(type)}";
        return TypedResults.Created(url, new UploadedImageDto(url, type, data.Length));
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, IGrainFactory grains)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var hash = dot < 0 ? name : name[..dot];
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            return ApiProblems.NotFound("The picture");
        }

        // A client that holds this hash holds these bytes: it is answered without asking the grain.
        var etag = $"\"{hash}\"";
        var revalidating = context.Request.Headers.IfNoneMatch.Any(v => v == etag);
        var image = revalidating ? null : await grains.GetGrain<IImageGrain>(hash).GetAsync();
        if (!revalidating && image is null)
        {
            return ApiProblems.NotFound("The picture");
        }

        var headers = context.Response.GetTypedHeaders();
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } };
        headers.ETag = new EntityTagHeaderValue(etag);
        return image is null ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(image.Data, image.ContentType);
    }

    private static async Task<byte[]> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < limit && (read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, (int)Math.Min(read, limit - buffer.Length));
        }

        return buffer.ToArray();
    }

    /// <summary>The media type the file's first bytes (its signature) say it is; null for anything else.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> data) => data switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => "image/gif",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => null,
    };

    private static string Extension(string type) => type switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        _ => ".webp",
    };
}

public sealed record UploadedImageDto(string Url, string ContentType, int Bytes);
