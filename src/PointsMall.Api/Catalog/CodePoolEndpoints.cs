using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Catalog;

/// <summary>
/// Codes to add to a code-pool product (e-coupons, game cards): one per entry, at most 5,000 per upload. <c>batchId</c>
/// names the upload (sending it again is a replay); by default it is derived from the codes, so the same file sent twice
/// is one upload.
/// </summary>
public sealed record CodeUploadRequest(
    [property: Token(64)] string? BatchId,
    [property: Required, MinLength(1, ErrorMessage = "At least one code."), MaxLength(ICodeUploadsGrain.MaxCodesPerUpload, ErrorMessage = "At most {1} codes per upload.")] IReadOnlyList<string>? Codes);

public sealed record CodePoolDto(long Total, long Assigned, long Remaining);

public sealed record CodeBatchDto(string BatchId, int Added, int Duplicates, DateTimeOffset At);

public sealed record CodeUploadDto(CodeBatchDto Batch, CodePoolDto Pool, bool Replayed);

public sealed record CodePoolStatusDto(CodePoolDto Pool, IReadOnlyList<CodeBatchDto> Batches);

/// <summary>A code-pool product's codes: operators upload them, and each order of the product is given one.</summary>
public static class CodePoolEndpoints
{
    public static IEndpointRouteBuilder MapCodePools(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/products/{id}/codes").WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapPost("", UploadAsync).RequirePermission(Permission.StockWrite).WithName("UploadCodes")
            .WithSummary("Uploads codes to a code-pool product: codes already in its pool (or twice in the upload) are skipped, and the stock grows by the codes added, once they are in the pool.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapGet("", StatusAsync).WithName("GetCodePool").WithSummary("A code-pool product's codes: how many were uploaded and given out, and the uploads, newest first.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static async Task<Results<Ok<CodeUploadDto>, ProblemHttpResult>> UploadAsync(string id, CodeUploadRequest request, IGrainFactory grains)
    {
        if (!Identifiers.IsToken(id))
        {
            return ApiProblems.NotFound("The product");
        }

        var batchId = string.IsNullOrWhiteSpace(request.BatchId) ? BatchIdOf(request.Codes!) : request.BatchId.Trim();
        var result = await grains.GetGrain<ICodeUploadsGrain>(id).UploadAsync(new UploadCodes(batchId, request.Codes!));
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Ok(new CodeUploadDto(BatchDto(result.Batch!), PoolDto(result.Pool!), result.Replayed));
    }

    private static async Task<Results<Ok<CodePoolStatusDto>, ProblemHttpResult>> StatusAsync(string id, IGrainFactory grains)
    {
        if (!Identifiers.IsToken(id) || await grains.GetGrain<IProductGrain>(id).GetAsync() is not { Product.CodePool: true })
        {
            return ApiProblems.NotFound("The code-pool product");
        }

        var pool = await grains.GetGrain<ICodePoolGrain>(id).GetAsync();
        var batches = await grains.GetGrain<ICodeUploadsGrain>(id).BatchesAsync();
        return TypedResults.Ok(new CodePoolStatusDto(PoolDto(pool), [.. batches.Select(BatchDto)]));
    }

    /// <summary>The same codes in any order name the same batch.</summary>
    private static string BatchIdOf(IReadOnlyList<string> codes)
    {
        var canonical = string.Join('\n', codes.Select(c => c?.Trim() ?? "").Order(StringComparer.Ordinal));
        return "b-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..24];
    }

    private static CodePoolDto PoolDto(CodePoolView v) => new(v.Total, v.Assigned, v.Remaining);

    private static CodeBatchDto BatchDto(CodeBatchView b) => new(b.BatchId, b.Added, b.Duplicates, b.At);
}
