using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PointsMall.Actors.Generators;

// The pipeline's cached values: strings and equatable arrays only. Symbols and syntax nodes would pin
// whole compilations in the cache and never compare equal across edits.

/// <summary>
/// One grain interface, ready to emit or refused. <see cref="Refused"/> can be true with no diagnostics of its own
/// when the problem is in an inherited grain interface, which reports it.
/// </summary>
internal sealed record GrainInterfaceModel(
    string Namespace,
    string HintName,
    string InterfaceType,
    string InterfaceDisplay,
    string ProxyName,
    string GrainType,
    LocationInfo? Location,
    EquatableArray<MethodModel> Methods,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool Refused);

/// <param name="IsOwnMethod">Declared by the proxied interface itself rather than inherited.</param>
/// <param name="DeclaringInterface">Fully qualified interface that declares the method (the explicit-implementation qualifier).</param>
/// <param name="ResultType">Fully qualified T of <c>Task&lt;T&gt;</c>; null for <c>Task</c>.</param>
/// <param name="RequestName">Name of the nested request class, unique within the proxy.</param>
/// <param name="RemoteId">
/// The method's id on the silo gateway's wire: <c>Name(parameter types)</c>, prefixed by the declaring interface
/// for inherited methods; without nullable annotations, so that annotating a contract does not break a mixed deployment.
/// </param>
internal sealed record MethodModel(
    string Name,
    string DeclaringInterface,
    bool IsOwnMethod,
    string? ResultType,
    EquatableArray<ParameterModel> Parameters,
    string RequestName,
    string RemoteId);

internal sealed record ParameterModel(string Type);

internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(Descriptors.ById(Id), Location?.ToLocation(), [.. Arguments]);
}

/// <summary>A source location without the syntax tree, so that it can be cached.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Microsoft.CodeAnalysis.Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
        => location is { IsInSource: true, SourceTree: not null }
            ? new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span)
            : null;
}
