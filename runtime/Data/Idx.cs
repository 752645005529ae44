using System.Buffers.Binary;
using System.IO.Compression;
using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// Reads IDX files (LeCun's MNIST format, also Fashion-MNIST's and EMNIST's), plain or gzip
/// (told apart by their first bytes, not by the file name). Only unsigned-byte data (type 0x08),
/// which is what image and label files hold. A missing file throws
/// <see cref="FileNotFoundException"/>; a wrong magic number, a truncated file or a header that
/// does not match the data throws <see cref="InvalidDataException"/>; both name the file.
/// </summary>
public static class Idx
{
    /// <summary>An image file (3 dimensions: N, H, W) as uint8 <c>[N, 1, H, W]</c>.</summary>
    public static Tensor ReadImages(string path)
    {
        var (dims, data) = ReadRaw(path, expectedDims: 3);
        return torch.tensor<byte>(data, [dims[0], 1, dims[1], dims[2]], ScalarType.Byte);
    }

    /// <summary>A label file (1 dimension: N) as int64 <c>[N]</c>.</summary>
    public static Tensor ReadLabels(string path)
    {
        var (dims, data) = ReadRaw(path, expectedDims: 1);
        var labels = new long[dims[0]];
        for (var i = 0; i < labels.Length; i++) labels[i] = data[i];
        return torch.tensor(labels);
    }

    /// <summary>Any unsigned-byte IDX file as uint8 with the file's own dimensions.</summary>
    public static Tensor Read(string path)
    {
        var (dims, data) = ReadRaw(path, expectedDims: null);
        return torch.tensor<byte>(data, dims, ScalarType.Byte);
    }

    /// <summary>The dimensions and the bytes of an unsigned-byte IDX file.</summary>
    public static (long[] Dims, byte[] Data) ReadRaw(string path, int? expectedDims = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder, not an IDX file");
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> first = stackalloc byte[2];
            var n = ReadFully(file, first);
            file.Position = 0;
            var gzip = n == 2 && first[0] == 0x1f && first[1] == 0x8b;
            using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return Parse(stream, path, gzip, expectedDims);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a valid gzip stream ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)})", e);
        }
    }

    private static (long[] Dims, byte[] Data) Parse(Stream stream, string path, bool gzip, int? expectedDims)
    {
        var what = gzip ? "gzip IDX file" : "IDX file";
        Span<byte> magic = stackalloc byte[4];
        var got = ReadFully(stream, magic);
        if (got < 4) throw new InvalidDataException($"{path}: truncated {what}: {got} bytes, too short for the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0 || magic[3] is < 1 or > 4)
            throw new InvalidDataException(
                $"{path}: not an IDX file: magic bytes {Convert.ToHexString(magic)}, expected 0000 then the type (08) and the number of dimensions (1-4)");
        if (magic[2] != 0x08)
            throw new InvalidDataException($"{path}: IDX element type 0x{magic[2]:X2} is not supported (only unsigned bytes, 0x08)");
        int ndim = magic[3];
        if (expectedDims is { } e && e != ndim)
            throw new InvalidDataException($"{path}: has {ndim} dimension(s), expected {e} ({(e == 3 ? "images: N, H, W" : "labels: N")}); magic {Convert.ToHexString(magic)}");
        Span<byte> header = stackalloc byte[4 * ndim];
        got = ReadFully(stream, header);
        if (got < header.Length) throw new InvalidDataException($"{path}: truncated {what}: the header ends after {4 + got} bytes, expected {4 + header.Length}");
        var dims = new long[ndim];
        long total = 1;
        for (var i = 0; i < ndim; i++)
        {
            dims[i] = BinaryPrimitives.ReadUInt32BigEndian(header[(4 * i)..]);
            // Four 32-bit sizes can overflow a long: that header cannot describe a real file.
            if (dims[i] != 0 && total > long.MaxValue / dims[i])
                throw new InvalidDataException($"{path}: the header's dimensions [{string.Join(", ", dims[..(i + 1)])}...] overflow (corrupt header)");
            total *= dims[i];
        }
        if (total > Array.MaxLength) throw new InvalidDataException($"{path}: {total} elements is more than this reader holds in memory");
        var data = new byte[total];
        got = ReadFully(stream, data);
        if (got < total)
            throw new InvalidDataException(
                $"{path}: truncated {what}: the header announces [{string.Join(", ", dims)}] = {total} bytes of data, found {got}");
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(stream, extra) != 0)
            throw new InvalidDataException($"{path}: more data than the header announces ([{string.Join(", ", dims)}] = {total} bytes)");
        return (dims, data);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
