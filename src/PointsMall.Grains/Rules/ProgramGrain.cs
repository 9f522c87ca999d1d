using PointsMall.GroupCommit;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Rules;

/// <summary>Stored state of a programme. <see cref="Rules"/> is null until an operator first changes them.</summary>
public sealed record ProgramState
{
    public ProgramRules? Rules { get; init; }
}

/// <summary>
/// The programme's rules (key: programme id). Every accepted change bumps <see cref="ProgramRules.Version"/>, so an
/// operator editing from a stale copy is refused with <c>conflict</c> instead of silently undoing someone else's edit.
/// Member grains cache what <see cref="GetAsync"/> returns for a short while; a change reaches them within that time.
/// </summary>
[GrainType("program")]
public sealed class ProgramGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<ProgramState> state) : MallGrain, IProgramGrain
{
    public const int MaxCampaigns = 100;

    private ProgramRules Current => state.State.Rules ?? ProgramRules.Default;

    public Task<ProgramRules> GetAsync() => Task.FromResult(Current);

    public Task<ProgramResult> UpdateAsync(ProgramRules rules)
    {
        if (rules is null)
        {
            return Refuse(RefusalCode.ValidationFailed, "rules are required");
        }

        var current = Current;
        if (rules.Version != current.Version)
        {
            return Refuse(RefusalCode.Conflict, $"version_mismatch: the rules are at version {current.Version}, the update was based on {rules.Version}");
        }

        return Apply(rules with { Version = current.Version + 1 });
    }

    public Task<ProgramResult> SaveCampaignAsync(Campaign campaign)
    {
        if (campaign is null || string.IsNullOrWhiteSpace(campaign.Id) || string.IsNullOrWhiteSpace(campaign.Name))
        {
            return Refuse(RefusalCode.ValidationFailed, "a campaign needs an id and a name");
        }

        var current = Current;
        var campaigns = current.Earn.Campaigns.IsDefault ? [] : current.Earn.Campaigns;
        var index = IndexOf(campaigns, campaign.Id);
        if (index < 0 && campaigns.Length >= MaxCampaigns)
        {
            return Refuse(RefusalCode.LimitExceeded, $"at most {MaxCampaigns} campaigns");
        }

        campaigns = index >= 0 ? campaigns.SetItem(index, campaign) : campaigns.Add(campaign);
        return Apply(current with { Version = current.Version + 1, Earn = current.Earn with { Campaigns = campaigns } });
    }

    public Task<ProgramResult> RemoveCampaignAsync(string campaignId)
    {
        var current = Current;
        var campaigns = current.Earn.Campaigns.IsDefault ? [] : current.Earn.Campaigns;
        var index = IndexOf(campaigns, campaignId);
        if (index < 0)
        {
            return Refuse(RefusalCode.NotFound, "campaign_not_found");
        }

        return Apply(current with { Version = current.Version + 1, Earn = current.Earn with { Campaigns = campaigns.RemoveAt(index) } });
    }

    private Task<ProgramResult> Apply(ProgramRules next)
    {
        // Operators' JSON may omit a list; treat a missing campaign list as empty rather than failing later.
        if (next.Earn is { Campaigns.IsDefault: true })
        {
            next = next with { Earn = next.Earn with { Campaigns = [] } };
        }

        IReadOnlyList<string> errors;
        try
        {
            errors = next.Validate();
        }
#pragma warning disable CA1031 // Malformed input (e.g. a missing list inside a part) is a validation failure, not a crash.
        catch (Exception ex) when (ex is NullReferenceException or ArgumentException or InvalidOperationException)
#pragma warning restore CA1031
        {
            errors = ["the rules are incomplete: " + ex.Message];
        }

        if (errors.Count > 0)
        {
            return Refuse(RefusalCode.ValidationFailed, string.Join("; ", errors));
        }

        state.State = state.State with { Rules = next };
        return Task.FromResult(new ProgramResult(next, null));
    }

    private static int IndexOf(System.Collections.Immutable.ImmutableArray<Campaign> campaigns, string? id)
    {
        for (var i = 0; i < campaigns.Length; i++)
        {
            if (string.Equals(campaigns[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static Task<ProgramResult> Refuse(RefusalCode code, string detail) =>
        Task.FromResult(new ProgramResult(null, Problem.From(Refusal.Of(code, detail))));
}
