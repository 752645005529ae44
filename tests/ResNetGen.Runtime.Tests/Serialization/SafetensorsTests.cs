using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Serialization;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"rng-st-{Guid.NewGuid():N}");

    public SafetensorsTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    /// <summary>
    /// One tensor of every supported dtype, with distinctive values (incl. negatives, NaN, ±inf, subnormals).
    /// NaNs are the positive quiet NaNs Python makes, so bit patterns match <see cref="PythonEveryDtype"/>.
    /// </summary>
    internal static OrderedDictionary<string, Tensor> EveryDtype() => new()
    {
        ["f32"] = torch.tensor(new[] { 1.5f, -2.25f, BitConverter.Int32BitsToSingle(0x7FC00000), float.PositiveInfinity, float.Epsilon, -0f }, [2, 3]),
        ["f64"] = torch.tensor(new[] { Math.PI, -1e300, double.NegativeInfinity, 5e-324 }, [4, 1]),
        ["f16"] = torch.tensor(new[] { (Half)0.5f, (Half)(-65504f), BitConverter.Int16BitsToHalf(0x7E00), (Half)6e-8f }, [2, 2]),
        ["bf16"] = torch.tensor<ushort>(new ushort[] { 0x3F80, 0xC2F7, 0x7FC0, 0x0001, 0x8000 }, [5], ScalarType.BFloat16),
        ["i64"] = torch.tensor(new[] { long.MinValue, -1L, 0L, long.MaxValue }, [2, 2]),
        ["i32"] = torch.tensor(new[] { int.MinValue, 7, int.MaxValue }, [3]),
        ["i16"] = torch.tensor<short>(new short[] { short.MinValue, -3, short.MaxValue }, [3], ScalarType.Int16),
        ["i8"] = torch.tensor<sbyte>(new sbyte[] { sbyte.MinValue, -1, sbyte.MaxValue }, [1, 3], ScalarType.Int8),
        ["u8"] = torch.tensor(new byte[] { 0, 1, 128, 255 }, [2, 1, 2]),
        ["bool"] = torch.tensor(new[] { true, false, false, true }, [4]),
        ["scalar"] = torch.tensor(42L),
        ["empty"] = torch.zeros([0, 3], ScalarType.Float32),
    };

    /// <summary>The same tensors as <see cref="EveryDtype"/>, built independently in Python (a dict <c>E</c>).</summary>
    internal const string PythonEveryDtype = """
        nan, inf = float("nan"), float("inf")
        def bits16(values, dtype):
            return torch.tensor(values, dtype=torch.int32).to(torch.int16).view(dtype)
        E = {
            "f32": torch.tensor([1.5, -2.25, nan, inf, 1.401298464324817e-45, -0.0], dtype=torch.float32).reshape(2, 3),
            "f64": torch.tensor([math.pi, -1e300, -inf, 5e-324], dtype=torch.float64).reshape(4, 1),
            "f16": torch.tensor([0.5, -65504.0, nan, 6e-8], dtype=torch.float16).reshape(2, 2),
            "bf16": bits16([0x3F80, 0xC2F7, 0x7FC0, 0x0001, 0x8000], torch.bfloat16),
            "i64": torch.tensor([-2**63, -1, 0, 2**63 - 1], dtype=torch.int64).reshape(2, 2),
            "i32": torch.tensor([-2**31, 7, 2**31 - 1], dtype=torch.int32),
            "i16": torch.tensor([-2**15, -3, 2**15 - 1], dtype=torch.int16),
            "i8": torch.tensor([-128, -1, 127], dtype=torch.int8).reshape(1, 3),
            "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8).reshape(2, 1, 2),
            "bool": torch.tensor([True, False, False, True]),
            "scalar": torch.tensor(42),
            "empty": torch.zeros(0, 3),
        }
        def same(a, b):
            return a.dtype == b.dtype and list(a.shape) == list(b.shape) and st._tensor_bytes(a) == st._tensor_bytes(b)
        """;

    [Fact]
    public void RoundTrip_EveryDtype_IsBitExact_AndKeepsOrderAndMetadata()
    {
        var tensors = EveryDtype();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓ \"quoted\"" };
        var path = PathOf("all.safetensors");
        Safetensors.Save(path, tensors, metadata);

        var loaded = Safetensors.Load(path, out var readMetadata);
        Assert.Equal(tensors.Keys, loaded.Keys);
        foreach (var (name, t) in tensors) OracleAssert.Equal(t, loaded[name], name);
        Assert.Equal(metadata.OrderBy(kv => kv.Key), readMetadata.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void NonContiguousTensor_IsWrittenInRowMajorOrder()
    {
        // channels_last keeps NCHW's logical order but stores NHWC: the file must hold the logical order.
        var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        using var source = torch.tensor(data, [1, 3, 2, 2]);
        using var channelsLast = source.to(MemoryFormat.ChannelsLast);
        Assert.False(channelsLast.is_contiguous());
        var path = PathOf("t.safetensors");
        torch.save(new Dictionary<string, Tensor> { ["t"] = channelsLast }, path);
        var back = torch.load(path)["t"];
        Assert.Equal(new long[] { 1, 3, 2, 2 }, back.shape);
        Assert.Equal(data, back.ToArray<float>());
        Assert.True(back.is_contiguous());
    }

    [Fact]
    public void Header_FollowsTheSpec()
    {
        var path = PathOf("spec.safetensors");
        using var a = torch.tensor(new float[] { 1, 2, 3 }, [3]);
        using var b = torch.tensor(new long[] { 9 }, [1, 1]);
        Safetensors.Save(path, new OrderedDictionary<string, Tensor> { ["a"] = a, ["b"] = b }, new Dictionary<string, string> { ["k"] = "v" });

        var bytes = File.ReadAllBytes(path);
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8); // padded so the data is 8-byte aligned
        Assert.Equal(8 + n + 12 + 8, bytes.Length);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' '));
        var root = json.RootElement;
        Assert.Equal("v", root.GetProperty("__metadata__").GetProperty("k").GetString());
        Assert.Equal("F32", root.GetProperty("a").GetProperty("dtype").GetString());
        Assert.Equal("[3]", root.GetProperty("a").GetProperty("shape").GetRawText());
        Assert.Equal("[0,12]", root.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal("I64", root.GetProperty("b").GetProperty("dtype").GetString());
        Assert.Equal("[12,20]", root.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal(2f, BitConverter.ToSingle(bytes, (int)(8 + n + 4)));
        Assert.Equal(9L, BitConverter.ToInt64(bytes, (int)(8 + n + 12)));

        var header = Safetensors.ReadHeader(path);
        Assert.Equal(["a", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal(8 + n, header.DataStart);
    }

    // ---- corrupt files -----------------------------------------------------------------------

    private static byte[] Build(string json, int dataBytes, bool pad = true)
    {
        var head = Encoding.UTF8.GetBytes(json);
        if (pad) head = [.. head, .. Enumerable.Repeat((byte)' ', (8 - head.Length % 8) % 8)];
        var file = new byte[8 + head.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)head.Length);
        head.CopyTo(file, 8);
        return file;
    }

    public static TheoryData<string, byte[], string> CorruptFiles()
    {
        const string ok = """{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var good = Build(ok, 8);
        var hugeHeader = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hugeHeader, ulong.MaxValue);
        var pastEnd = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(pastEnd, (ulong)good.Length);
        return new TheoryData<string, byte[], string>
        {
            { "empty file", [], "shorter than the 8-byte" },
            { "only 5 bytes", [1, 2, 3, 4, 5], "shorter than the 8-byte" },
            { "huge header length", hugeHeader, "exceeds" },
            { "header length past end", pastEnd, "runs past the end" },
            { "truncated data", good[..^3], "truncated" },
            { "not JSON", Build("{\"x\": nope}", 8), "not valid JSON" },
            { "JSON array", Build("[1,2,3]", 0), "not an object" },
            { "unknown dtype", Build("""{"x":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}""", 8), "'F7'" },
            { "no dtype", Build("""{"x":{"shape":[2],"data_offsets":[0,8]}}""", 8), "dtype" },
            { "negative shape", Build("""{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8), "bad shape" },
            { "offsets do not match shape", Build("""{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes" },
            { "offsets reversed", Build("""{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8), "bad data_offsets" },
            { "offsets past data", Build("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 8), "past the end" },
            { "overlap", Build("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "overlaps" },
            { "gap", Build("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "gap" },
            { "trailing bytes", Build(ok, 16), "cover only" },
            { "metadata not strings", Build("""{"__metadata__":{"a":1},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8), "not a string" },
            { "duplicate name", Build("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "twice" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void CorruptFile_Throws_InvalidDataException_NamingTheFile(string @case, byte[] content, string expectedFragment)
    {
        var path = PathOf($"corrupt-{@case.Replace(' ', '-')}.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedFragment, e.Message);
        // The header reader alone says the same.
        Assert.Throws<InvalidDataException>(() => Safetensors.ReadHeader(path));
    }

    [Fact]
    public void ValidHandBuiltFile_Loads()
    {
        // The control for the corrupt cases: the same builder with consistent offsets loads fine.
        var bytes = Build("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        BitConverter.GetBytes(3.5f).CopyTo(bytes, bytes.Length - 4);
        var path = PathOf("ok.safetensors");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(new[] { 0f, 3.5f }, Safetensors.Load(path)["x"].ToArray<float>());
    }

    [Fact]
    public void EveryTruncation_OfARealFile_IsReportedAsCorrupt()
    {
        var path = PathOf("full.safetensors");
        Safetensors.Save(path, EveryDtype());
        var bytes = File.ReadAllBytes(path);
        var cut = PathOf("cut.safetensors");
        // Every prefix (a sample of them for speed) fails cleanly, naming the file.
        for (var length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 97))
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(cut));
            Assert.Contains(cut, e.Message);
        }
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound_NamingTheFile()
    {
        var path = PathOf("does-not-exist.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Safetensors.Load(path));
        Assert.Contains(path, e.Message);
    }

    // ---- atomic writes -----------------------------------------------------------------------

    [Fact]
    public void FailedWrite_LeavesTheOldFileIntact_AndNoTemporaryFile()
    {
        var path = PathOf("model.safetensors");
        using var original = torch.tensor(new float[] { 1, 2, 3 }, [3]);
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = original });
        var before = File.ReadAllBytes(path);

        // The second tensor is disposed after validation but before its bytes are written, so
        // the write fails half-way through the data section.
        using var first = torch.ones([1000], ScalarType.Float64);
        var second = torch.ones([10]);
        IEnumerable<KeyValuePair<string, Tensor>> Entries()
        {
            try
            {
                yield return new("first", first);
                yield return new("second", second);
            }
            finally
            {
                second.Dispose();
            }
        }

        Assert.Throws<ObjectDisposedException>(() => Safetensors.Save(path, Entries()));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void FailedRename_LeavesNoTemporaryFile()
    {
        var target = PathOf("a-directory");
        Directory.CreateDirectory(target); // File.Move cannot replace a directory
        using var t = torch.ones([2]);
        Assert.ThrowsAny<IOException>(() => Safetensors.Save(target, new Dictionary<string, Tensor> { ["t"] = t }));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Overwrite_ReplacesTheFile()
    {
        var path = PathOf("w.safetensors");
        using var a = torch.ones([3]);
        using var b = torch.zeros([2, 2], ScalarType.Int64);
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a });
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["b"] = b });
        var loaded = Safetensors.Load(path);
        Assert.Equal(["b"], loaded.Keys);
        Assert.Equal(["w.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void BadArguments_AreRejectedBeforeAnythingIsWritten()
    {
        var path = PathOf("bad.safetensors");
        using var t = torch.ones([1]);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { [""] = t }));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, [new("x", t), new("x", t)]));
        var disposed = torch.ones([1]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["d"] = disposed }));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir));
    }
}
