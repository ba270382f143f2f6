using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using GanDsl.Build;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Build;

/// <summary>The libstdc++ fix (build/ElfVersionPatch.cs) on copies of the real libLibTorchSharp.so, checked with readelf.</summary>
public sealed class ElfVersionPatchTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-elf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TorchSharpNativeFact]
    public void Patch_sets_the_weak_flag_of_the_GLIBCXX_3_4_32_entry_and_changes_nothing_else()
    {
        string lib = CopyOfTorchSharpNative("libLibTorchSharp.so");
        byte[] before = File.ReadAllBytes(lib);
        ReadElfFlags(lib, Version).ShouldBe("none");
        var otherEntriesBefore = ReadElfVersionNeeds(lib).Where(l => !l.Contains(Version)).ToList();
        int flagsOffset = ElfVersionPatch.FindVersionNeedFlagsOffset(before, Version, lib);
        flagsOffset.ShouldBeGreaterThan(0);

        ElfVersionPatch.MakeVersionNeedWeak(lib, Version).ShouldBe(ElfPatchResult.Patched);

        byte[] after = File.ReadAllBytes(lib);
        after.Length.ShouldBe(before.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        changed.Length.ShouldBeInRange(1, 2);
        changed.ShouldAllBe(i => i == flagsOffset || i == flagsOffset + 1, "only vna_flags of the GLIBCXX_3.4.32 entry may change");
        U16(after, flagsOffset).ShouldBe((ushort)(U16(before, flagsOffset) | ElfVersionPatch.VerFlagWeak));
        ReadElfFlags(lib, Version).ShouldBe("WEAK");
        ReadElfVersionNeeds(lib).Where(l => !l.Contains(Version)).ShouldBe(otherEntriesBefore);
        Directory.GetFiles(_dir).ShouldBe(new[] { lib }); // the temporary file is gone
    }

    [TorchSharpNativeFact]
    public void Patching_twice_reports_AlreadyWeak_and_leaves_the_file_as_it_is()
    {
        string lib = CopyOfTorchSharpNative("libLibTorchSharp.so");
        ElfVersionPatch.MakeVersionNeedWeak(lib, Version).ShouldBe(ElfPatchResult.Patched);
        byte[] once = File.ReadAllBytes(lib);
        DateTime written = File.GetLastWriteTimeUtc(lib);

        ElfVersionPatch.MakeVersionNeedWeak(lib, Version).ShouldBe(ElfPatchResult.AlreadyWeak);

        File.ReadAllBytes(lib).ShouldBe(once);
        File.GetLastWriteTimeUtc(lib).ShouldBe(written);
    }

    [Fact]
    public void A_library_without_the_entry_reports_NoSuchVersion_and_is_untouched()
    {
        var candidates = new[]
        {
            Path.Combine(NuGetPackagesFolder(), "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native", "libc10.so"),
            "/usr/lib/x86_64-linux-gnu/libz.so.1",
        }.Where(File.Exists).ToList();
        candidates.ShouldNotBeEmpty("neither libc10.so (NuGet) nor /usr/lib/x86_64-linux-gnu/libz.so.1 exists");

        foreach (string original in candidates)
        {
            string lib = Path.Combine(_dir, Path.GetFileName(original));
            File.Copy(original, lib); // follows the libz.so.1 symlink
            byte[] before = File.ReadAllBytes(lib);
            ReadElfVersionNeeds(lib).ShouldNotBeEmpty($"{lib} should need some versions, or the test proves little");

            ElfVersionPatch.MakeVersionNeedWeak(lib, Version).ShouldBe(ElfPatchResult.NoSuchVersion, lib);

            File.ReadAllBytes(lib).ShouldBe(before);
        }
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_rejected_with_its_name()
    {
        string path = Path.Combine(_dir, "notes.so");
        File.WriteAllText(path, new string('x', 200));

        var e = Should.Throw<InvalidDataException>(() => ElfVersionPatch.MakeVersionNeedWeak(path, Version));

        e.Message.ShouldContain(path);
        e.Message.ShouldContain("not an ELF file");
        File.ReadAllText(path).ShouldBe(new string('x', 200));
    }

    [TorchSharpNativeFact]
    public void A_truncated_ELF_is_rejected_with_its_name_and_left_alone()
    {
        string path = Path.Combine(_dir, "truncated.so");
        byte[] head = File.ReadAllBytes(TorchSharpNative("libLibTorchSharp.so")).Take(100).ToArray();
        File.WriteAllBytes(path, head);

        var e = Should.Throw<InvalidDataException>(() => ElfVersionPatch.MakeVersionNeedWeak(path, Version));

        e.Message.ShouldContain(path);
        File.ReadAllBytes(path).ShouldBe(head);
    }

    [TorchSharpNativeFact]
    public void Patching_a_hard_link_leaves_the_original_unchanged()
    {
        string original = CopyOfTorchSharpNative("libLibTorchSharp.so");
        byte[] originalBytes = File.ReadAllBytes(original);
        string link = Path.Combine(_dir, "link.so");
        Run("ln", original, link).ExitCode.ShouldBe(0);
        LinkCount(original).ShouldBe(2); // the two names share one inode, as MSBuild's hard-linked copies do

        ElfVersionPatch.MakeVersionNeedWeak(link, Version).ShouldBe(ElfPatchResult.Patched);

        File.ReadAllBytes(original).ShouldBe(originalBytes);
        ReadElfFlags(original, Version).ShouldBe("none");
        ReadElfFlags(link, Version).ShouldBe("WEAK");
        LinkCount(original).ShouldBe(1);
    }

    [Fact]
    public void LibraryMentionsVersion_finds_only_the_whole_NUL_terminated_name()
    {
        Mentions("\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0GLIBCXX_3.4.33\0").ShouldBeTrue();
        Mentions("GLIBCXX_3.4.32\0rest").ShouldBeTrue();                     // at the very start
        Mentions("\0GLIBCXX_3.4.30\0GLIBCXX_3.4.31\0").ShouldBeFalse();
        Mentions("\0GLIBCXX_3.4.321\0").ShouldBeFalse();                     // a longer name
        Mentions("\0XGLIBCXX_3.4.32\0").ShouldBeFalse();                     // the tail of another name
        Mentions("\0GLIBCXX_3.4.32").ShouldBeFalse();                        // not terminated
        Mentions("").ShouldBeFalse();
    }

    [Fact]
    public void The_test_output_loads_TorchSharp()
    {
        // Fails with "Failed to load native component" on Debian 12 unless the build step patched the output copy.
        using Tensor sum = torch.ones(2).sum();
        sum.ToSingle().ShouldBe(2f);
    }

    [TorchSharpNativeFact]
    public void Where_the_system_lacks_the_version_the_output_copy_is_patched_and_the_NuGet_cache_is_not()
    {
        string[] systemLibs = { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" };
        string? systemLib = systemLibs.FirstOrDefault(File.Exists);
        string[] outputCopies = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        outputCopies.ShouldNotBeEmpty($"no libLibTorchSharp.so under {AppContext.BaseDirectory}");
        bool systemHasIt = systemLib != null && ElfVersionPatch.LibraryMentionsVersion(systemLib, Version);

        foreach (string copy in outputCopies)
            IsWeak(copy).ShouldBe(!systemHasIt, $"{copy} (system libstdc++: {systemLib ?? "none"}, has {Version}: {systemHasIt})");
        IsWeak(TorchSharpNative("libLibTorchSharp.so")).ShouldBeFalse("the NuGet cache copy must never be patched");
    }

    private static bool IsWeak(string lib)
    {
        byte[] image = File.ReadAllBytes(lib);
        int offset = ElfVersionPatch.FindVersionNeedFlagsOffset(image, Version, lib);
        offset.ShouldBeGreaterThan(0, lib);
        return (U16(image, offset) & ElfVersionPatch.VerFlagWeak) != 0;
    }

    private bool Mentions(string content)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".bin");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(content));
        return ElfVersionPatch.LibraryMentionsVersion(path, Version);
    }

    private string CopyOfTorchSharpNative(string file)
    {
        string copy = Path.Combine(_dir, file);
        File.Copy(TorchSharpNative(file), copy);
        return copy;
    }

    internal static string NuGetPackagesFolder()
    {
        string? configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return !string.IsNullOrEmpty(configured)
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    internal static string TorchSharpNative(string file) =>
        Path.Combine(NuGetPackagesFolder(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", file);

    private static ushort U16(byte[] b, int offset) => (ushort)(b[offset] | b[offset + 1] << 8);

    /// <summary>The "Flags:" value readelf -V prints for the version-needed entry <paramref name="name"/>.</summary>
    private static string ReadElfFlags(string lib, string name)
    {
        string line = ReadElfVersionNeeds(lib).SingleOrDefault(l => l.Contains($"Name: {name} "))
            ?? throw new ShouldAssertException($"readelf -V lists no version-needed entry {name} in {lib}");
        int at = line.IndexOf("Flags: ", StringComparison.Ordinal);
        at.ShouldBeGreaterThan(0, line);
        return line[(at + "Flags: ".Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }

    /// <summary>The "Name: … Flags: … Version: …" lines of readelf -V (the .gnu.version_r entries).</summary>
    private static List<string> ReadElfVersionNeeds(string lib)
    {
        var (exitCode, output, error) = Run("readelf", "-V", "--wide", lib);
        exitCode.ShouldBe(0, $"readelf -V {lib} failed: {error}");
        return output.Split('\n').Where(l => l.Contains("Name: ") && l.Contains("Flags: ")).Select(l => l.Trim()).ToList();
    }

    private static int LinkCount(string path)
    {
        var (exitCode, output, error) = Run("stat", "-c", "%h", path);
        exitCode.ShouldBe(0, error);
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (int ExitCode, string Output, string Error) Run(string program, params string[] args) =>
        ChildProcess.Run(program, args, new Dictionary<string, string?> { ["LC_ALL"] = "C" }); // readelf's labels in English
}

/// <summary>A fact that needs TorchSharp's libLibTorchSharp.so in the NuGet cache; skipped, saying where it looked, when it is not there.</summary>
public sealed class TorchSharpNativeFactAttribute : FactAttribute
{
    public TorchSharpNativeFactAttribute()
    {
        string path = ElfVersionPatchTests.TorchSharpNative("libLibTorchSharp.so");
        if (!File.Exists(path))
            Skip = $"TorchSharp's native library is not in the NuGet cache ({path}); restore TorchSharp 0.107.0 for linux-x64 to run this test.";
    }
}
