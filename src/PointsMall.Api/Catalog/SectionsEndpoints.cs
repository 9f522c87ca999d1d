using System.ComponentModel.DataAnnotations;
using System.IO.Hashing;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Catalog;

/// <summary>The catalogue's sections (分类): shoppers browse by them, merchandisers keep the list and shelve products in them.</summary>
public static class SectionsEndpoints
{
    public static IEndpointRouteBuilder MapSections(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/sections", ListAsync).WithTags("Catalog").WithName("GetSections").WithSummary("The catalogue's sections, in display order.");

        var admin = routes.MapGroup("/admin/sections").WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapPost("/", CreateAsync).RequirePermission(Permission.CatalogWrite).WithName("CreateSection")
            .WithSummary("Adds a section; its id comes from its name, so sending the same one twice adds it once.")
            .ProducesProblemCodes(ApiProblems.Conflict, ApiProblems.LimitExceeded);
        admin.MapPut("/{id}", UpdateAsync).RequirePermission(Permission.CatalogWrite).WithName("UpdateSection")
            .WithSummary("Renames or reorders a section.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapDelete("/{id}", DeleteAsync).RequirePermission(Permission.CatalogWrite).WithName("DeleteSection")
            .WithSummary("Removes a section; its products stay, shelved in none.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<SectionView>>> ListAsync(IGrainFactory grains)
        => TypedResults.Ok(await Sections(grains).ListAsync());

    private static async Task<Results<Created<SectionView>, ProblemHttpResult>> CreateAsync(SectionRequest request, IGrainFactory grains)
    {
        var name = request.Name!.Trim();

        // Derived from the name: a retried create finds its own section rather than a name clash.
        var id = "s-" + Convert.ToHexStringLower(XxHash64.Hash(Encoding.UTF8.GetBytes(name.ToUpperInvariant())));
        var result = await Sections(grains).SaveAsync(new SectionView(id, name, request.Order ?? 0));
        return result.Succeeded ? TypedResults.Created($"/api/v1/sections#{id}", result.Section!) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<SectionView>, ProblemHttpResult>> UpdateAsync(string id, SectionRequest request, IGrainFactory grains)
    {
        var sections = Sections(grains);
        if (!(await sections.ListAsync()).Any(s => s.Id == id))
        {
            return ApiProblems.NotFound("The section");
        }

        var result = await sections.SaveAsync(new SectionView(id, request.Name!.Trim(), request.Order ?? 0));
        return result.Succeeded ? TypedResults.Ok(result.Section!) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, IGrainFactory grains)
        => await Sections(grains).RemoveAsync(id) ? TypedResults.NoContent() : ApiProblems.NotFound("The section");

    private static ISectionsGrain Sections(IGrainFactory grains) => grains.GetGrain<ISectionsGrain>(CatalogKeys.All);
}

/// <summary>A section's name (unique, any case) and its place in the list (lower first).</summary>
public sealed record SectionRequest(
    [property: Required, Text(30)] string? Name,
    [property: Range(0, 999, ErrorMessage = "{1} to {2}.")] int? Order);
