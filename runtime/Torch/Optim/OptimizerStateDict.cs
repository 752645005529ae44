using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResNetGen.Torch.Optim;

/// <summary>
/// An optimizer's saved state, laid out as PyTorch's <c>optimizer.state_dict()</c>:
/// <c>state</c> maps a parameter's index (across all groups, in order) to its named state
/// tensors ("momentum_buffer"; "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), and
/// <c>param_groups</c> holds each group's options and parameter indices.
/// <para>
/// It fits one safetensors file: <see cref="ToFlat"/> gives tensors named
/// <c>{prefix}state.{index}.{name}</c> plus string metadata (<c>{prefix}type</c>,
/// <c>{prefix}param_groups</c> as JSON), so a training checkpoint can hold the model's weights
/// and the optimizer side by side; <see cref="Save"/>/<see cref="Load"/> do the one-file case.
/// </para>
/// </summary>
public sealed class OptimizerStateDict : IDisposable
{
    public const string DefaultPrefix = "optimizer.";
    private const string FormatTag = "resnetgen-optimizer-v1";

    public OptimizerStateDict(string optimizer) => this.optimizer = optimizer ?? "";

    /// <summary>The optimizer's type name ("SGD", "AdamW"); checked on load when not empty.</summary>
    public string optimizer { get; }

    public SortedDictionary<int, Dictionary<string, Tensor>> state { get; } = new();

    public List<GroupState> param_groups { get; } = [];

    /// <summary>One group's options and the indices of its parameters.</summary>
    public sealed record GroupState(IReadOnlyDictionary<string, double> options, IReadOnlyList<int> @params);

    /// <summary>The tensors and metadata to store, names prefixed with <paramref name="prefix"/>.</summary>
    public (OrderedDictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) ToFlat(string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (id, entries) in state)
            foreach (var (name, t) in entries)
                tensors[$"{prefix}state.{id.ToString(CultureInfo.InvariantCulture)}.{name}"] = t;
        var groups = new JsonArray();
        foreach (var g in param_groups)
        {
            var o = new JsonObject();
            foreach (var (k, v) in g.options) o[k] = v;
            o["params"] = new JsonArray(g.@params.Select(i => (JsonNode)i).ToArray());
            groups.Add((JsonNode)o);
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [prefix + "format"] = FormatTag,
            [prefix + "type"] = optimizer,
            [prefix + "param_groups"] = groups.ToJsonString(),
        };
        return (tensors, metadata);
    }

    /// <summary>Rebuilds a state dict from <see cref="ToFlat"/>'s tensors and metadata (entries under other prefixes are ignored).</summary>
    public static OptimizerStateDict FromFlat(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata,
        string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(prefix + "format", out var format) || format != FormatTag)
            throw new InvalidDataException($"no optimizer state under prefix '{prefix}' (metadata '{prefix}format' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatTag}')");
        var result = new OptimizerStateDict(metadata.GetValueOrDefault(prefix + "type") ?? "");
        try
        {
            var groups = JsonNode.Parse(metadata.GetValueOrDefault(prefix + "param_groups") ?? "null") as JsonArray
                ?? throw new InvalidDataException($"metadata '{prefix}param_groups' is not a JSON array");
            foreach (var node in groups)
            {
                if (node is not JsonObject o) throw new InvalidDataException($"metadata '{prefix}param_groups' holds a non-object");
                var options = new Dictionary<string, double>(StringComparer.Ordinal);
                var ids = new List<int>();
                foreach (var (k, v) in o)
                {
                    if (k == "params") ids.AddRange((v as JsonArray ?? throw new InvalidDataException("'params' is not an array")).Select(x => x!.GetValue<int>()));
                    else options[k] = v!.GetValue<double>();
                }
                result.param_groups.Add(new GroupState(options, ids));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"metadata '{prefix}param_groups' is malformed: {e.Message}", e);
        }
        var statePrefix = prefix + "state.";
        foreach (var (key, t) in tensors)
        {
            if (!key.StartsWith(statePrefix, StringComparison.Ordinal)) continue;
            var rest = key[statePrefix.Length..];
            var dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw new InvalidDataException($"tensor '{key}' is not named {statePrefix}<index>.<name>");
            if (!result.state.TryGetValue(id, out var entries)) result.state[id] = entries = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            entries[rest[(dot + 1)..]] = t;
        }
        return result;
    }

    /// <summary>Writes this state to one safetensors file (atomically), with optional extra metadata.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (tensors, meta) = ToFlat();
        if (metadata is not null) foreach (var (k, v) in metadata) meta.TryAdd(k, v);
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>Reads a state written by <see cref="Save"/>; errors name the file.</summary>
    public static OptimizerStateDict Load(string path, Device? device = null)
    {
        var tensors = Safetensors.Load(path, out var metadata, device);
        try
        {
            return FromFlat(tensors, metadata);
        }
        catch (InvalidDataException e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"'{path}' holds no valid optimizer state: {e.Message}", e);
        }
    }

    /// <summary>Releases the tensor handles.</summary>
    public void Dispose()
    {
        foreach (var entries in state.Values)
            foreach (var t in entries.Values) t.Dispose();
    }
}
