namespace ResNetGen.Generator.Tests;

[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;

/// <summary>The snapshot helper itself: mismatches fail with a received file and a diff; CI never accepts.</summary>
[Collection("environment")]
public class SnapshotHelperTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "resnetgen-snap-" + Guid.NewGuid().ToString("N"));
    private readonly string? accept = Environment.GetEnvironmentVariable("RESNETGEN_ACCEPT");
    private readonly string? ci = Environment.GetEnvironmentVariable("CI");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("RESNETGEN_ACCEPT", accept);
        Environment.SetEnvironmentVariable("CI", ci);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [Fact]
    public void Mismatch_writes_received_and_fails_with_a_diff()
    {
        Environment.SetEnvironmentVariable("RESNETGEN_ACCEPT", null);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "T#a.verified.cs"), "line 1\nline 2\nline 3\n");
        var error = Assert.ThrowsAny<Exception>(() => Snapshot.VerifyFiles(dir, "T", new Dictionary<string, string> { ["T#a.verified.cs"] = "line 1\nline two\nline 3\n" }));
        Assert.Contains("- line 2", error.Message);
        Assert.Contains("+ line two", error.Message);
        Assert.Equal("line 1\nline two\nline 3\n", File.ReadAllText(Path.Combine(dir, "T#a.received.cs")));
        Assert.Equal("line 1\nline 2\nline 3\n", File.ReadAllText(Path.Combine(dir, "T#a.verified.cs")));
    }

    [Fact]
    public void Accept_updates_verified_but_never_under_CI()
    {
        Directory.CreateDirectory(dir);
        var verified = Path.Combine(dir, "T#a.verified.cs");
        File.WriteAllText(verified, "old\n");
        Environment.SetEnvironmentVariable("RESNETGEN_ACCEPT", "1");
        Environment.SetEnvironmentVariable("CI", "true");
        Assert.ThrowsAny<Exception>(() => Snapshot.VerifyFiles(dir, "T", new Dictionary<string, string> { ["T#a.verified.cs"] = "new\n" }));
        Assert.Equal("old\n", File.ReadAllText(verified));

        Environment.SetEnvironmentVariable("CI", null);
        Snapshot.VerifyFiles(dir, "T", new Dictionary<string, string> { ["T#a.verified.cs"] = "new\n" });
        Assert.Equal("new\n", File.ReadAllText(verified));
        Assert.False(File.Exists(Path.Combine(dir, "T#a.received.cs")));
    }

    [Fact]
    public void Stale_verified_file_fails()
    {
        Environment.SetEnvironmentVariable("RESNETGEN_ACCEPT", null);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "T#gone.verified.cs"), "x\n");
        var error = Assert.ThrowsAny<Exception>(() => Snapshot.VerifyFiles(dir, "T", new Dictionary<string, string>()));
        Assert.Contains("Stale snapshot", error.Message);
    }
}
