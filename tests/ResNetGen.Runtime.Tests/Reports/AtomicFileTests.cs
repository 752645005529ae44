using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Xunit;

namespace ResNetGen.Runtime.Tests.Reports;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rng-atomic-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Writes_replace_the_file_and_leave_nothing_else_behind()
    {
        var path = Path.Combine(dir, "sub", "metrics.csv");
        AtomicFile.WriteAllText(path, "first\n");
        AtomicFile.WriteAllText(path, "second, ü\n");
        Assert.Equal("second, ü\n", File.ReadAllText(path));
        Assert.Equal(["metrics.csv"], Directory.GetFiles(Path.Combine(dir, "sub")).Select(f => Path.GetFileName(f)!).ToArray());
        Assert.NotEqual(0xEF, File.ReadAllBytes(path)[0]); // no BOM
    }

    [Fact]
    public void A_failing_write_keeps_the_old_file_and_removes_the_temporary_one()
    {
        var path = Path.Combine(dir, "metrics.json");
        AtomicFile.WriteAllText(path, "old");
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half-written"u8);
            throw new InvalidOperationException("crash mid-write");
        }));
        Assert.Equal("crash mid-write", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["metrics.json"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).ToArray());
    }
}
