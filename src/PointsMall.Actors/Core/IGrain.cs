namespace PointsMall.Actors;

/// <summary>
/// Marker for grain interfaces. Every method of a grain interface returns <see cref="Task"/> or
/// <see cref="Task{TResult}"/>; the source generator in PointsMall.Actors.Generators emits a typed proxy
/// for each interface and reports an error for anything it cannot route.
/// </summary>
#pragma warning disable CA1040 // A marker interface is the point: it is how the generator and the factory find grain interfaces.
public interface IGrain;
#pragma warning restore CA1040

/// <summary>
/// Names the grain type of a grain interface explicitly. The name is part of every stored row's key, so it
/// must never change once data exists. Without the attribute the name is derived from the interface name:
/// <c>IProductStockGrain</c> becomes <c>product-stock</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
