
namespace PointsMall.Contracts.Members;

/// <summary>
/// A member (key: member id): profile, sign-in streak, task counters and points as lots with their ledger.
/// Every points operation is idempotent by its operation id: a repeat returns the first outcome (Replayed).
/// </summary>
[Alias("member")]
public interface IMemberGrain : IGrainWithStringKey
{
    /// <summary>Creates the member. Refused with <c>conflict</c> when this id is already registered.</summary>
    Task<MemberResult> RegisterAsync(RegisterMember command);

    /// <summary>The member, or null when the id was never registered.</summary>
    Task<MemberView?> GetAsync();

    /// <summary>Whether the password is the member's, and when the member joined (what a sign-in is counted under).</summary>
    Task<PasswordCheck> VerifyPasswordAsync(string password);

    /// <summary>
    /// Replaces the password when <see cref="ChangePassword.Current"/> is right (else <c>wrong_password</c>) and ends
    /// every session of the member (<see cref="MemberResult.Revoked"/>).
    /// </summary>
    Task<MemberResult> ChangePasswordAsync(ChangePassword command);

    /// <summary>Sets a new password without the current one (the caller has verified a code sent to the member) and ends every session.</summary>
    Task<MemberResult> ResetPasswordAsync(string replacement);

    /// <summary>Earns a lot (source and reason recorded; expiry from the programme's policy).</summary>
    Task<PointsResult> EarnAsync(EarnPoints command);

    /// <summary>Earns for a purchase: amount → points by the programme's ratio × tier × campaign multipliers.</summary>
    Task<PointsResult> EarnForPurchaseAsync(EarnForPurchase command);

    /// <summary>An operator's grant (positive) or deduction (negative).</summary>
    Task<PointsResult> AdjustAsync(AdjustPoints command);

    /// <summary>Spends earliest-expiring lots first. Refused with <c>insufficient_points</c>; never goes negative.</summary>
    Task<PointsResult> SpendAsync(SpendPoints command);

    /// <summary>Returns points of an earlier spend to the lots they came from.</summary>
    Task<PointsResult> RefundAsync(RefundPoints command);

    /// <summary>Daily sign-in (one per day in the programme's time zone) with the streak ladder.</summary>
    Task<SignInResult> SignInAsync();

    /// <summary>A completed task or activity (survey, share, invite, quiz, lottery participation), within daily caps.</summary>
    Task<PointsResult> CompleteTaskAsync(CompleteTask command);

    /// <summary>Ledger history, newest first.</summary>
    Task<LedgerPage> GetLedgerAsync(int page, int pageSize);

    /// <summary>Open lots that expire within <paramref name="window"/>, soonest first.</summary>
    Task<IReadOnlyList<LotView>> GetExpiringAsync(TimeSpan window);

    Task<MemberResult> UpdateProfileAsync(UpdateProfile command);

    /// <summary>
    /// Changes the member's phone or e-mail (whichever the login is) to one the caller proved it holds; the old one is
    /// given up. <c>conflict</c> (<c>phone_taken</c> / <c>email_taken</c>) when another member holds it.
    /// </summary>
    Task<MemberResult> ChangeLoginAsync(string login);

    Task<MemberResult> SaveAddressAsync(SaveAddress command);

    Task<MemberResult> RemoveAddressAsync(string addressId);

    /// <summary>
    /// Creates a member without a password (an operator's bulk or demo member) and grants its starting points in
    /// the same turn. Refused like <see cref="RegisterAsync"/>.
    /// </summary>
    Task<MemberResult> ProvisionAsync(ProvisionMember command);

    /// <summary>This month's signed-in days, the streak and the ladder; null when the id was never registered.</summary>
    Task<SignInCalendar?> GetSignInCalendarAsync();

    /// <summary>The three sums that must agree (balance, open lots, ledger), for audits and load-test invariants.</summary>
    Task<PointsAudit> AuditAsync();
}

/// <summary>
/// Maps a normalised login (phone in +86 form, or lower-case e-mail) to its member id (key: the login), so two
/// registrations cannot claim the same phone or e-mail.
/// </summary>
[Alias("login")]
public interface ILoginGrain : IGrainWithStringKey
{
    /// <summary>Claims the login for <paramref name="memberId"/>; returns the owner (the caller's id when it won).</summary>
    Task<string> ClaimAsync(string memberId);

    /// <summary>The owning member id, or null.</summary>
    Task<string?> GetOwnerAsync();

    /// <summary>
    /// Gives the login up when <paramref name="memberId"/> owns it (a registration refused after claiming it);
    /// true when it was released. Anyone else's release changes nothing.
    /// </summary>
    Task<bool> ReleaseAsync(string memberId);

    /// <summary>
    /// Moves the login from <paramref name="staleOwner"/> to <paramref name="memberId"/> when the stale owner still
    /// holds it (a registration that claimed it and never committed); returns the owner afterwards.
    /// </summary>
    Task<string?> TakeOverAsync(string staleOwner, string memberId);
}
