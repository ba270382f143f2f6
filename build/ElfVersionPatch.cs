#nullable enable
// The libstdc++ fix for TorchSharp 0.107 on older Linux distributions (see docs/libstdcxx-fix.md).
//
// libLibTorchSharp.so lists GLIBCXX_3.4.32 among the symbol versions it needs from libstdc++.so.6.
// The only symbol behind that version is the marker std::ios_base_library_init(), which has no
// relocation, so the library runs fine without it — but the dynamic loader refuses to load it on a
// system whose libstdc++ stops at GLIBCXX_3.4.30 (Debian 12). Setting VER_FLG_WEAK on that one
// "version needed" entry turns the hard failure into a non-event. Nothing else in the file changes.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/LibTorchSharpFix.targets)
// and by the test project (GANDSL_ELF_TESTS defined), which tests the logic without MSBuild.
using System;
using System.IO;
using System.Text;

namespace GanDsl.Build
{
    public enum ElfPatchResult
    {
        /// <summary>The flag was set; the file changed in exactly one 16-bit field.</summary>
        Patched,
        /// <summary>The entry exists and is already weak: nothing written.</summary>
        AlreadyWeak,
        /// <summary>The library does not need that version: nothing written.</summary>
        NoSuchVersion,
    }

    public static class ElfVersionPatch
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Sets VER_FLG_WEAK on the "version needed" entry named <paramref name="versionName"/>,
        /// writing through a temporary file and a rename (which also breaks any hard link to the NuGet cache).</summary>
        public static ElfPatchResult MakeVersionNeedWeak(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            ElfPatchResult result = MakeVersionNeedWeak(image, versionName, path);
            if (result == ElfPatchResult.Patched)
            {
                // Write a new file and swap it in: the output copy may be a hard link into the NuGet cache,
                // which must stay as it is.
                string temp = path + ".gandsl-patch.tmp";
                File.WriteAllBytes(temp, image);
                File.Delete(path);
                File.Move(temp, path);
            }
            return result;
        }

        /// <summary>The same, on an in-memory image. <paramref name="name"/> is used in error messages.</summary>
        public static ElfPatchResult MakeVersionNeedWeak(byte[] image, string versionName, string name = "<image>")
        {
            int flagsOffset = FindVersionNeedFlagsOffset(image, versionName, name);
            if (flagsOffset < 0) return ElfPatchResult.NoSuchVersion;
            ushort flags = ReadU16(image, flagsOffset);
            if ((flags & VerFlagWeak) != 0) return ElfPatchResult.AlreadyWeak;
            WriteU16(image, flagsOffset, (ushort)(flags | VerFlagWeak));
            return ElfPatchResult.Patched;
        }

        /// <summary>File offset of vna_flags of the entry, or -1 when the library has no such entry.</summary>
        public static int FindVersionNeedFlagsOffset(byte[] image, string versionName, string name = "<image>")
        {
            RequireElf64LittleEndian(image, name);
            long shoff = (long)ReadU64(image, 0x28);
            int shentsize = ReadU16(image, 0x3A);
            int shnum = ReadU16(image, 0x3C);
            if (shoff <= 0 || shnum == 0) return -1;
            if (shentsize < 64 || shoff + (long)shnum * shentsize > image.Length)
                throw new InvalidDataException($"{name}: section header table lies outside the file (truncated ELF?)");

            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (ReadU32(image, sh + 4) != ShtGnuVerneed) continue;
                int offset = checked((int)ReadU64(image, sh + 0x18));
                int count = (int)ReadU32(image, sh + 0x2C);      // sh_info: number of Verneed entries
                int strtabIndex = (int)ReadU32(image, sh + 0x28); // sh_link: the string table
                if (strtabIndex >= shnum) throw new InvalidDataException($"{name}: .gnu.version_r links to a missing string table");
                int strtab = checked((int)ReadU64(image, checked((int)(shoff + (long)strtabIndex * shentsize)) + 0x18));

                int need = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = ReadU16(image, need + 2);
                    int aux = need + (int)ReadU32(image, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        string auxName = ReadCString(image, strtab + (int)ReadU32(image, aux + 8), name);
                        if (auxName == versionName) return aux + 4; // Vernaux: vna_hash (4), vna_flags (2), vna_other (2), vna_name (4), vna_next (4)
                        uint nextAux = ReadU32(image, aux + 12);
                        if (nextAux == 0) break;
                        aux += (int)nextAux;
                    }
                    uint nextNeed = ReadU32(image, need + 12);
                    if (nextNeed == 0) break;
                    need += (int)nextNeed;
                }
            }
            return -1;
        }

        /// <summary>Whether a shared library (libstdc++.so.6, say) defines the symbol version: its name is in the file.</summary>
        public static bool LibraryMentionsVersion(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            for (int i = 0; i + needle.Length <= image.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && image[i + j] == needle[j]) j++;
                if (j == needle.Length && (i == 0 || image[i - 1] == 0)) return true;
            }
            return false;
        }

        private static void RequireElf64LittleEndian(byte[] image, string name)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException($"{name}: not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException($"{name}: only 64-bit little-endian ELF is supported");
        }

        private static string ReadCString(byte[] image, int offset, string name)
        {
            if (offset < 0 || offset >= image.Length) throw new InvalidDataException($"{name}: string offset {offset} outside the file");
            int end = offset;
            while (end < image.Length && image[end] != 0) end++;
            return Encoding.ASCII.GetString(image, offset, end - offset);
        }

        private static void Check(byte[] image, int offset, int size)
        {
            if (offset < 0 || offset + size > image.Length)
                throw new InvalidDataException($"ELF structure at offset {offset} runs past the end of the file (truncated?)");
        }
        private static ushort ReadU16(byte[] b, int o) { Check(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }
        private static uint ReadU32(byte[] b, int o) { Check(b, o, 4); return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24); }
        private static ulong ReadU64(byte[] b, int o) { Check(b, o, 8); return ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32; }
        private static void WriteU16(byte[] b, int o, ushort v) { Check(b, o, 2); b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    }

#if !GANDSL_ELF_TESTS
    /// <summary>MSBuild task: patch every libLibTorchSharp.so given, when the system libstdc++ lacks the version.</summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
        /// <summary>auto (patch only where needed), true (always), false (never).</summary>
        public string Mode { get; set; } = "auto";
        public string VersionName { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (Mode == "false") return true;
            if (Mode != "true")
            {
                if (Environment.OSVersion.Platform != PlatformID.Unix) return true;
                string[] candidates = { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" };
                string? systemLib = Array.Find(candidates, File.Exists);
                if (systemLib == null) { Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "GanDsl: no system libstdc++ found; libLibTorchSharp.so left as is."); return true; }
                if (ElfVersionPatch.LibraryMentionsVersion(systemLib, VersionName)) { Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"GanDsl: {systemLib} has {VersionName}; no patch needed."); return true; }
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                try
                {
                    ElfPatchResult result = ElfVersionPatch.MakeVersionNeedWeak(path, VersionName);
                    Log.LogMessage(result == ElfPatchResult.Patched ? Microsoft.Build.Framework.MessageImportance.High : Microsoft.Build.Framework.MessageImportance.Low,
                        $"GanDsl: {path}: {VersionName} {(result == ElfPatchResult.Patched ? "marked weak (system libstdc++ lacks it)" : result == ElfPatchResult.AlreadyWeak ? "already weak" : "not needed by this library")}.");
                }
                catch (Exception e)
                {
                    Log.LogError($"GanDsl: could not patch {path}: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
