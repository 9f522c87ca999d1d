using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Messages;

/// <summary>
/// A member's site inbox (key: member id): the notices sent to the member, newest first, with what has been read, and
/// the operators' announcements for the member's tier merged in. Bounded: the oldest notices fall off past
/// <see cref="Capacity"/>.
/// </summary>
[Alias("inbox")]
public interface IInboxGrain : IGrainWithStringKey
{
    public const int Capacity = 200;

    public const int MaxPageSize = 50;

    /// <summary>Adds a notice, once per notice id; answers whether it was new.</summary>
    Task<bool> DeliverAsync(MemberNotice notice);

    Task<InboxPage> ListAsync(InboxQuery query);

    /// <summary>Marks the notices and announcements named read (all of them when <see cref="MarkRead.Ids"/> is null); answers what is left unread.</summary>
    Task<int> MarkReadAsync(MarkRead command);
}

/// <summary>The operators' announcements (key: <c>all</c>): each for every member or for some tiers only.</summary>
[Alias("announcements")]
public interface IAnnouncementsGrain : IGrainWithStringKey
{
    public const string Key = "all";

    public const int Capacity = 100;

    Task<AnnouncementResult> PublishAsync(Announcement announcement);

    /// <summary>Removes an announcement from every inbox; false when there was none with that id.</summary>
    Task<bool> WithdrawAsync(string id);

    /// <summary>Every announcement, newest first (expired ones included, for the operators).</summary>
    Task<IReadOnlyList<Announcement>> ListAsync();
}

/// <summary>
/// Something a member is told: in the inbox, and pushed through the notification provider. <see cref="Id"/> makes it
/// once-only (derived from what it is about: <c>shipped:{orderId}</c>, <c>birthday:{year}</c>, …).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MemberNotice(
    [property: Id(0)] string Id,
    [property: Id(1)] string MemberId,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Title,
    [property: Id(4)] string Body,
    [property: Id(5)] string? Link,
    [property: Id(6)] DateTimeOffset At)
{
    /// <summary>The outbox stream namespace notices are published on (key: member id), committed with what they tell of.</summary>
    public const string Stream = "notice";
}

/// <summary>The kinds of notice; clients may show each its own way.</summary>
public static class NoticeKinds
{
    public const string OrderShipped = "order_shipped";
    public const string OrderCancelled = "order_cancelled";
    public const string PrizeWon = "prize_won";
    public const string TierReached = "tier_reached";
    public const string PointsExpiring = "points_expiring";
    public const string BirthdayGift = "birthday_gift";
    public const string InvitationCredited = "invitation_credited";
    public const string Announcement = "announcement";
}

/// <summary>An announcement; <see cref="Tiers"/> (tier names such as <c>Gold</c>) limits it to those tiers, null or empty is everyone.</summary>
[GenerateSerializer, Immutable]
public sealed record Announcement(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string Body,
    [property: Id(3)] IReadOnlyList<string>? Tiers,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DateTimeOffset? ExpiresAt)
{
    public bool IsFor(string? tier, DateTimeOffset now)
        => (ExpiresAt is not { } ends || now < ends) && At <= now
           && (Tiers is not { Count: > 0 } tiers || (tier is not null && tiers.Contains(tier, StringComparer.OrdinalIgnoreCase)));
}

[GenerateSerializer, Immutable]
public sealed record AnnouncementResult([property: Id(0)] Announcement? Announcement, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>A page of the inbox for a member of <see cref="Tier"/> (which announcements it sees).</summary>
[GenerateSerializer, Immutable]
public sealed record InboxQuery([property: Id(0)] string? Tier, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] bool UnreadOnly = false);

[GenerateSerializer, Immutable]
public sealed record MarkRead([property: Id(0)] IReadOnlyList<string>? Ids, [property: Id(1)] string? Tier);

[GenerateSerializer, Immutable]
public sealed record InboxItem(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Title,
    [property: Id(3)] string Body,
    [property: Id(4)] string? Link,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] bool Read);

[GenerateSerializer, Immutable]
public sealed record InboxPage(
    [property: Id(0)] IReadOnlyList<InboxItem> Items,
    [property: Id(1)] int Page,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total,
    [property: Id(4)] int Unread);
