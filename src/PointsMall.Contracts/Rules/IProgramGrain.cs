using PointsMall.Contracts.Common;
using PointsMall.Domain.Rules;

namespace PointsMall.Contracts.Rules;

/// <summary>
/// The loyalty programme's rules (key: programme id, <c>default</c>): earn ratio, campaigns, sign-in ladder,
/// tasks, tiers, expiry policy and time zone. Rules are data: operators change them here.
/// </summary>
[Alias("program")]
public interface IProgramGrain : IGrainWithStringKey
{
    Task<ProgramRules> GetAsync();

    /// <summary>Replaces the rules. <see cref="ProgramRules.Version"/> must be the current version (optimistic check).</summary>
    Task<ProgramResult> UpdateAsync(ProgramRules rules);

    Task<ProgramResult> SaveCampaignAsync(Campaign campaign);

    Task<ProgramResult> RemoveCampaignAsync(string campaignId);
}

[GenerateSerializer, Immutable]
public sealed record ProgramResult([property: Id(0)] ProgramRules? Rules, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>The id of the one programme this deployment runs.</summary>
public static class Programs
{
    public const string Default = "default";
}
