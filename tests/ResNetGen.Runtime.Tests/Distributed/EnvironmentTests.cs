using System.Collections;
using ResNetGen.Distributed;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

public sealed class EnvironmentTests
{
    private static Hashtable Env(params (string key, string value)[] vars)
    {
        var env = new Hashtable();
        foreach (var (k, v) in vars) env[k] = v;
        return env;
    }

    [Fact]
    public void Reads_the_torchrun_contract()
    {
        var env = TorchrunEnvironment.Read(Env(("RANK", "3"), ("WORLD_SIZE", "8"), ("LOCAL_RANK", "1"),
            ("LOCAL_WORLD_SIZE", "4"), ("MASTER_ADDR", "node0.cluster"), ("MASTER_PORT", "29500")));
        Assert.Equal(new TorchrunEnvironment(3, 8, 1, "node0.cluster", 29500, 4), env);
        Assert.Equal(env, TorchrunEnvironment.Read(new Hashtable(env.ToVariables().ToDictionary(kv => kv.Key, kv => kv.Value))));
        Assert.True(TorchrunEnvironment.IsPresent(Env(("WORLD_SIZE", "2"))));
        Assert.False(TorchrunEnvironment.IsPresent(Env()));
    }

    [Fact]
    public void Names_every_missing_variable()
    {
        var e = Assert.Throws<DistributedEnvironmentException>(() => TorchrunEnvironment.Read(Env(("RANK", "0"))));
        foreach (var name in new[] { "WORLD_SIZE is not set", "LOCAL_RANK is not set", "MASTER_ADDR is not set", "MASTER_PORT is not set" })
            Assert.Contains(name, e.Message);
        Assert.DoesNotContain("RANK is not set", e.Message.Replace("LOCAL_RANK is not set", ""));
    }

    [Theory]
    [InlineData("RANK", "two", "RANK='two' is not an integer")]
    [InlineData("RANK", "4", "RANK=4 must be less than WORLD_SIZE=2")]
    [InlineData("RANK", "-1", "RANK=-1 is out of range")]
    [InlineData("WORLD_SIZE", "0", "WORLD_SIZE=0 is out of range")]
    [InlineData("MASTER_PORT", "70000", "MASTER_PORT=70000 is out of range (1..65535)")]
    [InlineData("MASTER_PORT", "", "MASTER_PORT is not set")]
    [InlineData("LOCAL_RANK", "x", "LOCAL_RANK='x' is not an integer")]
    public void Names_an_invalid_variable(string name, string value, string expected)
    {
        var env = Env(("RANK", "1"), ("WORLD_SIZE", "2"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29500"));
        env[name] = value;
        var e = Assert.Throws<DistributedEnvironmentException>(() => TorchrunEnvironment.Read(env));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FromEnvironment_reports_the_contract_before_touching_the_network()
    {
        var e = Assert.Throws<DistributedEnvironmentException>(() =>
            ProcessGroup.FromEnvironment("gloo", TimeSpan.FromSeconds(1), Env(("RANK", "0"), ("WORLD_SIZE", "1"))));
        Assert.Contains("MASTER_ADDR is not set", e.Message);
        Assert.Contains("LOCAL_RANK is not set", e.Message);
    }

    [Fact]
    public void FromEnvironment_joins_a_group_of_one()
    {
        var port = LocalLauncher.FreePort();
        using var group = ProcessGroup.FromEnvironment("gloo", TimeSpan.FromSeconds(10), Env(("RANK", "0"), ("WORLD_SIZE", "1"),
            ("LOCAL_RANK", "0"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", $"{port}")));
        Assert.Equal((0, 1, 0), (group.Rank, group.WorldSize, group.LocalRank));
        Assert.True(group.IsMain);
        group.Barrier();
    }
}
