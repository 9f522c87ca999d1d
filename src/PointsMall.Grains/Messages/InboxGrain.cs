using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Messages;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Messages;

public sealed record InboxState
{
    /// <summary>Newest first, at most <see cref="IInboxGrain.Capacity"/>.</summary>
    public ImmutableList<StoredNotice> Notices { get; init; } = [];

    /// <summary>The announcements this member has read (ids of ones still published).</summary>
    public ImmutableHashSet<string> ReadAnnouncements { get; init; } = [];
}

public sealed record StoredNotice(MemberNotice Notice, bool Read);

/// <summary>
/// A member's inbox. A new notice goes out on the (<c>push</c>, member) stream in the same commit, so the notification
/// provider is told of each notice once it is durable, whichever way it arrived. Announcements are not copied into
/// inboxes (one announcement to a million members would be a million writes): the inbox reads them when it is listed
/// and keeps only which ones were read.
/// </summary>
[GrainType("inbox")]
public sealed class InboxGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<InboxState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, IInboxGrain
{
    /// <summary>The stream namespace (key: member id) the push subscription reads.</summary>
    public const string PushStream = "push";

    public Task<bool> DeliverAsync(MemberNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (state.State.Notices.Exists(n => n.Notice.Id == notice.Id))
        {
            return Task.FromResult(false);
        }

        // Newest first by the time of what it tells, so a notice delivered late still sorts where it belongs.
        var notices = state.State.Notices.Add(new StoredNotice(notice, false)).Sort((a, b) => b.Notice.At.CompareTo(a.Notice.At));
        if (notices.Count > IInboxGrain.Capacity)
        {
            notices = notices.RemoveRange(IInboxGrain.Capacity, notices.Count - IInboxGrain.Capacity);
        }

        state.State = state.State with { Notices = notices };
        Publish(new StreamId(PushStream, GrainKey), notice);
        return Task.FromResult(true);
    }

    public async Task<InboxPage> ListAsync(InboxQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, IInboxGrain.MaxPageSize);
        var all = Items(await AnnouncementsAsync(query.Tier));
        var shown = query.UnreadOnly ? [.. all.Where(i => !i.Read)] : all;
        return new InboxPage([.. shown.Skip((page - 1) * pageSize).Take(pageSize)], page, pageSize, shown.Count, all.Count(i => !i.Read));
    }

    public async Task<int> MarkReadAsync(MarkRead command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var announcements = (await AnnouncementsAsync(command.Tier)).ToList();
        bool Named(string id) => command.Ids is null || command.Ids.Contains(id, StringComparer.Ordinal);
        var notices = state.State.Notices.ConvertAll(n => !n.Read && Named(n.Notice.Id) ? n with { Read = true } : n);

        // Only announcements still published are remembered, so the set never outgrows the announcements.
        var read = announcements.Select(a => a.Id).Where(id => state.State.ReadAnnouncements.Contains(id) || Named(id)).ToImmutableHashSet();
        if (!notices.SequenceEqual(state.State.Notices) || !read.SetEquals(state.State.ReadAnnouncements))
        {
            state.State = state.State with { Notices = notices, ReadAnnouncements = read };
        }

        return Items(announcements).Count(i => !i.Read);
    }

    /// <summary>Notices and the tier's current announcements, newest first.</summary>
    private List<InboxItem> Items(IEnumerable<Announcement> announcements)
    {
        var notices = state.State.Notices.Select(n => new InboxItem(n.Notice.Id, n.Notice.Kind, n.Notice.Title, n.Notice.Body, n.Notice.Link, n.Notice.At, n.Read));
        var announced = announcements.Select(a => new InboxItem(a.Id, NoticeKinds.Announcement, a.Title, a.Body, null, a.At,
            state.State.ReadAnnouncements.Contains(a.Id)));
        return [.. notices.Concat(announced).OrderByDescending(i => i.At)];
    }

    /// <summary>The announcements published now for the tier: fetched once per call and shared by what the call computes.</summary>
    private async Task<IEnumerable<Announcement>> AnnouncementsAsync(string? tier)
    {
        var now = time.GetUtcNow();
        return (await GrainFactory.GetGrain<IAnnouncementsGrain>(IAnnouncementsGrain.Key).ListAsync()).Where(a => a.IsFor(tier, now));
    }
}
