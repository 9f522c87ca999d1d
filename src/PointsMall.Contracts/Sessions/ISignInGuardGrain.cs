namespace PointsMall.Contracts.Sessions;

/// <summary>
/// Failed sign-ins under one key (<see cref="SignInGuardKeys"/>: a login, or a client address) and whether sign-ins
/// under it are locked. Counted whether or not the login exists, so a lock says nothing about which accounts do.
/// </summary>
[Alias("sign-in-guard")]
public interface ISignInGuardGrain : IGrainWithStringKey
{
    /// <summary>Until when sign-ins under this key are refused; null while they are allowed.</summary>
    Task<DateTimeOffset?> LockedUntilAsync();

    /// <summary>
    /// Counts a failed sign-in. Once <see cref="SignInPolicy.Failures"/> fall within <see cref="SignInPolicy.Window"/>,
    /// the key locks for <see cref="SignInPolicy.LockFor"/> (and its count starts again). Returns the lock's end, if locked.
    /// </summary>
    Task<DateTimeOffset?> FailedAsync(SignInPolicy policy);

    /// <summary>
    /// A sign-in succeeded, or the login's owner proved itself another way (a password reset by code): the failures
    /// counted so far are forgotten, and a lock is lifted.
    /// </summary>
    Task SucceededAsync();
}

/// <summary>How many failed sign-ins within how long lock a key, and for how long.</summary>
[GenerateSerializer, Immutable]
public sealed record SignInPolicy([property: Id(0)] int Failures, [property: Id(1)] TimeSpan Window, [property: Id(2)] TimeSpan LockFor);

public static class SignInGuardKeys
{
    /// <summary>A member's normalised phone or e-mail, or an operator's login (the two never look alike).</summary>
    public static string Login(string login) => "login:" + login;

    public static string Address(string address) => "address:" + address;
}
