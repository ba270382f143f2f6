using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Gan.Runtime.Imaging;
using static TorchSharp.torch;

namespace Gan.Runtime.Logging;

/// <summary>
/// Writes a TensorBoard event file with no dependency: <c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;</c> in a folder
/// that <c>tensorboard --logdir</c> reads. The file is a TFRecord stream (each record: little-endian uint64 length,
/// masked CRC-32C of the length, the data, masked CRC-32C of the data) of <c>tensorflow.Event</c> protocol buffers,
/// encoded by hand (<see cref="EventEncoding"/>): first one with <c>file_version = "brain.Event:2"</c>, then summaries
/// (scalars as <c>simple_value</c>, images as PNG). Each event is flushed, so a killed run keeps what it logged.
/// <para>A resumed run writes a new file (one per invocation, as TensorBoard expects) that starts with a
/// <c>SessionLog.START</c> at the resumed step: TensorBoard then drops what the killed run logged after its checkpoint.</para>
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    public const string FileVersion = "brain.Event:2";
    private readonly FileStream _file;
    private readonly object _lock = new();

    private TensorBoardWriter(string path)
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        FilePath = path;
        Write(EventEncoding.FileVersion(WallTime(), FileVersion));
    }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>The folder of the event file (TensorBoard's <c>--logdir</c>).</summary>
    public string Directory => Path.GetDirectoryName(FilePath)!;

    /// <summary>Creates the folder if needed and a new event file in it, named as TensorFlow names them
    /// (an existing file of the same second and host gets a numbered neighbour, never overwritten).</summary>
    public static TensorBoardWriter Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        string host = SafeHost(Environment.MachineName);
        string name = $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{host}";
        string path = Path.Combine(directory, name);
        for (int n = 1; File.Exists(path); n++) path = Path.Combine(directory, $"{name}.{n}");
        return new TensorBoardWriter(path);
    }

    /// <summary>Scalars logged together at one step (one event), e.g. every loss of a log interval.</summary>
    public void Scalars(long step, IEnumerable<KeyValuePair<string, float>> values) =>
        Write(EventEncoding.Summary(WallTime(), step, EventEncoding.ScalarValues(values)));

    public void Scalar(string tag, float value, long step) => Scalars(step, new[] { KeyValuePair.Create(tag, value) });

    /// <summary>An image summary from PNG bytes.</summary>
    public void Image(string tag, byte[] png, int width, int height, long step) =>
        Write(EventEncoding.Summary(WallTime(), step, EventEncoding.ImageValue(tag, png, width, height)));

    /// <summary>An image summary of a grid of images [N, C, H, W] with values in [0, 1] (laid out by <see cref="Imaging.ImageGrid"/>).</summary>
    public void ImageGrid(string tag, Tensor images, int columns, long step, int scale = 1)
    {
        byte[] rgb = Imaging.ImageGrid.Render(images, columns, padding: 2, scale, out int width, out int height);
        Image(tag, Png.Encode(width, height, rgb), width, height, step);
    }

    /// <summary>Marks a (re)start at <paramref name="step"/>: TensorBoard discards earlier-written events with step ≥ it.</summary>
    public void SessionStart(long step) => Write(EventEncoding.SessionStart(WallTime(), step));

    private void Write(byte[] record)
    {
        lock (_lock)
        {
            TfRecord.Write(_file, record);
            _file.Flush();
        }
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static string SafeHost(string host)
    {
        var sb = new StringBuilder();
        foreach (char c in host) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return sb.Length > 0 ? sb.ToString() : "localhost";
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }
}

/// <summary>TFRecord framing: uint64 length, masked CRC-32C of those 8 bytes, the data, masked CRC-32C of the data
/// (all little-endian).</summary>
public static class TfRecord
{
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }
}

/// <summary>
/// The few protocol buffers an event file needs, encoded by hand (field numbers from TensorBoard's
/// <c>event.proto</c> and <c>summary.proto</c>): <c>Event { double wall_time = 1; int64 step = 2; string file_version = 3;
/// Summary summary = 5; SessionLog session_log = 7; }</c>, <c>Summary { repeated Value value = 1; }</c>,
/// <c>Value { string tag = 1; float simple_value = 2; Image image = 4; }</c>,
/// <c>Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }</c>,
/// <c>SessionLog { SessionStatus status = 1; }</c> (START = 1).
/// </summary>
public static class EventEncoding
{
    private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;

    public static byte[] FileVersion(double wallTime, string version)
    {
        var e = new ProtoBuffer();
        EventHeader(e, wallTime, 0);
        e.Bytes(3, Encoding.UTF8.GetBytes(version));
        return e.ToArray();
    }

    /// <summary>An Event carrying a Summary made of already-encoded Summary.Value messages.</summary>
    public static byte[] Summary(double wallTime, long step, IEnumerable<byte[]> values)
    {
        var summary = new ProtoBuffer();
        foreach (byte[] value in values) summary.Bytes(1, value);
        var e = new ProtoBuffer();
        EventHeader(e, wallTime, step);
        e.Bytes(5, summary.ToArray());
        return e.ToArray();
    }

    public static byte[] Summary(double wallTime, long step, byte[] value) => Summary(wallTime, step, new[] { value });

    public static IEnumerable<byte[]> ScalarValues(IEnumerable<KeyValuePair<string, float>> values)
    {
        foreach (var (tag, v) in values)
        {
            var value = new ProtoBuffer();
            value.Bytes(1, Encoding.UTF8.GetBytes(tag));
            value.Float(2, v);
            yield return value.ToArray();
        }
    }

    public static byte[] ImageValue(string tag, byte[] png, int width, int height)
    {
        var image = new ProtoBuffer();
        image.Varint(1, (ulong)height);
        image.Varint(2, (ulong)width);
        image.Varint(3, 3);   // colorspace: RGB
        image.Bytes(4, png);
        var value = new ProtoBuffer();
        value.Bytes(1, Encoding.UTF8.GetBytes(tag));
        value.Bytes(4, image.ToArray());
        return value.ToArray();
    }

    public static byte[] SessionStart(double wallTime, long step)
    {
        var log = new ProtoBuffer();
        log.Varint(1, 1);   // SessionLog.START
        var e = new ProtoBuffer();
        EventHeader(e, wallTime, step);
        e.Bytes(7, log.ToArray());
        return e.ToArray();
    }

    private static void EventHeader(ProtoBuffer e, double wallTime, long step)
    {
        e.Double(1, wallTime);
        if (step != 0) e.Varint(2, unchecked((ulong)step));   // proto3 leaves default values out
    }

    /// <summary>Protocol-buffer wire format: keys and varints (base-128, little-endian groups), fixed 32/64-bit
    /// little-endian numbers, length-delimited bytes.</summary>
    private sealed class ProtoBuffer
    {
        private readonly MemoryStream _out = new();

        public void Varint(int field, ulong value)
        {
            Key(field, WireVarint);
            Raw(value);
        }

        public void Double(int field, double value)
        {
            Key(field, WireFixed64);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            _out.Write(b);
        }

        public void Float(int field, float value)
        {
            Key(field, WireFixed32);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _out.Write(b);
        }

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Key(field, WireLengthDelimited);
            Raw((ulong)value.Length);
            _out.Write(value);
        }

        public byte[] ToArray() => _out.ToArray();

        private void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _out.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _out.WriteByte((byte)value);
        }
    }
}
