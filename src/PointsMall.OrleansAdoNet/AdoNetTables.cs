namespace PointsMall.OrleansAdoNet;

/// <summary>Which of Orleans' ADO.NET providers a database is prepared for.</summary>
[Flags]
public enum AdoNetTables
{
    None = 0,

    /// <summary><c>Microsoft.Orleans.Persistence.AdoNet</c>: the <c>OrleansStorage</c> table (SQLite, PostgreSQL).</summary>
    Persistence = 1,

    /// <summary><c>Microsoft.Orleans.Reminders.AdoNet</c>: the <c>OrleansRemindersTable</c> table (PostgreSQL).</summary>
    Reminders = 2,

    /// <summary><c>Microsoft.Orleans.Clustering.AdoNet</c>: the membership and membership-version tables (PostgreSQL).</summary>
    Clustering = 4,
}
