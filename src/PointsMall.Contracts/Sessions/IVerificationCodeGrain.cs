namespace PointsMall.Contracts.Sessions;

/// <summary>
/// A one-time code sent to a login (key: <see cref="VerificationKeys"/>) to prove the caller holds that phone or
/// mailbox: issued, then redeemed once. Only the code's hash is kept.
/// </summary>
[Alias("verification-code")]
public interface IVerificationCodeGrain : IGrainWithStringKey
{
    /// <summary>A new code to send (the one before it stops counting); null when one was issued less than <see cref="VerificationPolicy.ResendAfter"/> ago.</summary>
    Task<string?> IssueAsync(VerificationPolicy policy);

    /// <summary>
    /// Whether <paramref name="code"/> is the live code: a right one is spent; a wrong one costs one of the policy's
    /// attempts, and the last one voids the code. An expired or spent code is never right.
    /// </summary>
    Task<bool> RedeemAsync(string code);
}

/// <summary>How long a code lives, how soon another may be sent, and how many wrong tries void it.</summary>
[GenerateSerializer, Immutable]
public sealed record VerificationPolicy([property: Id(0)] TimeSpan Lifetime, [property: Id(1)] TimeSpan ResendAfter, [property: Id(2)] int Attempts);

public static class VerificationKeys
{
    /// <summary>A password reset of the member whose normalised phone or e-mail this is.</summary>
    public static string PasswordReset(string login) => "password-reset:" + login;

    /// <summary>A sign-in without the password by the member whose normalised phone or e-mail this is.</summary>
    public static string SignIn(string login) => "sign-in:" + login;

    /// <summary>A member's move to a new phone or e-mail: the code goes to the new one, and only that member may use it.</summary>
    public static string ChangeLogin(string memberId, string login) => $"change-login:{memberId}:{login}";
}
