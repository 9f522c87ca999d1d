using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Catalog;

/// <summary>A catalogue section (分类: 数码, 家居, 美食, …) the operators shelve products in; lower order shows first.</summary>
[GenerateSerializer, Immutable]
public sealed record SectionView([property: Id(0)] string Id, [property: Id(1)] string Name, [property: Id(2)] int Order);

[GenerateSerializer, Immutable]
public sealed record SectionResult([property: Id(0)] SectionView? Section, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>The catalogue's sections (key: <c>all</c>): a short list the operators keep, read by every shop page.</summary>
[Alias("sections")]
public interface ISectionsGrain : IGrainWithStringKey
{
    /// <summary>Every section, by order then name.</summary>
    Task<IReadOnlyList<SectionView>> ListAsync();

    /// <summary>
    /// Adds a section or renames and reorders one (by id). Two sections never share a name (<c>conflict</c>), and
    /// there are at most <c>MaxSections</c> (<c>limit_exceeded</c>).
    /// </summary>
    Task<SectionResult> SaveAsync(SectionView section);

    /// <summary>Removes a section; its products stay, shelved in none. False when there was no such section.</summary>
    Task<bool> RemoveAsync(string id);
}
