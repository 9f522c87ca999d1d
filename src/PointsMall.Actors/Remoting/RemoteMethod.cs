using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Remoting;

/// <summary>
/// The server side of one grain method for the silo gateway: rebuilds the generated request from the JSON
/// arguments a remote caller sent, runs it like any local call, and serializes the result. Generated code
/// creates these (one per method) and registers them per grain interface with <see cref="RemoteMethods"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class RemoteMethod
{
    private protected RemoteMethod(string id, int parameterCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        Id = id;
        ParameterCount = parameterCount;
    }

    /// <summary>The method's wire id: its name and parameter types, as the generated request's RemoteMethodId.</summary>
    public string Id { get; }

    public int ParameterCount { get; }

    /// <summary>A method that returns <see cref="Task{TResult}"/>.</summary>
    public static RemoteMethod Create<TGrain, TResult>(string id, int parameterCount, Func<JsonElement, JsonSerializerOptions, GrainRequest<TGrain, TResult>> rebuild)
        where TGrain : IGrain
        => new Returning<TGrain, TResult>(id, parameterCount, rebuild);

    /// <summary>A method that returns <see cref="Task"/>.</summary>
    public static RemoteMethod Create<TGrain>(string id, int parameterCount, Func<JsonElement, JsonSerializerOptions, GrainRequest<TGrain>> rebuild)
        where TGrain : IGrain
        => new Void<TGrain>(id, parameterCount, rebuild);

    /// <summary>Argument <paramref name="index"/> of a JSON argument array, as the parameter's type (generated code calls this).</summary>
    public static T Argument<T>(JsonElement arguments, int index, JsonSerializerOptions options)
        => arguments[index].Deserialize<T>(options)!;

    /// <summary>
    /// Rebuilds the request (throwing <see cref="RemoteArgumentsException"/> when the arguments do not fit) and
    /// dispatches it; the task completes with the serialized result (null for a void method) once the local
    /// call is answered, that is, once everything it changed is durable.
    /// </summary>
    internal Task<byte[]?> InvokeAsync(IGrainCallInvoker invoker, GrainId grain, JsonElement arguments, JsonSerializerOptions options)
    {
        if (arguments.ValueKind != JsonValueKind.Array || arguments.GetArrayLength() != ParameterCount)
        {
            throw new RemoteArgumentsException($"{grain.Type}.{Id} takes {ParameterCount} argument(s) as a JSON array.");
        }

        return DispatchAsync(invoker, grain, arguments, options);
    }

    private protected abstract Task<byte[]?> DispatchAsync(IGrainCallInvoker invoker, GrainId grain, JsonElement arguments, JsonSerializerOptions options);

    private protected RemoteArgumentsException BadArguments(GrainId grain, Exception inner)
        => new($"The arguments of {grain.Type}.{Id} could not be read: {inner.Message}", inner);

    private sealed class Returning<TGrain, TResult>(string id, int parameterCount, Func<JsonElement, JsonSerializerOptions, GrainRequest<TGrain, TResult>> rebuild)
        : RemoteMethod(id, parameterCount)
        where TGrain : IGrain
    {
        private protected override Task<byte[]?> DispatchAsync(IGrainCallInvoker invoker, GrainId grain, JsonElement arguments, JsonSerializerOptions options)
        {
            GrainRequest<TGrain, TResult> request;
            try
            {
                request = rebuild(arguments, options);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw BadArguments(grain, ex);
            }

            return SerializeAsync(invoker.InvokeAsync(grain, request), options);
        }

        private static async Task<byte[]?> SerializeAsync(Task<TResult> reply, JsonSerializerOptions options)
            => JsonSerializer.SerializeToUtf8Bytes(await reply.ConfigureAwait(false), options);
    }

    private sealed class Void<TGrain>(string id, int parameterCount, Func<JsonElement, JsonSerializerOptions, GrainRequest<TGrain>> rebuild)
        : RemoteMethod(id, parameterCount)
        where TGrain : IGrain
    {
        private protected override Task<byte[]?> DispatchAsync(IGrainCallInvoker invoker, GrainId grain, JsonElement arguments, JsonSerializerOptions options)
        {
            GrainRequest<TGrain> request;
            try
            {
                request = rebuild(arguments, options);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw BadArguments(grain, ex);
            }

            return CompleteAsync(invoker.InvokeAsync(grain, request));
        }

        private static async Task<byte[]?> CompleteAsync(Task reply)
        {
            await reply.ConfigureAwait(false);
            return null;
        }
    }
}

/// <summary>
/// The remote methods of every grain interface, by grain type name. Generated module initializers call
/// <see cref="Register{TGrain}"/> next to the proxy registration.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RemoteMethods
{
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, RemoteMethod>> ByGrainType = new(StringComparer.Ordinal);

    public static void Register<TGrain>(string grainType, params RemoteMethod[] methods)
        where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        ArgumentNullException.ThrowIfNull(methods);
        ByGrainType[grainType] = methods.ToDictionary(m => m.Id, StringComparer.Ordinal);
    }

    /// <summary>The method <paramref name="methodId"/> of grain type <paramref name="grainType"/>, or null when unknown.</summary>
    internal static RemoteMethod? Find(string grainType, string methodId)
        => ByGrainType.TryGetValue(grainType, out var methods) && methods.TryGetValue(methodId, out var method) ? method : null;
}
