using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Members;

/// <summary>The member's account: registration (by the member or provisioned), its login claims, its profile and addresses.</summary>
public sealed partial class MemberGrain
{
    public async Task<MemberResult> RegisterAsync(RegisterMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = await OpenAsync(
            command.Phone, command.Email, command.DisplayName, () => ProfileChanges.CheckPassword(command.Password),
            (profile, _, _) => new MemberChange(ProfileChanges.Registered(state.State, GrainKey, profile, command.Password!)));

        // The inviter's credit follows from the registration's own commit (an outbox event), so it is neither lost
        // nor paid twice; inviting oneself earns nothing.
        if (result.Succeeded && command.ReferredBy is { Length: > 0 } inviter && !string.Equals(inviter, GrainKey, StringComparison.Ordinal))
        {
            Publish(new StreamId(MemberReferred.Stream, GrainKey), new MemberReferred(GrainKey, inviter, time.GetUtcNow()));
        }

        return result;
    }

    public async Task<MemberResult> ProvisionAsync(ProvisionMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await OpenAsync(
            command.Phone, command.Email, command.DisplayName, () => ProfileChanges.CheckProvisioning(command),
            (profile, rules, now) => PointsOperations.OpenProvisioned(state.State, GrainKey, ProfileChanges.WithAddress(profile, command.Address, now), command.StartingPoints, rules, now));
    }

    /// <summary>
    /// Registration and provisioning: the profile validated (<paramref name="check"/>'s errors reported with the
    /// profile's) and its phone and e-mail claimed, then the member's first state from <paramref name="open"/>. A
    /// refusal after a claim gives the claim back, so a failed registration never leaves a login nobody can use.
    /// </summary>
    private async Task<MemberResult> OpenAsync(
        string? phone, string? email, string? displayName, Func<List<string>> check, Func<MemberProfile, ProgramRules, DateTimeOffset, MemberChange> open)
    {
        var now = time.GetUtcNow();
        if (state.State.Profile is not null)
        {
            return MemberRefusals.Member(RefusalCode.Conflict, "already_registered");
        }

        var (profile, refusal) = ProfileChanges.NewProfile(GrainKey, phone, email, displayName, check(), now);
        if (profile is null)
        {
            return refusal!;
        }

        // Uniqueness lives in one login grain per phone / e-mail. A claim by this member id is repeatable, so a
        // registration retried after a timeout gets through again. Phone before e-mail, always: a fixed order
        // keeps two registrations from waiting on each other.
        var claimed = new List<string>();
        foreach (var (login, kind) in new[] { (profile.Phone, "phone"), (profile.Email, "email") })
        {
            if (login is null)
            {
                continue;
            }

            if (!await ClaimLoginAsync(login))
            {
                foreach (var mine in claimed)
                {
                    await GrainFactory.GetGrain<ILoginGrain>(mine).ReleaseAsync(GrainKey);
                }

                return MemberRefusals.Member(RefusalCode.Conflict, $"{kind}_taken");
            }

            claimed.Add(login);
        }

        var rules = await RulesAsync(now);
        Apply(open(profile, rules, now));
        PublishListing(now);
        if (analytics.Value.Enabled)
        {
            Publish(new StreamId(AnalyticsStreams.Namespace, GrainKey), new MemberJoined(GrainKey, now));
        }

        return new MemberResult(MemberViews.Member(GrainKey, state.State, rules, now), null);
    }

    /// <summary>
    /// Claims a login. A login held by a member id that never registered (its registration claimed and then
    /// failed to commit) is taken over once the claim is old enough that no registration can still be running.
    /// </summary>
    private async Task<bool> ClaimLoginAsync(string login)
    {
        var grain = GrainFactory.GetGrain<ILoginGrain>(login);
        var owner = await grain.ClaimAsync(GrainKey);
        if (string.Equals(owner, GrainKey, StringComparison.Ordinal))
        {
            return true;
        }

        if (await GrainFactory.GetGrain<IMemberGrain>(owner).GetAsync() is not null)
        {
            return false;
        }

        return string.Equals(await grain.TakeOverAsync(owner, GrainKey), GrainKey, StringComparison.Ordinal);
    }

    private void PublishListing(DateTimeOffset now) =>
        Publish(new StreamId(MemberDirectory.Stream, GrainKey), ProfileChanges.Listing(GrainKey, state.State.Profile!, now));

    public Task<MemberView?> GetAsync() => ReadAsync((rules, now) => MemberViews.Member(GrainKey, state.State, rules, now));

    public Task<PasswordCheck> VerifyPasswordAsync(string password) =>
        Task.FromResult(new PasswordCheck(password is not null && state.State.Profile?.Password?.Verify(password) == true, state.State.Profile?.RegisteredAt));

    public async Task<MemberResult> ChangePasswordAsync(ChangePassword command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Profile is not { } profile)
        {
            return new MemberResult(null, MemberRefusals.NotFound);
        }

        if (profile.Password is not { } hash || string.IsNullOrEmpty(command.Current) || !hash.Verify(command.Current))
        {
            return new MemberResult(null, new Problem("wrong_password", "The current password is wrong."));
        }

        return await SetPasswordAsync(command.Replacement);
    }

    public Task<MemberResult> ResetPasswordAsync(string replacement)
        => state.State.Profile is null ? Task.FromResult(new MemberResult(null, MemberRefusals.NotFound)) : SetPasswordAsync(replacement);

    private async Task<MemberResult> SetPasswordAsync(string replacement)
    {
        if (ProfileChanges.CheckPassword(replacement) is [var error, ..])
        {
            return MemberRefusals.Member(RefusalCode.ValidationFailed, error);
        }

        // The new password and the end of every session commit together: the turn's write waits for the revocation.
        var changed = await ChangeProfileAsync(p => p.ChangePassword(PasswordHash.Create(replacement), time.GetUtcNow()));
        return changed.Succeeded
            ? changed with { Revoked = await GrainFactory.GetGrain<ISessionsGrain>(SessionKeys.Member(GrainKey)).RevokeAllAsync() }
            : changed;
    }

    public async Task<MemberResult> UpdateProfileAsync(UpdateProfile command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var updated = await ChangeProfileAsync(p => p.UpdateDetails(command.DisplayName, command.Gender, command.Birthday, time.GetUtcNow()), listed: true);
        if (updated.Succeeded && command.Birthday is not null)
        {
            // The birthday gift's reminder follows the birthday, committed with it.
            var now = time.GetUtcNow();
            KeepBirthdayReminder(await RulesAsync(now), now);
        }

        return updated;
    }

    /// <summary>
    /// Moves the member's phone or e-mail (whichever <paramref name="login"/> is) to a new one the caller has proved it
    /// holds: the new login is claimed first (<c>conflict</c>, <c>phone_taken</c> / <c>email_taken</c>, when another
    /// member holds it), the profile changes and is made durable, and only then is the old login given up, so a crash
    /// in between leaves the member able to sign in with one or the other, never neither.
    /// </summary>
    public async Task<MemberResult> ChangeLoginAsync(string login)
    {
        if (state.State.Profile is not { } profile)
        {
            return new MemberResult(null, MemberRefusals.NotFound);
        }

        var phone = ContactValidation.NormalisePhone(login ?? "");
        var email = phone is null ? ContactValidation.NormaliseEmail(login ?? "") : null;
        if (phone is null && email is null)
        {
            return MemberRefusals.Member(RefusalCode.ValidationFailed, "login: not a mainland China mobile number or an e-mail address");
        }

        var (kind, next, old) = phone is not null ? ("phone", phone, profile.Phone) : ("email", email!, profile.Email);
        if (next == old)
        {
            return await ChangeProfileAsync(p => new ProfileOutcome(p, null, []));
        }

        if (!await ClaimLoginAsync(next))
        {
            return MemberRefusals.Member(RefusalCode.Conflict, $"{kind}_taken");
        }

        var changed = await ChangeProfileAsync(p => phone is not null ? p.ChangePhone(next, time.GetUtcNow()) : p.ChangeEmail(next, time.GetUtcNow()));
        if (!changed.Succeeded)
        {
            await GrainFactory.GetGrain<ILoginGrain>(next).ReleaseAsync(GrainKey);
            return changed;
        }

        PublishListing(time.GetUtcNow());
        await state.CommitAsync();
        if (old is not null)
        {
            await GrainFactory.GetGrain<ILoginGrain>(old).ReleaseAsync(GrainKey);
        }

        return changed;
    }

    public Task<MemberResult> SaveAddressAsync(SaveAddress command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var address = ProfileChanges.AddressFrom(command);
        return ChangeProfileAsync(p => p.SaveAddress(address, time.GetUtcNow()));
    }

    public Task<MemberResult> RemoveAddressAsync(string addressId) =>
        ChangeProfileAsync(p => p.RemoveAddress(addressId ?? "", time.GetUtcNow()));

    private async Task<MemberResult> ChangeProfileAsync(Func<MemberProfile, ProfileOutcome> change, bool listed = false)
    {
        if (state.State.Profile is not { } profile)
        {
            return new MemberResult(null, MemberRefusals.NotFound);
        }

        var now = time.GetUtcNow();
        var (changed, refused, renamed) = ProfileChanges.Apply(state.State, profile, change(profile));
        if (refused is not null)
        {
            return refused;
        }

        state.State = changed;
        if (listed && renamed)
        {
            PublishListing(now);
        }

        var rules = await RulesAsync(now);
        return new MemberResult(MemberViews.Member(GrainKey, state.State, rules, now), null);
    }
}
