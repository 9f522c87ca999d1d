using System;
using Microsoft.CodeAnalysis;

namespace PointsMall.Actors.Generators;

internal static class Descriptors
{
    private const string Category = "PointsMall.Actors";

    public static readonly DiagnosticDescriptor MustReturnTask = Create(
        "PMA0001",
        "Grain method must return Task or Task<T>",
        "Method '{1}' of grain interface '{0}' returns '{2}': grain methods must return Task or Task<T>, because every grain call is asynchronous and routed to the grain's activation");

    public static readonly DiagnosticDescriptor ByRefParameter = Create(
        "PMA0002",
        "Grain method parameter is passed by reference",
        "Parameter '{2}' of method '{1}' of grain interface '{0}' is passed by reference ({3}): a grain call is a message and carries its arguments by value");

    public static readonly DiagnosticDescriptor NotAMethod = Create(
        "PMA0003",
        "Grain interfaces may only declare methods",
        "Grain interface '{0}' declares {2} '{1}': grain interfaces may only declare methods that return Task or Task<T>");

    public static readonly DiagnosticDescriptor GenericMethod = Create(
        "PMA0004",
        "Grain method is generic",
        "Method '{1}' of grain interface '{0}' is generic: grain methods cannot have type parameters");

    public static readonly DiagnosticDescriptor GenericInterface = Create(
        "PMA0005",
        "Grain interface is generic",
        "Grain interface '{0}' is generic or nested in a generic type: generic grain interfaces are not supported");

    public static readonly DiagnosticDescriptor Inaccessible = Create(
        "PMA0006",
        "Grain interface is not accessible in its assembly",
        "Grain interface '{0}' is {1}: the generated proxy must implement it, so the interface and every type containing it must be public or internal");

    public static readonly DiagnosticDescriptor UnstorableParameter = Create(
        "PMA0007",
        "Grain method parameter type cannot be carried in a request",
        "Parameter '{2}' of method '{1}' of grain interface '{0}' has type '{3}', which cannot be stored in a request (ref struct or pointer)");

    public static readonly DiagnosticDescriptor DuplicateGrainType = Create(
        "PMA0008",
        "Two grain interfaces map to the same grain type name",
        "Grain interface '{0}' maps to grain type name '{2}', which '{1}' already uses: give one of them a different [GrainType] name");

    public static readonly DiagnosticDescriptor EmptyGrainType = Create(
        "PMA0009",
        "Grain type name is empty",
        "The [GrainType] name of grain interface '{0}' is empty: the name is part of every stored row's key");

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "PMA0001" => MustReturnTask,
        "PMA0002" => ByRefParameter,
        "PMA0003" => NotAMethod,
        "PMA0004" => GenericMethod,
        "PMA0005" => GenericInterface,
        "PMA0006" => Inaccessible,
        "PMA0007" => UnstorableParameter,
        "PMA0008" => DuplicateGrainType,
        "PMA0009" => EmptyGrainType,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "Unknown diagnostic id."),
    };

    private static DiagnosticDescriptor Create(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
