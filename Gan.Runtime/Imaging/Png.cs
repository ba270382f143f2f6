using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Gan.Runtime.Imaging;

/// <summary>A decoded PNG: <see cref="Channels"/> samples per pixel (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA), 8 bits each,
/// row-major, top row first. Palette images are expanded to RGB (RGBA when they carry transparency); 16-bit samples are
/// rounded to 8 bits; sub-byte grey levels are scaled to 0–255.</summary>
public sealed record PngImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>The image as RGB bytes (grey repeated on the three channels, alpha dropped).</summary>
    public byte[] Rgb()
    {
        if (Channels == 3) return Pixels;
        var rgb = new byte[3L * Width * Height];
        for (long i = 0, n = (long)Width * Height; i < n; i++)
        {
            long at = i * Channels;
            if (Channels <= 2) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = Pixels[at];
            else { rgb[3 * i] = Pixels[at]; rgb[3 * i + 1] = Pixels[at + 1]; rgb[3 * i + 2] = Pixels[at + 2]; }
        }
        return rgb;
    }
}

/// <summary>
/// PNG with no dependencies (PNG specification, 3rd ed.). The encoder writes 8-bit RGB, no interlace, filter 0 (None) on
/// every row, one zlib-compressed IDAT chunk, CRC-32 on every chunk (§5 and §11). The reader takes every standard image:
/// colour types 0, 2, 3, 4 and 6 at each of their bit depths, the five filters, Adam7 interlacing; it checks the
/// signature, each chunk's CRC and length, IHDR's fields and the amount of image data, and names the file and the fault.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>
    /// Writes an RGB image (row-major, top row first, 3 bytes per pixel) to <paramref name="path"/>, through a
    /// temporary file in the same folder and a rename, so a reader never sees half a file and an existing
    /// file is replaced only by a complete one. Creates the folder if needed.
    /// </summary>
    public static void Write(string path, int width, int height, byte[] rgb)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] png = Encode(width, height, rgb); // validates before anything touches the disk

        string fullPath = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = fullPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllBytes(temp, png);
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"Could not write the PNG '{fullPath}': {e.Message}", e);
        }
    }

    /// <summary>The PNG file's bytes for an RGB image (row-major, top row first, 3 bytes per pixel).</summary>
    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "A PNG must be at least 1 pixel wide.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "A PNG must be at least 1 pixel high.");
        long expected = 3L * width * height;
        if (rgb.LongLength != expected)
            throw new ArgumentException(
                $"An RGB image of {width}x{height} needs {expected} bytes (3 per pixel); got {rgb.LongLength}.", nameof(rgb));
        long rawLength = (1L + 3L * width) * height;
        if (rawLength > Array.MaxLength)
            throw new ArgumentException($"A {width}x{height} image is too large for this encoder.", nameof(rgb));

        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header[0..4], width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..8], height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour (RGB)
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method 0
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        WriteChunk(output, "IDAT", Compress(width, height, rgb));
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    /// <summary>Reads the PNG file at <paramref name="path"/>; a missing, truncated or corrupt file is an
    /// <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) that names it.</summary>
    public static PngImage Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No PNG file at '{path}'.", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes a PNG file's bytes; <paramref name="name"/> is what the errors call it.</summary>
    public static PngImage Decode(byte[] bytes, string name = "the PNG")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        InvalidDataException Bad(string what) => new($"{name} is not a valid PNG: {what}.");
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature)) throw Bad("it does not start with the PNG signature");

        int width = 0, height = 0, depth = 0, colour = -1, interlace = 0;
        byte[]? palette = null, transparency = null;
        using var idat = new MemoryStream();
        bool ended = false;
        int at = 8;
        while (at < bytes.Length && !ended)
        {
            if (at + 12 > bytes.Length) throw Bad($"the file ends inside a chunk header at byte {at} (truncated?)");
            long length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            string type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            if (length > int.MaxValue || at + 12 + length > bytes.Length)
                throw Bad($"chunk {type} at byte {at} declares {length} bytes, past the end of the file (truncated?)");
            var data = bytes.AsSpan(at + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length));
            uint actual = Crc32(bytes.AsSpan(at + 4, 4 + (int)length));
            if (stored != actual) throw Bad($"the CRC of chunk {type} at byte {at} does not match ({stored:X8} stored, {actual:X8} computed)");
            if (at == 8 && type != "IHDR") throw Bad($"the first chunk is {type}, not IHDR");
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw Bad($"IHDR has {length} bytes, not 13");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colour = data[9];
                    interlace = data[12];
                    if (width <= 0 || height <= 0) throw Bad($"its size is {width}x{height}");
                    if (!ValidDepth(colour, depth)) throw Bad($"colour type {colour} with bit depth {depth} is not a PNG format");
                    if (data[10] != 0 || data[11] != 0 || interlace > 1) throw Bad($"unknown compression ({data[10]}), filter ({data[11]}) or interlace ({interlace}) method");
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768) throw Bad($"its palette has {length} bytes");
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    transparency = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
            }
            at += 12 + (int)length;
        }
        if (!ended) throw Bad("it has no IEND chunk (truncated?)");
        if (idat.Length == 0) throw Bad("it has no image data (IDAT)");
        if (colour == 3 && palette is null) throw Bad("a palette image without a PLTE chunk");

        int samples = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = samples * depth;
        long rawLength = 0;
        foreach (var (w, h) in Passes(width, height, interlace)) if (w > 0 && h > 0) rawLength += h * (1 + (w * (long)bitsPerPixel + 7) / 8);
        if (rawLength > Array.MaxLength) throw Bad($"a {width}x{height} image is too large to read");

        byte[] raw = new byte[rawLength];
        idat.Position = 0;
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0, got;
            while (read < raw.Length && (got = zlib.Read(raw, read, raw.Length - read)) > 0) read += got;
            if (read < raw.Length) throw Bad($"its image data holds {read} bytes, {raw.Length} expected (truncated?)");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw Bad($"its compressed image data is corrupt ({e.Message})");
        }

        int outChannels = colour == 3 ? (transparency is null ? 3 : 4) : samples;
        var pixels = new byte[(long)width * height * outChannels];
        int offset = 0, pass = 0;
        foreach (var (w, h) in Passes(width, height, interlace))
        {
            if (w > 0 && h > 0)
            {
                int stride = (int)((w * (long)bitsPerPixel + 7) / 8);
                Unfilter(raw.AsSpan(offset, h * (1 + stride)), h, stride, Math.Max(1, bitsPerPixel / 8), Bad);
                for (int y = 0; y < h; y++)
                {
                    var row = raw.AsSpan(offset + y * (1 + stride) + 1, stride);
                    var (py, px, dy, dx) = interlace == 1 ? Adam7[pass] : (0, 0, 1, 1);
                    for (int x = 0; x < w; x++)
                        Store(row, x, colour, depth, samples, palette, transparency, pixels, ((long)(py + y * dy) * width + px + x * dx) * outChannels, Bad);
                }
                offset += h * (1 + stride);
            }
            pass++;
        }
        return new PngImage(width, height, outChannels, pixels);
    }

    private static bool ValidDepth(int colour, int depth) => colour switch
    {
        0 => depth is 1 or 2 or 4 or 8 or 16,
        3 => depth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => depth is 8 or 16,
        _ => false,
    };

    // Adam7: (first row, first column, row step, column step) of each pass.
    private static readonly (int Y, int X, int Dy, int Dx)[] Adam7 =
        { (0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1) };

    private static IEnumerable<(int W, int H)> Passes(int width, int height, int interlace)
    {
        if (interlace == 0) { yield return (width, height); yield break; }
        foreach (var (y, x, dy, dx) in Adam7) yield return ((width - x + dx - 1) / dx, (height - y + dy - 1) / dy);
    }

    private static void Unfilter(Span<byte> rows, int height, int stride, int bpp, Func<string, InvalidDataException> bad)
    {
        for (int y = 0; y < height; y++)
        {
            int start = y * (1 + stride);
            byte filter = rows[start];
            var row = rows.Slice(start + 1, stride);
            Span<byte> up = y > 0 ? rows.Slice(start - stride, stride) : Span<byte>.Empty;
            switch (filter)
            {
                case 0: break;
                case 1: for (int i = bpp; i < stride; i++) row[i] += row[i - bpp]; break;
                case 2: if (y > 0) for (int i = 0; i < stride; i++) row[i] += up[i]; break;
                case 3:
                    for (int i = 0; i < stride; i++)
                        row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + (y > 0 ? up[i] : 0)) / 2);
                    break;
                case 4:
                    for (int i = 0; i < stride; i++)
                        row[i] += Paeth(i >= bpp ? row[i - bpp] : (byte)0, y > 0 ? up[i] : (byte)0, i >= bpp && y > 0 ? up[i - bpp] : (byte)0);
                    break;
                default: throw bad($"row {y} of a pass uses filter type {filter} (0–4 exist)");
            }
        }
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Store(ReadOnlySpan<byte> row, int x, int colour, int depth, int samples, byte[]? palette, byte[]? transparency,
                              byte[] pixels, long at, Func<string, InvalidDataException> bad)
    {
        if (depth < 8)
        {
            int bit = x * depth, value = (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
            if (colour == 0) { pixels[at] = (byte)(value * 255 / ((1 << depth) - 1)); return; }
            StorePalette(value, palette!, transparency, pixels, at, bad);
            return;
        }
        if (colour == 3) { StorePalette(row[x], palette!, transparency, pixels, at, bad); return; }
        for (int s = 0; s < samples; s++)
            pixels[at + s] = depth == 8 ? row[x * samples + s]
                : (byte)((((row[2 * (x * samples + s)] << 8) | row[2 * (x * samples + s) + 1]) * 255 + 32767) / 65535);
    }

    private static void StorePalette(int index, byte[] palette, byte[]? transparency, byte[] pixels, long at, Func<string, InvalidDataException> bad)
    {
        if (3 * index + 2 >= palette.Length) throw bad($"a pixel uses palette entry {index} of {palette.Length / 3}");
        pixels[at] = palette[3 * index]; pixels[at + 1] = palette[3 * index + 1]; pixels[at + 2] = palette[3 * index + 2];
        if (transparency is not null) pixels[at + 3] = index < transparency.Length ? transparency[index] : (byte)255;
    }

    /// <summary>CRC-32 (ISO 3309 / ITU-T V.42, the one PNG uses) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => UpdateCrc(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static byte[] Compress(int width, int height, byte[] rgb)
    {
        int stride = 3 * width;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int row = 0; row < height; row++)
            {
                zlib.WriteByte(0); // filter type None
                zlib.Write(rgb, row * stride, stride);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);

        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);

        // The CRC covers the chunk type and the data, not the length.
        uint crc = UpdateCrc(UpdateCrc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
