using System.Collections.Immutable;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Messages;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Messages;

public sealed record AnnouncementsState
{
    /// <summary>Newest first.</summary>
    public ImmutableList<Announcement> Items { get; init; } = [];
}

/// <summary>
/// The operators' announcements. Inboxes read them when they are listed, so publishing one is a single write whatever
/// the number of members; at most <see cref="IAnnouncementsGrain.Capacity"/> are kept (the oldest fall off).
/// </summary>
[GrainType("announcements")]
public sealed class AnnouncementsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<AnnouncementsState> state) : MallGrain, IAnnouncementsGrain
{
    public const int MaxTitle = 100;
    public const int MaxBody = 2000;

    public Task<AnnouncementResult> PublishAsync(Announcement announcement)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        if (Validate(announcement) is { } error)
        {
            return Task.FromResult(new AnnouncementResult(null, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), error)));
        }

        // The same id again replaces it (an operator's correction); tiers are kept by their canonical names.
        var tiers = announcement.Tiers is { Count: > 0 } named
            ? [.. named.Select(t => TierNames.TryParse(t, out var tier) ? tier.ToString() : t).Distinct()]
            : (IReadOnlyList<string>?)null;
        var stored = announcement with { Title = announcement.Title.Trim(), Body = announcement.Body.Trim(), Tiers = tiers };
        var items = state.State.Items.RemoveAll(a => a.Id == stored.Id).Add(stored).Sort((a, b) => b.At.CompareTo(a.At));
        if (items.Count > IAnnouncementsGrain.Capacity)
        {
            items = items.RemoveRange(IAnnouncementsGrain.Capacity, items.Count - IAnnouncementsGrain.Capacity);
        }

        state.State = state.State with { Items = items };
        return Task.FromResult(new AnnouncementResult(stored, null));
    }

    public Task<bool> WithdrawAsync(string id)
    {
        var items = state.State.Items.RemoveAll(a => a.Id == id);
        if (items.Count == state.State.Items.Count)
        {
            return Task.FromResult(false);
        }

        state.State = state.State with { Items = items };
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<Announcement>> ListAsync() => Task.FromResult<IReadOnlyList<Announcement>>(state.State.Items);

    private static string? Validate(Announcement a)
    {
        if (string.IsNullOrWhiteSpace(a.Id) || string.IsNullOrWhiteSpace(a.Title) || string.IsNullOrWhiteSpace(a.Body))
        {
            return "an announcement needs an id, a title and a body";
        }

        if (a.Title.Trim().Length > MaxTitle || a.Body.Trim().Length > MaxBody)
        {
            return $"the title is at most {MaxTitle} characters and the body at most {MaxBody}";
        }

        if (a.Tiers?.FirstOrDefault(t => !TierNames.TryParse(t, out _)) is { } unknown)
        {
            return $"no tier '{unknown}'";
        }

        return a.ExpiresAt is { } ends && ends <= a.At ? "an announcement must expire after it is published" : null;
    }
}
