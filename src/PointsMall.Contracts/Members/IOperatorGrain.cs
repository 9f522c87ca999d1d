
namespace PointsMall.Contracts.Members;

/// <summary>An operator account of the admin console (key: operator login, e.g. <c>admin</c>).</summary>
[Alias("operator")]
public interface IOperatorGrain : IGrainWithStringKey
{
    /// <summary>Creates the operator with this password unless it exists; true when it was created now.</summary>
    Task<bool> EnsureCreatedAsync(string password);

    Task<bool> VerifyPasswordAsync(string password);

    /// <summary>Sets a new password and revokes every session of this operator (its tokens stop working).</summary>
    Task SetPasswordAsync(string password);
}
