namespace ResNetGen.Torch;

public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device: "cpu", "cuda", "cuda:1" (PyTorch's spelling).</summary>
public readonly record struct Device(DeviceType type, int index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA, 0);

    public Device(string spec) : this(Parse(spec).type, Parse(spec).index) { }

    public static Device Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return new Device(DeviceType.CUDA, 0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out var i) && i >= 0)
            return new Device(DeviceType.CUDA, i);
        throw new ArgumentException($"unknown device '{spec}' (expected cpu, cuda or cuda:N)", nameof(spec));
    }

    public static implicit operator Device(string spec) => Parse(spec);

    public override string ToString() =>
        type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
}
