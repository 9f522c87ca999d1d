using System.Collections.Immutable;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Common;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record SectionsState
{
    public ImmutableList<SectionView> Sections { get; init; } = [];
}

/// <summary>The catalogue's sections: one small list, so one grain holds it and every change is one write.</summary>
[GrainType("sections")]
public sealed class SectionsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<SectionsState> state) : MallGrain, ISectionsGrain
{
    public const int MaxSections = 50;

    public Task<IReadOnlyList<SectionView>> ListAsync()
        => Task.FromResult<IReadOnlyList<SectionView>>([.. state.State.Sections.OrderBy(s => s.Order).ThenBy(s => s.Name, StringComparer.Ordinal)]);

    public Task<SectionResult> SaveAsync(SectionView section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var sections = state.State.Sections;
        var name = section.Name.Trim();
        var saved = section with { Name = name };
        if (sections.Any(s => s.Id != section.Id && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return Task.FromResult(Refused(RefusalCode.Conflict, "section_name_taken"));
        }

        var existing = sections.FindIndex(s => s.Id == section.Id);
        if (existing < 0 && sections.Count >= MaxSections)
        {
            return Task.FromResult(Refused(RefusalCode.LimitExceeded, $"at_most_{MaxSections}_sections"));
        }

        if (existing < 0 || sections[existing] != saved)
        {
            state.State = state.State with { Sections = existing < 0 ? sections.Add(saved) : sections.SetItem(existing, saved) };
        }

        return Task.FromResult(new SectionResult(saved, null));
    }

    public Task<bool> RemoveAsync(string id)
    {
        var index = state.State.Sections.FindIndex(s => s.Id == id);
        if (index >= 0)
        {
            state.State = state.State with { Sections = state.State.Sections.RemoveAt(index) };
        }

        return Task.FromResult(index >= 0);
    }

    private static SectionResult Refused(RefusalCode code, string detail) => new(null, Problem.From(new Refusal(code, detail)));
}
