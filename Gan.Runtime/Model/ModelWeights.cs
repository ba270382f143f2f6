using System;
using System.IO;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>Saves and loads a model's weights (TorchSharp's state-dict format) with a SHA-256 checksum, writing
/// through a temporary file and a rename so that a killed process never leaves a half-written file behind.</summary>
public static class ModelWeights
{
    /// <summary>Writes the weights of <paramref name="module"/> to <paramref name="path"/>; returns the file's SHA-256 (hex).</summary>
    public static string Save(nn.Module module, string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        module.save(temp);
        string sha = Sha256(temp);
        File.Move(temp, full, overwrite: true);
        return sha;
    }

    /// <summary>Loads weights saved by <see cref="Save"/> into <paramref name="module"/>. With <paramref name="expectedSha256"/>,
    /// a file whose checksum differs (truncated, corrupted, replaced) is refused before it is read.</summary>
    public static void Load(nn.Module module, string path, string? expectedSha256 = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model weights not found: {path}", path);
        if (expectedSha256 is not null)
        {
            string actual = Sha256(path);
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: checksum mismatch (expected SHA-256 {expectedSha256}, file has {actual}); the file is truncated or corrupted.");
        }
        try
        {
            module.load(path, strict: true);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: cannot load these weights into {module.GetName()} ({e.Message}). " +
                                           "The file is damaged or was saved from a different model.", e);
        }
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
