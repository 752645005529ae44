using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ResNetGen.Torch;
using ResNetGen.Zoo;

namespace ResNetGen.Cli;

/// <summary>Options several commands share, with their validation.</summary>
internal static class CommonOptions
{
    public static Option<string> Network() => new Option<string>("--network", "-n")
    {
        Description = $"The network, by name (see `resnetgen list`): {string.Join(", ", Networks.All.Select(n => n.Name))}",
        DefaultValueFactory = _ => "resnet20",
    }.Check(v => Networks.All.Any(n => n.Name.Equals(v, StringComparison.OrdinalIgnoreCase)),
        v => $"unknown network '{v}'; known: {string.Join(", ", Networks.All.Select(n => n.Name))}");

    public static Option<string> Dataset() => new Option<string>("--dataset")
    {
        Description = $"The dataset: {string.Join(", ", DatasetSpec.All.Select(d => d.Name))}",
        DefaultValueFactory = _ => "fashion-mnist",
    }.Check(v => DatasetSpec.All.Any(d => d.Name.Equals(v, StringComparison.OrdinalIgnoreCase)),
        v => $"unknown dataset '{v}'; known: {string.Join(", ", DatasetSpec.All.Select(d => d.Name))}");

    public static Option<string?> DataFolder() => new Option<string?>("--data")
    {
        Description = "Folder with the dataset's files (default for fashion-mnist: /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)",
    }.NotEmpty();

    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
        Validators =
        {
            r =>
            {
                if (!r.TryGet<string>(out var v) || v is null || v == "auto") return;
                try { Torch.Device.Parse(v); } catch (ArgumentException e) { r.AddError($"--device: {Commands.OneLine(e)}"); }
            },
        },
    };

    public static Option<int> BatchSize(int fallback) => new Option<int>("--batch-size", "-b")
    {
        Description = "Images per batch",
        DefaultValueFactory = _ => fallback,
    }.AtLeast(1);

    public static Option<int?> Threads() => new Option<int?>("--threads")
    {
        Description = "CPU threads (default: every core)",
    }.Check(v => v is null or >= 1, v => $"must be at least 1 (got {v})");

    public static Option<string> Weights() => new Option<string>("--weights", "-w")
    {
        Description = "A safetensors file of the network's weights (e.g. runs/resnet20/best.safetensors)",
        Required = true,
    }.NotEmpty();

    public static Device ResolveDevice(string spec) =>
        spec == "auto" ? (torch.cuda.is_available() ? Torch.Device.CUDA : Torch.Device.CPU) : Torch.Device.Parse(spec);

    // ---- validation: every message names the option; a value that did not parse is left to the parser's own error ----

    /// <summary>
    /// The option's value, or false when its text did not parse (System.CommandLine reports that
    /// itself: reading the value would throw, and a throw inside a validator aborts the process).
    /// </summary>
    public static bool TryGet<T>(this OptionResult r, out T value)
    {
        try
        {
            value = r.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>Adds a validator: "&lt;option&gt; &lt;problem&gt;" when <paramref name="ok"/> is false.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, bool> ok, Func<T, string> problem)
    {
        option.Validators.Add(r =>
        {
            if (r.TryGet<T>(out var v) && !ok(v)) r.AddError($"{option.Name}: {problem(v)}");
        });
        return option;
    }

    public static Option<int> AtLeast(this Option<int> option, int min) =>
        option.Check(v => v >= min, v => $"must be at least {min} (got {v})");

    public static Option<int?> AtLeast(this Option<int?> option, int min) =>
        option.Check(v => v is null || v >= min, v => $"must be at least {min} (got {v})");

    /// <summary>A finite number within [min, max) or (min, max) — NaN and infinities fail.</summary>
    public static Option<double> InRange(this Option<double> option, double min, double max, bool minInclusive = true, bool maxInclusive = false) =>
        option.Check(v => double.IsFinite(v) && (minInclusive ? v >= min : v > min) && (maxInclusive ? v <= max : v < max),
            v => $"must be a number in {(minInclusive ? "[" : "(")}{Text(min)}, {Text(max)}{(maxInclusive ? "]" : ")")} (got {Text(v)})");

    public static Option<double> Positive(this Option<double> option) =>
        option.Check(v => double.IsFinite(v) && v > 0, v => $"must be a positive number (got {Text(v)})");

    public static Option<double> NonNegative(this Option<double> option) =>
        option.Check(v => double.IsFinite(v) && v >= 0, v => $"must be a number ≥ 0 (got {Text(v)})");

    /// <summary>A text option given as "" (or spaces): a path or name cannot be empty.</summary>
    public static Option<T> NotEmpty<T>(this Option<T> option) =>
        option.Check(v => v is not string text || !string.IsNullOrWhiteSpace(text), _ => "must not be empty");

    private static string Text(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
