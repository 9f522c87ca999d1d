using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Domain.Operators;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Messages;

public sealed record InboxItemDto(string Id, string Kind, string Title, string Body, string? Link, DateTimeOffset At, bool Read)
{
    public static InboxItemDto From(InboxItem i) => new(i.Id, i.Kind, i.Title, i.Body, i.Link, i.At, i.Read);
}

public sealed record InboxDto(IReadOnlyList<InboxItemDto> Items, int Page, int PageSize, int Total, int Unread);

/// <summary>Marks inbox items read: the ids given, or every item when <c>ids</c> is absent.</summary>
public sealed record MarkReadRequest([property: MaxLength(IInboxGrain.MaxPageSize, ErrorMessage = "At most {1} ids at a time.")] IReadOnlyList<string>? Ids);

public sealed record UnreadDto(int Unread);

/// <summary>An announcement; <c>tiers</c> limits it to members of those tiers (all members when absent).</summary>
public sealed record AnnouncementRequest(
    [property: Slug] string? Id,
    [property: Required, Text(100)] string? Title,
    [property: Required, Text(2000)] string? Body,
    [property: MaxLength(4, ErrorMessage = "At most {1} tiers.")] IReadOnlyList<string>? Tiers,
    DateTimeOffset? ExpiresAt) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tiers?.FirstOrDefault(t => !TierNames.TryParse(t, out _)) is { } unknown)
        {
            yield return new ValidationResult($"No tier '{unknown}': Regular, Silver, Gold or Diamond.", [nameof(Tiers)]);
        }
    }
}

public sealed record AnnouncementDto(string Id, string Title, string Body, IReadOnlyList<string>? Tiers, DateTimeOffset At, DateTimeOffset? ExpiresAt, bool Active)
{
    public static AnnouncementDto From(Announcement a, DateTimeOffset now)
        => new(a.Id, a.Title, a.Body, a.Tiers, a.At, a.ExpiresAt, a.ExpiresAt is not { } ends || now < ends);
}

public sealed record AnnouncementListDto(IReadOnlyList<AnnouncementDto> Items);

/// <summary>
/// The member's inbox (notices of orders, prizes, tiers, points and invitations, and the announcements for its tier) and
/// the operators' announcements.
/// </summary>
public static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder routes)
    {
        var inbox = routes.MapGroup("/me/inbox").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Messages");
        inbox.MapGet("", ListAsync).WithName("GetMyInbox")
            .WithSummary("The member's messages, newest first, with how many are unread; `unread=true` lists only those.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        inbox.MapPost("/read", MarkReadAsync).WithName("MarkInboxRead")
            .WithSummary("Marks the messages named read (every message when `ids` is absent); answers what is left unread.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);

        var admin = routes.MapGroup("/admin/announcements").WithTags("Admin: messages").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("", ListAnnouncementsAsync).WithName("ListAnnouncements").WithSummary("The announcements, newest first.");
        admin.MapPost("", PublishAsync).RequirePermission(Permission.CampaignsWrite).WithName("PublishAnnouncement")
            .WithSummary("Publishes an announcement to every member's inbox, or to some tiers' (an existing id replaces it).")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapDelete("/{id}", WithdrawAsync).RequirePermission(Permission.CampaignsWrite).WithName("WithdrawAnnouncement")
            .WithSummary("Withdraws an announcement from every inbox.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static async Task<Ok<InboxDto>> ListAsync(ClaimsPrincipal user, IGrainFactory grains, [Page(1_000)] int? page, [PageSize(IInboxGrain.MaxPageSize)] int? pageSize, bool? unread)
    {
        var memberId = user.MemberId();
        var found = await grains.GetGrain<IInboxGrain>(memberId).ListAsync(new InboxQuery(await TierAsync(grains, memberId), page ?? 1, pageSize ?? 20, unread ?? false));
        return TypedResults.Ok(new InboxDto([.. found.Items.Select(InboxItemDto.From)], found.Page, found.PageSize, found.Total, found.Unread));
    }

    private static async Task<Ok<UnreadDto>> MarkReadAsync(MarkReadRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var memberId = user.MemberId();
        var unread = await grains.GetGrain<IInboxGrain>(memberId).MarkReadAsync(new MarkRead(request.Ids, await TierAsync(grains, memberId)));
        return TypedResults.Ok(new UnreadDto(unread));
    }

    /// <summary>The member's tier now, which decides the announcements it sees.</summary>
    private static async Task<string?> TierAsync(IGrainFactory grains, string memberId)
        => (await grains.GetGrain<IMemberGrain>(memberId).GetAsync())?.Tier;

    private static async Task<Ok<AnnouncementListDto>> ListAnnouncementsAsync(IGrainFactory grains, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var items = await grains.GetGrain<IAnnouncementsGrain>(IAnnouncementsGrain.Key).ListAsync();
        return TypedResults.Ok(new AnnouncementListDto([.. items.Select(a => AnnouncementDto.From(a, now))]));
    }

    private static async Task<Results<Created<AnnouncementDto>, ProblemHttpResult>> PublishAsync(AnnouncementRequest request, IGrainFactory grains, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var id = string.IsNullOrWhiteSpace(request.Id) ? "an-" + Guid.NewGuid().ToString("n")[..12] : request.Id.Trim();
        var result = await grains.GetGrain<IAnnouncementsGrain>(IAnnouncementsGrain.Key)
            .PublishAsync(new Announcement(id, request.Title!, request.Body!, request.Tiers, now, request.ExpiresAt));
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Created($"/api/v1/admin/announcements/{id}", AnnouncementDto.From(result.Announcement!, now));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> WithdrawAsync(string id, IGrainFactory grains)
        => Identifiers.IsSlug(id) && await grains.GetGrain<IAnnouncementsGrain>(IAnnouncementsGrain.Key).WithdrawAsync(id)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound("The announcement");
}
