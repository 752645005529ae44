using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetGen.Torch;
using ResNetGen.Torch.Optim;

namespace ResNetGen.Training;

/// <summary>
/// Everything an exact resume needs, in one safetensors file written atomically: the model's
/// state_dict ("model.*"), the optimizer's state ("optimizer.*"), the CPU (and CUDA) generator
/// states ("rng.*"), and in the metadata the position (epoch, next batch), the scheduler and
/// grad-scaler states, the epoch's partial sums and the finished epochs' metrics.
/// </summary>
internal sealed class Checkpoint
{
    public int Epoch { get; init; }
    public int NextBatch { get; init; }
    public double LossSum { get; init; }
    public long Correct { get; init; }
    public long Seen { get; init; }
    public double TrainSeconds { get; init; }

    /// <summary>The number of data-parallel ranks that wrote it: a mid-epoch position is only valid for the same number.</summary>
    public int WorldSize { get; init; } = 1;
    public List<EpochMetrics> History { get; init; } = [];
    public Dictionary<string, string> Scheduler { get; init; } = [];
    public Dictionary<string, string> Scaler { get; init; } = [];

    private const string Format = "resnetgen-checkpoint-1";

    public static void Save(string path, Checkpoint c, Module model, Optimizer optimizer, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, v) in model.state_dict()) tensors.Add(new("model." + k, v));
        using var optimizerState = optimizer.state_dict();
        var (optTensors, optMeta) = optimizerState.ToFlat();
        tensors.AddRange(optTensors);
        tensors.Add(new("rng.cpu", torch.get_rng_state()));
        if (device.type == DeviceType.CUDA) tensors.Add(new("rng.cuda", torch.get_rng_state(device)));

        var meta = new Dictionary<string, string>(optMeta)
        {
            ["format"] = Format,
            ["epoch"] = c.Epoch.ToString(CultureInfo.InvariantCulture),
            ["next_batch"] = c.NextBatch.ToString(CultureInfo.InvariantCulture),
            ["loss_sum"] = c.LossSum.ToString("R", CultureInfo.InvariantCulture),
            ["correct"] = c.Correct.ToString(CultureInfo.InvariantCulture),
            ["seen"] = c.Seen.ToString(CultureInfo.InvariantCulture),
            ["train_seconds"] = c.TrainSeconds.ToString("R", CultureInfo.InvariantCulture),
            ["world_size"] = c.WorldSize.ToString(CultureInfo.InvariantCulture),
            ["history"] = MetricsJson.SerializeEpochs(c.History),
            ["scheduler"] = JsonSerializer.Serialize(c.Scheduler, CheckpointJson.Default.DictionaryStringString),
            ["scaler"] = JsonSerializer.Serialize(c.Scaler, CheckpointJson.Default.DictionaryStringString),
        };
        Safetensors.Save(path, tensors, meta);
    }

    public static Checkpoint Load(string path, Module model, Optimizer optimizer, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = Safetensors.Load(path, out var meta);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not a ResNetGen training checkpoint (format '{format ?? "missing"}', expected '{Format}')");

        var modelState = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
        model.load_state_dict(modelState);
        using var optimizerState = OptimizerStateDict.FromFlat(tensors, meta);
        optimizer.load_state_dict(optimizerState);
        torch.set_rng_state(tensors["rng.cpu"]);
        if (device.type == DeviceType.CUDA && tensors.TryGetValue("rng.cuda", out var cudaState)) torch.set_rng_state(cudaState, device);

        string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: checkpoint metadata lacks '{key}'");
        return new Checkpoint
        {
            Epoch = int.Parse(Get("epoch"), CultureInfo.InvariantCulture),
            NextBatch = int.Parse(Get("next_batch"), CultureInfo.InvariantCulture),
            LossSum = double.Parse(Get("loss_sum"), CultureInfo.InvariantCulture),
            Correct = long.Parse(Get("correct"), CultureInfo.InvariantCulture),
            Seen = long.Parse(Get("seen"), CultureInfo.InvariantCulture),
            TrainSeconds = double.Parse(Get("train_seconds"), CultureInfo.InvariantCulture),
            WorldSize = meta.TryGetValue("world_size", out var w) ? int.Parse(w, CultureInfo.InvariantCulture) : 1,
            History = MetricsJson.DeserializeEpochs(Get("history")),
            Scheduler = JsonSerializer.Deserialize(Get("scheduler"), CheckpointJson.Default.DictionaryStringString) ?? [],
            Scaler = JsonSerializer.Deserialize(Get("scaler"), CheckpointJson.Default.DictionaryStringString) ?? [],
        };
    }
}

/// <summary>Source-generated JSON for the checkpoint's string maps (AOT-safe, no reflection).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CheckpointJson : JsonSerializerContext;
