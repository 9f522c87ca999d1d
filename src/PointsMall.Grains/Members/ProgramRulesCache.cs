using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>
/// The activation's copy of the programme rules. A hot member would otherwise call the programme grain every turn;
/// a minute's staleness is the documented cost of an operator's change reaching every member.
/// </summary>
internal sealed class ProgramRulesCache
{
    private ProgramRules? _rules;
    private DateTimeOffset _fetchedAt;

    /// <summary>The cached rules, or null when they must be fetched (none yet, too old, or the clock went back).</summary>
    public ProgramRules? Fresh(DateTimeOffset now) =>
        _rules is null || now - _fetchedAt >= MemberGrain.RulesCacheDuration || now < _fetchedAt ? null : _rules;

    /// <summary>The rules last fetched by this activation, however old (for what tolerates staleness, like a time zone).</summary>
    public ProgramRules? Last => _rules;

    public ProgramRules Keep(ProgramRules rules, DateTimeOffset now)
    {
        _rules = rules;
        _fetchedAt = now;
        return rules;
    }
}
