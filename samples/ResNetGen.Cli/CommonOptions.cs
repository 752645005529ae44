using System.CommandLine;
using ResNetGen.Torch;
using ResNetGen.Zoo;

namespace ResNetGen.Cli;

/// <summary>Options several commands share, with their validation.</summary>
internal static class CommonOptions
{
    public static Option<string> Network() => new("--network", "-n")
    {
        Description = $"The network, by name (see `resnetgen list`): {string.Join(", ", Networks.All.Select(n => n.Name))}",
        DefaultValueFactory = _ => "resnet20",
        Validators = { r => { var v = r.GetValueOrDefault<string>(); if (v is not null && !Networks.All.Any(n => n.Name.Equals(v, StringComparison.OrdinalIgnoreCase))) r.AddError($"unknown network '{v}'; known: {string.Join(", ", Networks.All.Select(n => n.Name))}"); } },
    };

    public static Option<string> Dataset() => new("--dataset")
    {
        Description = $"The dataset: {string.Join(", ", DatasetSpec.All.Select(d => d.Name))}",
        DefaultValueFactory = _ => "fashion-mnist",
        Validators = { r => { var v = r.GetValueOrDefault<string>(); if (v is not null && !DatasetSpec.All.Any(d => d.Name.Equals(v, StringComparison.OrdinalIgnoreCase))) r.AddError($"unknown dataset '{v}'; known: {string.Join(", ", DatasetSpec.All.Select(d => d.Name))}"); } },
    };

    public static Option<string?> DataFolder() => new("--data")
    {
        Description = "Folder with the dataset's files (default for fashion-mnist: /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
        Validators = { r => { var v = r.GetValueOrDefault<string>(); if (v is not null && v != "auto") { try { Torch.Device.Parse(v); } catch (ArgumentException e) { r.AddError(e.Message); } } } },
    };

    public static Option<int> BatchSize(int fallback) => new("--batch-size", "-b")
    {
        Description = "Images per batch",
        DefaultValueFactory = _ => fallback,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch-size must be at least 1"); } },
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads (default: every core)",
        Validators = { r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--threads must be at least 1"); } },
    };

    public static Option<string> Weights() => new("--weights", "-w")
    {
        Description = "A safetensors file of the network's weights (e.g. runs/resnet20/best.safetensors)",
        Required = true,
    };

    public static Device ResolveDevice(string spec) =>
        spec == "auto" ? (torch.cuda.is_available() ? Torch.Device.CUDA : Torch.Device.CPU) : Torch.Device.Parse(spec);
}
