using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PointsMall.Actors.Generators;

/// <summary>Turns an interface declaration into a <see cref="GrainInterfaceModel"/>: everything symbol-based happens here.</summary>
internal static class GrainInterfaceParser
{
    public const string GrainInterfaceName = "PointsMall.Actors.IGrain";
    public const string GrainTypeAttributeName = "PointsMall.Actors.GrainTypeAttribute";

    /// <summary>Fully qualified, with nullable annotations kept, so the generated fields and signatures match the interface.</summary>
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A method as messages show it: <c>FindAsync(string, int)</c>; the interface is named separately.</summary>
    private static readonly SymbolDisplayFormat MemberFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameOnly,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Types in remote method ids: qualified, no <c>global::</c>, no nullable reference annotations.</summary>
    private static readonly SymbolDisplayFormat WireFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken)
        => node is InterfaceDeclarationSyntax { BaseList.Types.Count: > 0 };

    public static GrainInterfaceModel? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (InterfaceDeclarationSyntax)context.Node;
        var compilation = context.SemanticModel.Compilation;
        var grainInterface = compilation.GetTypeByMetadataName(GrainInterfaceName);
        if (grainInterface is null
            || context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not { } symbol
            || !symbol.AllInterfaces.Contains(grainInterface, SymbolEqualityComparer.Default))
        {
            return null;
        }

        // A partial interface has several declarations; exactly one of them (the first with a base list) speaks for it.
        var speaker = symbol.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken))
            .OfType<InterfaceDeclarationSyntax>()
            .FirstOrDefault(d => d.BaseList is { Types.Count: > 0 });
        if (speaker is null || speaker.SyntaxTree != declaration.SyntaxTree || speaker.Span != declaration.Span)
        {
            return null;
        }

        return new Parser(compilation, symbol, grainInterface, declaration.Identifier.GetLocation()).Parse();
    }

    private sealed class Parser(Compilation compilation, INamedTypeSymbol symbol, INamedTypeSymbol grainInterface, Location identifier)
    {
        private readonly INamedTypeSymbol? _task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        private readonly INamedTypeSymbol? _taskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        private readonly List<DiagnosticInfo> _diagnostics = [];
        private bool _refused;
        private readonly List<MethodModel> _methods = [];
        private readonly Dictionary<string, int> _requestNames = [];
        private readonly string _display = symbol.ToDisplayString();

        public GrainInterfaceModel Parse()
        {
            CheckShape();
            var grainType = GrainTypeName();
            AddMembers(symbol);
            foreach (var inherited in symbol.AllInterfaces)
            {
                if (!SymbolEqualityComparer.Default.Equals(inherited, grainInterface))
                {
                    AddMembers(inherited);
                }
            }

            var containers = ContainingTypes();
            var ns = symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();
            var path = string.Join(".", containers.Select(c => c.Name).Concat([symbol.Name]));
            return new GrainInterfaceModel(
                Namespace: ns,
                HintName: $"Proxies.{(ns.Length == 0 ? "" : ns + ".")}{path}.g.cs",
                InterfaceType: symbol.ToDisplayString(TypeFormat),
                InterfaceDisplay: _display,
                ProxyName: string.Concat(containers.Select(c => c.Name + "_")) + GrainTypeNames.StripInterfacePrefix(symbol.Name) + "Proxy",
                GrainType: grainType,
                Location: LocationInfo.From(identifier),
                Methods: new([.. _methods]),
                Diagnostics: new([.. _diagnostics]),
                Refused: _refused);
        }

        private List<INamedTypeSymbol> ContainingTypes()
        {
            var containers = new List<INamedTypeSymbol>();
            for (var t = symbol.ContainingType; t is not null; t = t.ContainingType)
            {
                containers.Insert(0, t);
            }

            return containers;
        }

        /// <summary>The proxy is a top-level class in the interface's namespace: it must be able to name and implement the interface.</summary>
        private void CheckShape()
        {
            var containers = ContainingTypes();
            if (symbol.IsGenericType || containers.Any(c => c.IsGenericType))
            {
                Report(Descriptors.GenericInterface, identifier, _display);
            }

            foreach (var type in containers.Concat([symbol]))
            {
                if (type.IsFileLocal)
                {
                    Report(Descriptors.Inaccessible, identifier, _display, SymbolEqualityComparer.Default.Equals(type, symbol) ? "file-local" : $"nested in file-local '{type.Name}'");
                }
                else if (type.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    var accessibility = SyntaxFacts.GetText(type.DeclaredAccessibility);
                    Report(Descriptors.Inaccessible, identifier, _display, SymbolEqualityComparer.Default.Equals(type, symbol) ? accessibility : $"nested in {accessibility} type '{type.Name}'");
                }
            }
        }

        private string GrainTypeName()
        {
            var attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == GrainTypeAttributeName);
            if (attribute is null)
            {
                return GrainTypeNames.Derive(symbol.Name);
            }

            var name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (string.IsNullOrWhiteSpace(name))
            {
                Report(Descriptors.EmptyGrainType, attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? identifier, _display);
                return "";
            }

            return name!;
        }

        private void AddMembers(INamedTypeSymbol declaring)
        {
            // A member of another grain interface of this compilation is reported once, on that interface; this one
            // still refuses to generate. Members of plain base interfaces are reported here, naming this interface.
            var isOwn = SymbolEqualityComparer.Default.Equals(declaring, symbol);
            var reportHere = isOwn
                || !(declaring.OriginalDefinition.DeclaringSyntaxReferences.Length > 0
                     && declaring.OriginalDefinition.AllInterfaces.Contains(grainInterface, SymbolEqualityComparer.Default));

            foreach (var member in declaring.GetMembers())
            {
                if (member.IsStatic)
                {
                    // Static helpers and constants are not calls; static abstract members would make the interface
                    // unusable as a type argument.
                    if (member.IsAbstract || member.IsVirtual)
                    {
                        Refuse(reportHere, Descriptors.NotAMethod, member, MemberName(declaring, member), "a static abstract member");
                    }

                    continue;
                }

                // Private members have bodies and cannot be called from outside; sealed ones cannot be implemented.
                if (member.DeclaredAccessibility == Accessibility.Private || !(member.IsAbstract || member.IsVirtual))
                {
                    continue;
                }

                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        AddMethod(declaring, method, reportHere, isOwn);
                        break;
                    case IPropertySymbol property:
                        Refuse(reportHere, Descriptors.NotAMethod, member, MemberName(declaring, member), property.IsIndexer ? "an indexer" : "a property");
                        break;
                    case IEventSymbol:
                        Refuse(reportHere, Descriptors.NotAMethod, member, MemberName(declaring, member), "an event");
                        break;
                    default:
                        break;
                }
            }
        }

        /// <summary>The member as the message shows it: qualified by its interface when inherited.</summary>
        private string MemberName(INamedTypeSymbol declaring, ISymbol member)
        {
            var name = member is IMethodSymbol ? member.ToDisplayString(MemberFormat) : member.Name;
            return SymbolEqualityComparer.Default.Equals(declaring, symbol) ? name : declaring.ToDisplayString() + "." + name;
        }

        private void AddMethod(INamedTypeSymbol declaring, IMethodSymbol method, bool reportHere, bool isOwn)
        {
            var methodDisplay = MemberName(declaring, method);

            var valid = true;
            string? resultType = null;
            var returnType = method.ReturnType as INamedTypeSymbol;
            if (method.ReturnsByRef || method.ReturnsByRefReadonly || returnType is null)
            {
                valid = Refuse(reportHere, Descriptors.MustReturnTask, method, methodDisplay, method.ReturnType.ToDisplayString());
            }
            else if (SymbolEqualityComparer.Default.Equals(returnType.OriginalDefinition, _taskOfT))
            {
                resultType = returnType.TypeArguments[0].ToDisplayString(TypeFormat);
            }
            else if (!SymbolEqualityComparer.Default.Equals(returnType, _task))
            {
                valid = Refuse(reportHere, Descriptors.MustReturnTask, method, methodDisplay, method.ReturnType.ToDisplayString());
            }

            if (method.IsGenericMethod)
            {
                valid = Refuse(reportHere, Descriptors.GenericMethod, method, methodDisplay);
            }

            var parameters = new List<ParameterModel>();
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None)
                {
                    valid = Refuse(reportHere, Descriptors.ByRefParameter, parameter, methodDisplay, parameter.Name, RefKindText(parameter.RefKind));
                }
                else if (parameter.Type.IsRefLikeType || parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
                {
                    valid = Refuse(reportHere, Descriptors.UnstorableParameter, parameter, methodDisplay, parameter.Name, parameter.Type.ToDisplayString());
                }

                parameters.Add(new ParameterModel(parameter.Type.ToDisplayString(TypeFormat)));
            }

            if (!valid)
            {
                return;
            }

            _methods.Add(new MethodModel(
                Name: method.Name,
                DeclaringInterface: declaring.ToDisplayString(TypeFormat),
                IsOwnMethod: isOwn,
                ResultType: resultType,
                Parameters: new([.. parameters]),
                RequestName: RequestName(method.Name),
                RemoteId: RemoteId(declaring, method, isOwn)));
        }

        private static string RemoteId(INamedTypeSymbol declaring, IMethodSymbol method, bool isOwn)
        {
            var signature = $"{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(WireFormat)))})";
            return isOwn ? signature : declaring.ToDisplayString(WireFormat) + "." + signature;
        }

        /// <summary>Overloads (and same-named methods of several base interfaces) get numbered request classes.</summary>
        private string RequestName(string methodName)
        {
            _requestNames.TryGetValue(methodName, out var count);
            _requestNames[methodName] = ++count;
            return count == 1 ? methodName + "Request" : methodName + "Request" + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        private static string RefKindText(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref",
            RefKind.Out => "out",
            RefKind.In => "in",
            RefKind.RefReadOnlyParameter => "ref readonly",
            _ => kind.ToString(),
        };

        /// <summary>Records the problem (reported here or on the declaring grain interface); always returns false.</summary>
        private bool Refuse(bool reportHere, DiagnosticDescriptor descriptor, ISymbol member, params string[] arguments)
        {
            if (reportHere)
            {
                // Members from metadata have no source location: point at this interface instead.
                var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? identifier;
                Report(descriptor, location, [_display, .. arguments]);
            }

            // Reported or not, this interface gets no proxy: it would not compile.
            _refused = true;
            return false;
        }

        private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
        {
            _diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(location), new(arguments)));
            _refused = true;
        }
    }
}
