using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its shape (empty for a scalar).</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the data section.</param>
public sealed record SafetensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>A parsed and validated safetensors header: the tensor entries in header order and the metadata.</summary>
public sealed class SafetensorsHeader
{
    internal SafetensorsHeader(string path, IReadOnlyList<SafetensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    public string Path { get; }

    public IReadOnlyList<SafetensorsEntry> Tensors { get; }

    /// <summary>The "__metadata__" string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section (8 + header length).</summary>
    public long DataStart { get; }
}

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an
/// 8-byte little-endian header length, a JSON header
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>,
/// then the raw little-endian tensor bytes. Files written here load with the <c>safetensors</c>
/// Python package and with <c>scripts/python/safetensors_torch.py</c>, and vice versa.
/// <para>
/// Writes are atomic: the file is written to a temporary file in the same folder, flushed to
/// disk, then renamed over the target, so a crash or an error never leaves a partial file.
/// Reads validate everything (header length, JSON, dtypes, shapes, offsets in bounds, no gaps or
/// overlaps) and fail with an <see cref="InvalidDataException"/> whose message names the file.
/// </para>
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    // ---- dtypes -------------------------------------------------------------------------------

    /// <summary>The safetensors dtype string ("F32", "BF16", "BOOL", ...) of a scalar type.</summary>
    public static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"dtype {type} has no safetensors equivalent"),
    };

    /// <summary>The scalar type of a safetensors dtype string, or null when unsupported.</summary>
    public static ScalarType? ParseDType(string name) => name switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    // ---- writing ------------------------------------------------------------------------------

    /// <summary>
    /// Writes <paramref name="tensors"/> (in enumeration order) and optional string metadata to
    /// <paramref name="path"/>, atomically. Tensors on another device are copied to the CPU;
    /// non-contiguous tensors are written in row-major order.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian machine");

        var items = new List<(string Name, Tensor Tensor, ScalarType DType, long[] Shape, long Bytes)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"cannot save '{path}': a tensor has an empty name", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"cannot save '{path}': '{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"cannot save '{path}': duplicate tensor name '{name}'", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"cannot save '{path}': tensor '{name}' is null", nameof(tensors));
            var dtype = tensor.dtype; // throws ObjectDisposedException for a disposed tensor
            var shape = tensor.shape;
            items.Add((name, tensor, dtype, shape, checked(tensor.numel() * dtype.ElementSize())));
        }

        var header = BuildHeader(items.Select(i => (i.Name, i.DType, i.Shape, i.Bytes)), metadata);
        AtomicWrite.Write(path, stream =>
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
            stream.Write(lengthBytes);
            stream.Write(header);
            foreach (var item in items) WriteTensorBytes(stream, item.Tensor, item.Bytes);
        });
    }

    private static byte[] BuildHeader(IEnumerable<(string Name, ScalarType DType, long[] Shape, long Bytes)> items,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata['{key}']");
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, bytes) in items)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeName(dtype));
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8, so the data section is 8-byte aligned (as the reference writer does).
        var length = buffer.Length;
        var padded = (length + 7) / 8 * 8;
        for (var i = length; i < padded; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static unsafe void WriteTensorBytes(Stream stream, Tensor tensor, long bytes)
    {
        if (bytes == 0) return;
        // A contiguous CPU copy (or alias); its memory is read directly, no managed copy.
        using var cpu = tensor.device.type == DeviceType.CPU ? tensor.alias() : tensor.cpu();
        using var dense = cpu.contiguous();
        LibTorch.Check(LibTorch.resnetgen_tensor_data_ptr(dense.Handle, out var data));
        var p = (byte*)data;
        for (long done = 0; done < bytes;)
        {
            var chunk = (int)Math.Min(bytes - done, 1 << 30);
            stream.Write(new ReadOnlySpan<byte>(p + done, chunk));
            done += chunk;
        }
        GC.KeepAlive(dense);
    }

    // ---- reading ------------------------------------------------------------------------------

    /// <summary>Reads and validates the header of <paramref name="path"/> without reading tensor data.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path, 1 << 12);
        return ReadHeader(stream, path);
    }

    /// <summary>Opens a file to read, with one-line errors for an empty path, a folder, a missing or unreadable file.</summary>
    private static FileStream OpenRead(string path, int buffer)
    {
        ArgumentNullException.ThrowIfNull(path);
        IoErrors.CheckReadableFile(path, "safetensors file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, buffer);
        }
        catch (Exception e) when (IoErrors.IsFileSystem(e) && e is not FileNotFoundException)
        {
            throw IoErrors.ReadFailed(path, e);
        }
    }

    /// <summary>Loads every tensor of <paramref name="path"/>, in header order, onto <paramref name="device"/> (CPU by default).</summary>
    public static OrderedDictionary<string, Tensor> Load(string path, Device? device = null) => Load(path, out _, device);

    /// <summary>Loads every tensor and the metadata of <paramref name="path"/>.</summary>
    public static OrderedDictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata, Device? device = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian machine");
        using var stream = OpenRead(path, 1 << 16);
        var header = ReadHeader(stream, path);
        metadata = header.Metadata;
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Tensors)
            {
                result.Add(entry.Name, ReadTensor(stream, header, entry, device ?? Device.CPU));
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static unsafe Tensor ReadTensor(FileStream stream, SafetensorsHeader header, SafetensorsEntry entry, Device device)
    {
        var cpu = torch.empty(entry.Shape, entry.DType);
        try
        {
            if (entry.ByteLength > 0)
            {
                stream.Seek(header.DataStart + entry.Begin, SeekOrigin.Begin);
                LibTorch.Check(LibTorch.resnetgen_tensor_data_ptr(cpu.Handle, out var data));
                var p = (byte*)data;
                for (long done = 0; done < entry.ByteLength;)
                {
                    var chunk = (int)Math.Min(entry.ByteLength - done, 1 << 30);
                    try
                    {
                        stream.ReadExactly(new Span<byte>(p + done, chunk));
                    }
                    catch (EndOfStreamException e)
                    {
                        throw new InvalidDataException($"safetensors file '{header.Path}' is truncated: tensor '{entry.Name}' runs past the end of the file", e);
                    }
                    done += chunk;
                }
                GC.KeepAlive(cpu);
            }
            if (device.type == DeviceType.CPU) return cpu;
            var moved = cpu.to(device);
            cpu.Dispose();
            return moved;
        }
        catch
        {
            cpu.Dispose();
            throw;
        }
    }

    private static SafetensorsHeader ReadHeader(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw Corrupt(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header length (truncated or not a safetensors file)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw Corrupt(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file?)");
        if ((long)headerLength > fileLength - 8)
            throw Corrupt(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file (truncated?)");
        if (headerLength < 2) throw Corrupt(path, $"header length {headerLength} is too small for a JSON object");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        var tensors = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"the header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Corrupt(path, $"the header is a JSON {root.ValueKind}, not an object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Corrupt(path, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw Corrupt(path, $"'{MetadataKey}' must be an object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Corrupt(path, $"metadata value '{m.Name}' is a {m.Value.ValueKind}, not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ParseEntry(path, property.Name, property.Value, dataLength));
            }
        }

        // Offsets must tile the data section exactly: no overlap, no hole, nothing left over.
        long expected = 0;
        foreach (var entry in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (entry.Begin != expected)
                throw Corrupt(path, entry.Begin < expected
                    ? $"tensor '{entry.Name}' overlaps another tensor (data_offsets [{entry.Begin}, {entry.End}])"
                    : $"there is a gap before tensor '{entry.Name}' (data_offsets [{entry.Begin}, {entry.End}], expected to start at {expected})");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw Corrupt(path, expected < dataLength
                ? $"the data section has {dataLength} bytes but the tensors cover only {expected}"
                : $"the tensors need {expected} bytes of data but the file has only {dataLength} (truncated?)");
        return new SafetensorsHeader(path, tensors, metadata, dataStart);
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Corrupt(path, $"entry '{name}' is a JSON {value.ValueKind}, not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Corrupt(path, $"tensor '{name}' has no \"dtype\" string");
        var dtypeName = dtypeElement.GetString()!;
        var dtype = ParseDType(dtypeName) ?? throw Corrupt(path, $"tensor '{name}' has dtype '{dtypeName}', which is unknown or not supported (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Corrupt(path, $"tensor '{name}' has no \"shape\" array");
        var shape = new long[shapeElement.GetArrayLength()];
        long numel = 1;
        var i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var size) || size < 0)
                throw Corrupt(path, $"tensor '{name}' has a bad shape {shapeElement.GetRawText()}");
            shape[i++] = size;
            try { numel = checked(numel * size); }
            catch (OverflowException) { throw Corrupt(path, $"tensor '{name}' has an impossibly large shape {shapeElement.GetRawText()}"); }
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Corrupt(path, $"tensor '{name}' has no \"data_offsets\" [begin, end] array");
        // TryGetInt64 throws on a non-number (e.g. offsets written as strings): check the kind first.
        if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number ||
            !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Corrupt(path, $"tensor '{name}' has bad data_offsets {offsets.GetRawText()}");
        long bytes;
        try { bytes = checked(numel * dtype.ElementSize()); }
        catch (OverflowException) { throw Corrupt(path, $"tensor '{name}' has an impossibly large shape {shapeElement.GetRawText()}"); }
        if (end - begin != bytes)
            throw Corrupt(path, $"tensor '{name}' ({dtypeName}, shape {shapeElement.GetRawText()}) needs {bytes} bytes but its data_offsets {offsets.GetRawText()} span {end - begin}");
        if (end > dataLength)
            throw Corrupt(path, $"tensor '{name}' has data_offsets {offsets.GetRawText()} past the end of the {dataLength}-byte data section (truncated?)");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static InvalidDataException Corrupt(string path, string what, Exception? inner = null) =>
        new($"safetensors file '{path}' is corrupt: {what}", inner);
}
