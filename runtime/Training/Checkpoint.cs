using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
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

    // What an exact resume depends on besides the position (null: not recorded, e.g. an older checkpoint).
    public string? Network { get; init; }
    public string? Dataset { get; init; }
    public int? BatchSize { get; init; }
    public int? TrainSamples { get; init; }
    public long? Seed { get; init; }

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
        if (c.Network is not null) meta["network"] = c.Network;
        if (c.Dataset is not null) meta["dataset"] = c.Dataset;
        if (c.BatchSize is { } b) meta["batch_size"] = b.ToString(CultureInfo.InvariantCulture);
        if (c.TrainSamples is { } n) meta["train_samples"] = n.ToString(CultureInfo.InvariantCulture);
        if (c.Seed is { } s) meta["seed"] = s.ToString(CultureInfo.InvariantCulture);
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>Reads the position and the run's settings from the metadata only (no tensor is loaded), validating every field.</summary>
    public static Checkpoint ReadInfo(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not a ResNetGen training checkpoint (format '{format ?? "missing"}', expected '{Format}')");

        string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: checkpoint metadata lacks '{key}'");
        T Parse<T>(string key, string text, string kind) where T : ISpanParsable<T> =>
            T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
                : throw new InvalidDataException($"{path}: checkpoint metadata '{key}' is '{Shorten(text)}', not {kind}");
        int Int(string key) => Parse<int>(key, Get(key), "an integer");
        long Long(string key) => Parse<long>(key, Get(key), "an integer");
        double Double(string key) => Parse<double>(key, Get(key), "a number");
        int? OptionalInt(string key) => meta.TryGetValue(key, out var v) ? Parse<int>(key, v, "an integer") : null;
        Dictionary<string, string> Map(string key)
        {
            try
            {
                return JsonSerializer.Deserialize(Get(key), CheckpointJson.Default.DictionaryStringString) ?? [];
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: checkpoint metadata '{key}' is not a JSON object of strings ({e.Message})", e);
            }
        }
        List<EpochMetrics> history;
        try
        {
            history = MetricsJson.DeserializeEpochs(Get("history"));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: checkpoint metadata 'history' is malformed ({e.Message})", e);
        }

        var c = new Checkpoint
        {
            Epoch = Int("epoch"),
            NextBatch = Int("next_batch"),
            LossSum = Double("loss_sum"),
            Correct = Long("correct"),
            Seen = Long("seen"),
            TrainSeconds = Double("train_seconds"),
            WorldSize = OptionalInt("world_size") ?? 1,
            History = history,
            Scheduler = Map("scheduler"),
            Scaler = Map("scaler"),
            Network = meta.GetValueOrDefault("network"),
            Dataset = meta.GetValueOrDefault("dataset"),
            BatchSize = OptionalInt("batch_size"),
            TrainSamples = OptionalInt("train_samples"),
            Seed = meta.TryGetValue("seed", out var seed) ? Parse<long>("seed", seed, "an integer") : null,
        };
        if (c.Epoch < 1 || c.NextBatch < 0 || c.WorldSize < 1 || c.Seen < 0)
            throw new InvalidDataException($"{path}: checkpoint position is impossible (epoch {c.Epoch}, next batch {c.NextBatch}, world size {c.WorldSize})");
        return c;
    }

    /// <summary>
    /// Loads the model's weights, the optimizer's state and the random generators' states of
    /// <paramref name="path"/> (read <see cref="ReadInfo"/> first for the position).
    /// <paramref name="optimizerHasState"/>: the optimizer keeps per-parameter state (momentum,
    /// Adam moments) that a checkpoint must carry, so its absence is an error, not a silent reset.
    /// </summary>
    public static void Restore(string path, Module model, Optimizer optimizer, Device device, bool optimizerHasState)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = Safetensors.Load(path, out var meta);
        if (!tensors.TryGetValue("rng.cpu", out var cpuState))
            throw new InvalidDataException($"{path}: the checkpoint lacks the random-generator state 'rng.cpu', so it cannot resume exactly");
        var modelState = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
        if (modelState.Count == 0) throw new InvalidDataException($"{path}: the checkpoint holds no model weights ('model.*' tensors)");
        model.load_state_dict(modelState);
        OptimizerStateDict optimizerState;
        try
        {
            optimizerState = OptimizerStateDict.FromFlat(tensors, meta);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint holds no valid optimizer state ({e.Message}), so it cannot resume exactly", e);
        }
        using (optimizerState)
        {
            if (optimizerHasState && optimizerState.state.Count == 0)
                throw new InvalidDataException($"{path}: the checkpoint lacks the optimizer's state (momentum / moment buffers); resuming would silently reset it");
            optimizer.load_state_dict(optimizerState);
        }
        torch.set_rng_state(cpuState);
        if (device.type == DeviceType.CUDA && tensors.TryGetValue("rng.cuda", out var cudaState)) torch.set_rng_state(cudaState, device);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>Source-generated JSON for the checkpoint's string maps (AOT-safe, no reflection).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CheckpointJson : JsonSerializerContext;
