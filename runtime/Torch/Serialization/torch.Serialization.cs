namespace ResNetGen.Torch;

public static partial class torch
{
    /// <summary>
    /// Saves a state dict (name → tensor) to <paramref name="path"/> in the safetensors format,
    /// atomically. Unlike PyTorch's pickle-based <c>torch.save</c>, the file holds only tensors
    /// and string metadata, and loads in Python with <c>safetensors.torch.load_file</c> or
    /// <c>scripts/python/safetensors_torch.py</c>.
    /// </summary>
    public static void save(IEnumerable<KeyValuePair<string, Tensor>> state_dict, string path,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Save(path, state_dict, metadata);

    /// <summary>Loads a safetensors file written by <see cref="save"/> (or by PyTorch/Hugging Face tools), in file order.</summary>
    public static OrderedDictionary<string, Tensor> load(string path, Device? map_location = null) =>
        Safetensors.Load(path, map_location);
}
