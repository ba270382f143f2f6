using System;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Gan.Runtime;

/// <summary>libtorch's own C++ entry points that TorchSharp 0.107 does not bind (oneDNN's switch, autocast), looked up in
/// <c>libtorch_cpu.so</c> by their exported (mangled) names. Shared by <see cref="CpuConvolutions"/> and <see cref="MixedPrecision"/>.</summary>
internal static class LibTorchCpu
{
    /// <summary>The exported function, or <see cref="IntPtr.Zero"/> with <paramref name="why"/> saying what was missing:
    /// not Linux (only the Linux names are known), no <c>libtorch_cpu.so</c> beside TorchSharp, or no such export.</summary>
    public static IntPtr Export(string mangledName, out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux())
        {
            why = "libtorch's functions are looked up by their Linux names only";
            return IntPtr.Zero;
        }
        torch.InitializeDeviceType(DeviceType.CPU); // TorchSharp loads libtorch_cpu.so from its own folder
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out IntPtr library))
        {
            why = "libtorch_cpu.so not found";
            return IntPtr.Zero;
        }
        if (NativeLibrary.TryGetExport(library, mangledName, out IntPtr address)) return address;
        why = $"libtorch_cpu.so does not export {mangledName}";
        return IntPtr.Zero;
    }
}
