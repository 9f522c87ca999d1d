namespace PointsMall.Contracts.Operators;

/// <summary>
/// One admin write as it was asked and answered: who (operator, role, client address), what (the route's name, the
/// method and path, the target's route values, the request with secrets removed), when, the status it got, and the
/// target's state before and after when the route can read it. JSON texts are bounded in size.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Operator,
    [property: Id(3)] string Role,
    [property: Id(4)] string Action,
    [property: Id(5)] string Method,
    [property: Id(6)] string Path,
    [property: Id(7)] string Target,
    [property: Id(8)] int Status,
    [property: Id(9)] string? ClientAddress,
    [property: Id(10)] string? Request,
    [property: Id(11)] string? Before,
    [property: Id(12)] string? After);

/// <summary>Filters of the audit search: an operator's login and an action name match exactly, the text anywhere in target or path.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditQuery([property: Id(0)] string? Operator, [property: Id(1)] string? Action, [property: Id(2)] string? Text, [property: Id(3)] int Page, [property: Id(4)] int PageSize);

[GenerateSerializer, Immutable]
public sealed record AuditPage([property: Id(0)] IReadOnlyList<AuditEntry> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary>
/// One entry of the audit log (key: the entry's id, which begins with its time so ids sort by it). Written once:
/// recording the same id again changes nothing, so a retried write never makes a second entry or rewrites the first.
/// </summary>
[Alias("audit-entry")]
public interface IAuditEntryGrain : IGrainWithStringKey
{
    Task RecordAsync(AuditEntry entry);
}

/// <summary>The audit log's search (key: <see cref="Key"/>): a query of the index every entry writes with itself.</summary>
[Alias("audit-log")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    public const string Key = "all";

    public const string Index = "audit";

    public const int MaxPageSize = 100;

    /// <summary>Matching entries, newest first.</summary>
    Task<AuditPage> SearchAsync(AuditQuery query);
}
