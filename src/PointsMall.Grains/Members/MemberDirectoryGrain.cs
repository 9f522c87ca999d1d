using PointsMall.GroupCommit;
using System.Collections.Immutable;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Members;

namespace PointsMall.Grains.Members;

public sealed record MemberDirectoryState
{
    public ImmutableDictionary<string, MemberListing> Members { get; init; } = ImmutableDictionary<string, MemberListing>.Empty;
}

/// <summary>
/// One shard of the operators' member index, fed by <see cref="MemberListed"/> events (at least once, in order
/// per member). It holds identity only, which changes rarely, so it is never on the path of a points operation.
/// </summary>
[GrainType("member-directory")]
public sealed class MemberDirectoryGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<MemberDirectoryState> state) : MallGrain, IMemberDirectoryGrain
{
    public Task UpsertAsync(MemberListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentException.ThrowIfNullOrWhiteSpace(listing.Id);
        var members = state.State.Members;

        // A redelivered or older listing changes nothing (and writes nothing).
        if (members.TryGetValue(listing.Id, out var existing) && (listing.UpdatedAt < existing.UpdatedAt || listing == existing))
        {
            return Task.CompletedTask;
        }

        state.State = state.State with { Members = members.SetItem(listing.Id, listing) };
        return Task.CompletedTask;
    }

    public Task<DirectoryShardPage> SearchAsync(string? text, int take)
    {
        take = Math.Clamp(take, 0, MemberDirectory.MaxPage * MemberDirectory.MaxPageSize);
        var query = text?.Trim();
        IEnumerable<MemberListing> matches = state.State.Members.Values;
        if (!string.IsNullOrEmpty(query))
        {
            // "138 1234 5678" and "+86 138…" find the member whose phone is +8613812345678.
            var phone = ContactValidation.NormalisePhone(query);
            var digits = new string([.. query.Where(char.IsAsciiDigit)]);
            matches = matches.Where(m =>
                m.Id.Contains(query, StringComparison.OrdinalIgnoreCase)
                || m.DisplayName.Contains(query, StringComparison.OrdinalIgnoreCase)
                || (m.Email?.Contains(query, StringComparison.OrdinalIgnoreCase) ?? false)
                || (m.Phone is not null && (m.Phone == phone || (digits.Length >= 3 && digits.Length == query.Replace(" ", "", StringComparison.Ordinal).Length && m.Phone.Contains(digits, StringComparison.Ordinal)))));
        }

        var all = matches.ToList();
        return Task.FromResult(new DirectoryShardPage([.. all.Order(MemberDirectory.Order).Take(take)], all.Count));
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Members.Count);
}
