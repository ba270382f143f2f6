using System;

namespace Gan.Runtime.Logging;

/// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord files, and TFRecord's
/// masking of it (a stored CRC of data that itself contains CRCs is rotated and offset).</summary>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>CRC-32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>TFRecord's masked CRC: rotate right by 15 bits, add 0xA282EAD8.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);

    /// <summary>The masked CRC-32C of <paramref name="data"/>, as stored in a TFRecord.</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
