using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors.Persistence;

namespace PointsMall.Actors.Runtime;

/// <summary>How to create activations of one grain class: its constructor and its persistent state type.</summary>
internal sealed class GrainClass
{
    private readonly ObjectFactory _factory;
    private readonly Func<ActivationData, IStateHolder>? _createState;

    public GrainClass(string grainType, Type classType)
    {
        GrainType = grainType;
        ClassType = classType;
        if (!typeof(Grain).IsAssignableFrom(classType) || classType.IsAbstract)
        {
            throw new ArgumentException($"{classType.FullName} must be a concrete class deriving from Grain.", nameof(classType));
        }

        var stateTypes = classType.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            .Distinct()
            .ToList();
        if (stateTypes.Count > 1)
        {
            throw new ArgumentException($"{classType.FullName} asks for more than one persistent state; a grain has one state object.", nameof(classType));
        }

        if (stateTypes.Count == 1)
        {
            var stateType = stateTypes[0].GetGenericArguments()[0];
            StateTypeGuard.EnsureImmutable(stateType);
            _createState = typeof(GrainClass)
                .GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(stateType)
                .CreateDelegate<Func<ActivationData, IStateHolder>>();
            _factory = ActivatorUtilities.CreateFactory(classType, [stateTypes[0]]);
        }
        else
        {
            _factory = ActivatorUtilities.CreateFactory(classType, []);
        }
    }

    public string GrainType { get; }

    public Type ClassType { get; }

    public (object Grain, IStateHolder? State) Create(IServiceProvider services, ActivationData activation)
    {
        if (_createState is null)
        {
            return (_factory(services, []), null);
        }

        var state = _createState(activation);
        return (_factory(services, [state]), state);
    }

    private static PersistentState<TState> CreateState<TState>(ActivationData activation)
        where TState : class, new()
        => new PersistentState<TState>(activation);
}
