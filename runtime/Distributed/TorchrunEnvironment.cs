using System.Collections;
using System.Globalization;

namespace ResNetGen.Distributed;

/// <summary>
/// The environment contract torchrun (and Slurm/Kubernetes launchers that follow it) gives each
/// worker: <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>MASTER_ADDR</c>,
/// <c>MASTER_PORT</c>, and optionally <c>LOCAL_WORLD_SIZE</c>.
/// </summary>
public sealed record TorchrunEnvironment(int Rank, int WorldSize, int LocalRank, string MasterAddr, int MasterPort,
    int? LocalWorldSize = null)
{
    public const string RankVariable = "RANK";
    public const string WorldSizeVariable = "WORLD_SIZE";
    public const string LocalRankVariable = "LOCAL_RANK";
    public const string LocalWorldSizeVariable = "LOCAL_WORLD_SIZE";
    public const string MasterAddrVariable = "MASTER_ADDR";
    public const string MasterPortVariable = "MASTER_PORT";

    /// <summary>True when the process looks launched for distributed work (WORLD_SIZE is set).</summary>
    public static bool IsPresent(IDictionary? environment = null) =>
        !string.IsNullOrWhiteSpace(Get(environment ?? Environment.GetEnvironmentVariables(), WorldSizeVariable));

    /// <summary>
    /// Reads and validates the contract from <paramref name="environment"/> (default: this
    /// process's). Every missing or invalid variable is named in one
    /// <see cref="DistributedEnvironmentException"/>.
    /// </summary>
    public static TorchrunEnvironment Read(IDictionary? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariables();
        var problems = new List<string>();

        int? Int(string name, int min, int max, bool required = true)
        {
            var text = Get(env, name);
            if (string.IsNullOrWhiteSpace(text))
            {
                if (required) problems.Add($"{name} is not set");
                return null;
            }
            if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                problems.Add($"{name}='{text}' is not an integer");
                return null;
            }
            if (value < min || value > max)
            {
                problems.Add($"{name}={value} is out of range ({min}..{max})");
                return null;
            }
            return value;
        }

        var worldSize = Int(WorldSizeVariable, 1, int.MaxValue);
        var rank = Int(RankVariable, 0, int.MaxValue);
        var localRank = Int(LocalRankVariable, 0, int.MaxValue);
        var localWorldSize = Int(LocalWorldSizeVariable, 1, int.MaxValue, required: false);
        var port = Int(MasterPortVariable, 1, 65535);
        var addr = Get(env, MasterAddrVariable)?.Trim();
        if (string.IsNullOrEmpty(addr)) problems.Add($"{MasterAddrVariable} is not set");

        if (rank is { } r && worldSize is { } w && r >= w)
            problems.Add($"{RankVariable}={r} must be less than {WorldSizeVariable}={w}");
        if (localRank is { } lr && localWorldSize is { } lw && lr >= lw)
            problems.Add($"{LocalRankVariable}={lr} must be less than {LocalWorldSizeVariable}={lw}");
        if (localRank is { } lr2 && worldSize is { } w2 && lr2 >= w2)
            problems.Add($"{LocalRankVariable}={lr2} must be less than {WorldSizeVariable}={w2}");

        if (problems.Count > 0)
            throw new DistributedEnvironmentException(
                "invalid torchrun environment: " + string.Join("; ", problems) +
                $" (a distributed worker needs {RankVariable}, {WorldSizeVariable}, {LocalRankVariable}, " +
                $"{MasterAddrVariable} and {MasterPortVariable}, as torchrun sets them)");

        return new TorchrunEnvironment(rank!.Value, worldSize!.Value, localRank!.Value, addr!, port!.Value, localWorldSize);
    }

    /// <summary>The variables to give a worker process (what <see cref="Read"/> reads back).</summary>
    public IReadOnlyDictionary<string, string> ToVariables()
    {
        var vars = new Dictionary<string, string>
        {
            [RankVariable] = Rank.ToString(CultureInfo.InvariantCulture),
            [WorldSizeVariable] = WorldSize.ToString(CultureInfo.InvariantCulture),
            [LocalRankVariable] = LocalRank.ToString(CultureInfo.InvariantCulture),
            [MasterAddrVariable] = MasterAddr,
            [MasterPortVariable] = MasterPort.ToString(CultureInfo.InvariantCulture),
        };
        if (LocalWorldSize is { } lw) vars[LocalWorldSizeVariable] = lw.ToString(CultureInfo.InvariantCulture);
        return vars;
    }

    private static string? Get(IDictionary env, string name) => env.Contains(name) ? env[name]?.ToString() : null;
}
