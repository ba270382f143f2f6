using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Gan.Runtime.Logging;

namespace GanDsl.Tests.Logging;

/// <summary>
/// An independent reader of TensorBoard event files for the tests: the TFRecord framing with both masked CRC-32C checked,
/// then a generic protocol-buffer decoder (every field kept by number and wire type), and the few Event fields the writer
/// uses interpreted by their numbers in TensorBoard's event.proto and summary.proto.
/// </summary>
public static class EventFileReader
{
    public sealed record Field(int Number, int WireType, ulong Varint, byte[] Bytes)
    {
        public double AsDouble => BitConverter.Int64BitsToDouble((long)Varint);
        public float AsFloat => BitConverter.Int32BitsToSingle((int)(uint)Varint);
        public string AsString => Encoding.UTF8.GetString(Bytes);
    }

    public sealed record Image(int Height, int Width, int Colorspace, byte[] Png);

    public sealed record SummaryValue(string Tag, float? SimpleValue, Image? Image);

    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<SummaryValue> Values, int? SessionStatus, byte[] Raw);

    /// <summary>The records' payloads, after checking each length and data CRC; throws with the offset on any damage.</summary>
    public static List<byte[]> Records(byte[] file)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 12) throw new InvalidDataException($"truncated record header at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at, 8));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8, 4));
            if (lengthCrc != Crc32C.Masked(file.AsSpan(at, 8))) throw new InvalidDataException($"bad length CRC at byte {at}");
            at += 12;
            if ((ulong)(file.Length - at) < length + 4) throw new InvalidDataException($"truncated record at byte {at}");
            byte[] data = file.AsSpan(at, (int)length).ToArray();
            at += (int)length;
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at, 4));
            if (dataCrc != Crc32C.Masked(data)) throw new InvalidDataException($"bad data CRC at byte {at}");
            at += 4;
            records.Add(data);
        }
        return records;
    }

    public static List<Event> Read(string path) => Records(File.ReadAllBytes(path)).Select(ParseEvent).ToList();

    /// <summary>Every field of one message, in order (varints, fixed64 and fixed32 in <see cref="Field.Varint"/>, bytes in <see cref="Field.Bytes"/>).</summary>
    public static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        int at = 0;
        while (at < message.Length)
        {
            ulong key = ReadVarint(message, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add(new Field(number, wire, ReadVarint(message, ref at), Array.Empty<byte>())); break;
                case 1: fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at, 8)), Array.Empty<byte>())); at += 8; break;
                case 5: fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at, 4)), Array.Empty<byte>())); at += 4; break;
                case 2:
                    int length = checked((int)ReadVarint(message, ref at));
                    fields.Add(new Field(number, wire, 0, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                default: throw new InvalidDataException($"wire type {wire} at byte {at}");
            }
        }
        return fields;
    }

    public static Event ParseEvent(byte[] data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        int? status = null;
        var values = new List<SummaryValue>();
        foreach (Field f in Fields(data))
        {
            switch (f.Number, f.WireType)
            {
                case (1, 1): wallTime = f.AsDouble; break;
                case (2, 0): step = (long)f.Varint; break;
                case (3, 2): version = f.AsString; break;
                case (5, 2):
                    foreach (Field v in Fields(f.Bytes).Where(v => v.Number == 1)) values.Add(ParseValue(v.Bytes));
                    break;
                case (7, 2): status = (int)(Fields(f.Bytes).FirstOrDefault(s => s.Number == 1)?.Varint ?? 0); break;
            }
        }
        return new Event(wallTime, step, version, values, status, data);
    }

    private static SummaryValue ParseValue(byte[] data)
    {
        string tag = "";
        float? simple = null;
        Image? image = null;
        foreach (Field f in Fields(data))
        {
            if (f is { Number: 1, WireType: 2 }) tag = f.AsString;
            else if (f is { Number: 2, WireType: 5 }) simple = f.AsFloat;
            else if (f is { Number: 4, WireType: 2 })
            {
                var parts = Fields(f.Bytes);
                int Int(int n) => (int)(parts.FirstOrDefault(p => p.Number == n)?.Varint ?? 0);
                image = new Image(Int(1), Int(2), Int(3), parts.First(p => p.Number == 4).Bytes);
            }
        }
        return new SummaryValue(tag, simple, image);
    }

    private static ulong ReadVarint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 63) throw new InvalidDataException("varint too long");
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
