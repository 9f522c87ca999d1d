using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace PointsMall.Grains.Messages;

/// <summary>What a sandbox provider keeps of what it was given: the last <see cref="Kept"/> items, oldest first.</summary>
public sealed class SandboxLog<T>
{
    public const int Kept = 100;

    private readonly ConcurrentQueue<T> _items = new();

    public IReadOnlyList<T> Items => [.. _items];

    public void Add(T item)
    {
        _items.Enqueue(item);
        while (_items.Count > Kept && _items.TryDequeue(out _))
        {
        }
    }
}

/// <summary>The providers a deployment names: only the sandbox is built in, and naming another is a start-up error.</summary>
public static class Providers
{
    public const string Sandbox = "sandbox";

    public static void RequireSandbox(IConfiguration configuration, string key)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration[key] ?? Sandbox;
        if (!string.Equals(provider, Sandbox, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{key} '{provider}' is not known: the built-in provider is '{Sandbox}'.");
        }
    }
}
