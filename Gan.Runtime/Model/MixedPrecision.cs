using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>The numeric precision a training step runs in.</summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Fp32,
    /// <summary>Mixed precision: libtorch's autocast runs matrix products and convolutions in bfloat16; the weights,
    /// their gradients and the optimizers' state stay float32.</summary>
    Bf16,
    /// <summary>float32 weights and math, with CUDA's TF32 tensor-core matrix products and convolutions
    /// (<c>torch.backends.cuda.matmul.allow_tf32</c>, <c>torch.backends.cudnn.allow_tf32</c>): 10-bit mantissas in the products,
    /// float32 accumulation. Only on CUDA; on a CPU <c>tf32</c> resolves to <see cref="Fp32"/>.</summary>
    Tf32,
}

/// <summary>
/// Mixed precision as PyTorch's <c>torch.autocast</c> does it, through libtorch's own autocast (TorchSharp 0.107 has no
/// binding: dotnet/TorchSharp PR #1235 is open). While a scope from <see cref="Autocast"/> is open on a thread, the ops
/// libtorch lists for lower precision (<c>linear</c>, <c>matmul</c>, <c>mm</c>, <c>addmm</c>, the convolutions and
/// transposed convolutions) cast their float32 inputs to bfloat16 and return bfloat16; a float32 weight is cast once per
/// scope (libtorch's autocast cache). Everything else runs in the type of its inputs, and autograd carries each cast
/// backward, so gradients reach the float32 weights in float32 and the optimizers update float32 master weights.
/// </summary>
/// <remarks>
/// The generated code keeps losses in float32 without knowing about this: it reads every network's output through
/// <see cref="Outputs.Float32"/>, a no-op on float32 tensors. So <c>log</c>, <c>exp</c>, softmax, the losses and their reductions see
/// float32, whatever libtorch's CPU autocast lists say (they put only some losses in float32). Batch norm's statistics
/// are accumulated in float32 by libtorch's mixed-type CPU kernel and stored in the float32 running buffers.
/// </remarks>
public static class MixedPrecision
{
    private const byte Cpu = 0, Cuda = 1;            // c10::DeviceType
    private const byte BFloat16 = 15;                 // c10::ScalarType::BFloat16

    private static readonly object Gate = new();
    private static bool s_resolved, s_available;
    private static SetEnabledFn? s_setEnabled;
    private static IsEnabledFn? s_isEnabled;
    private static SetDtypeFn? s_setDtype;
    private static GetDtypeFn? s_getDtype;
    private static Action? s_increment, s_clearCache;
    private static Func<int>? s_decrement;

    /// <summary>Why autocast is not available here, or null when it is.</summary>
    public static string? Unavailable { get; private set; }

    /// <summary>Parses <c>fp32</c>, <c>bf16</c> or <c>auto</c> (bf16 where <see cref="Bf16IsFast"/> says so, else fp32) for
    /// <paramref name="device"/>.</summary>
    public static Precision Resolve(string? name, Device device)
    {
        string text = (name ?? "fp32").Trim().ToLowerInvariant();
        return text switch
        {
            "fp32" or "float32" => Precision.Fp32,
            "bf16" or "bfloat16" => Available ? Precision.Bf16 : throw new InvalidOperationException($"--precision bf16: libtorch's autocast is not reachable here ({Unavailable})."),
            "auto" => Available && Bf16IsFast(device) ? Precision.Bf16 : Precision.Fp32,
            "tf32" => device.type == DeviceType.CUDA ? Precision.Tf32 : Precision.Fp32,
            _ => throw new ArgumentException($"Unknown precision '{name}': use fp32, bf16, tf32 or auto."),
        };
    }

    /// <summary>The name a precision goes by in options, logs, metrics and checkpoints: <c>fp32</c>, <c>bf16</c> or <c>tf32</c>.</summary>
    public static string Name(Precision precision) => precision switch { Precision.Bf16 => "bf16", Precision.Tf32 => "tf32", _ => "fp32" };

    /// <summary>Whether bfloat16 matrix products are fast on <paramref name="device"/>: a CUDA device of compute capability 8
    /// or more (not readable through TorchSharp 0.107, so: any CUDA device), or a CPU with AVX-512 BF16 or AMX
    /// (<c>avx512_bf16</c> or <c>amx_bf16</c> in /proc/cpuinfo); without them libtorch emulates bfloat16, slower than float32.</summary>
    public static bool Bf16IsFast(Device device)
    {
        if (device.type == DeviceType.CUDA) return true;
        try
        {
            string flags = System.IO.File.ReadAllText("/proc/cpuinfo");
            return flags.Contains(" avx512_bf16", StringComparison.Ordinal) || flags.Contains(" amx_bf16", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether libtorch's autocast switches were found.</summary>
    public static bool Available
    {
        get
        {
            lock (Gate) return Resolve();
        }
    }

    /// <summary>Whether autocast is on for <paramref name="device"/>'s type on this thread.</summary>
    public static bool IsEnabled(Device device)
    {
        lock (Gate) return Resolve() && s_isEnabled!(Kind(device)) != 0;
    }

    /// <summary>Opens a mixed-precision scope on this thread for <paramref name="device"/> (nothing for
    /// <see cref="Precision.Fp32"/>); disposing it restores what was set before and, at the outermost scope, empties
    /// autocast's cache of cast weights (they change at each optimizer step).</summary>
    public static IDisposable Autocast(Device device, Precision precision)
    {
        if (precision == Precision.Fp32) return NoScope.Instance;
        if (precision == Precision.Tf32) return new Tf32Scope();
        lock (Gate)
        {
            if (!Resolve()) throw new InvalidOperationException($"Mixed precision: libtorch's autocast is not reachable here ({Unavailable}).");
            byte kind = Kind(device);
            bool wasEnabled = s_isEnabled!(kind) != 0;
            byte previousType = s_getDtype!(kind);
            s_setDtype!(kind, BFloat16);
            s_setEnabled!(kind, 1);
            s_increment!();
            return new Scope(kind, wasEnabled, previousType);
        }
    }

    private static byte Kind(Device device) => device.type == DeviceType.CUDA ? Cuda : Cpu;

    private sealed class Scope(byte kind, bool wasEnabled, byte previousType) : IDisposable
    {
        private bool _disposed;
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (Gate)
            {
                if (s_decrement!() == 0) s_clearCache!();
                s_setEnabled!(kind, wasEnabled ? (byte)1 : (byte)0);
                s_setDtype!(kind, previousType);
            }
        }
    }

    /// <summary>TF32 on for cuBLAS and cuDNN while open; what was set before is restored on disposal.</summary>
    private sealed class Tf32Scope : IDisposable
    {
        private readonly bool _matmul, _cudnn;
        private bool _disposed;

        public Tf32Scope()
        {
            lock (Gate)
            {
                _matmul = torch.backends.cuda.matmul.allow_tf32;
                _cudnn = torch.backends.cudnn.allow_tf32;
                torch.backends.cuda.matmul.allow_tf32 = true;
                torch.backends.cudnn.allow_tf32 = true;
            }
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (Gate)
            {
                torch.backends.cuda.matmul.allow_tf32 = _matmul;
                torch.backends.cudnn.allow_tf32 = _cudnn;
            }
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    private static bool Resolve()
    {
        if (s_resolved) return s_available;
        s_resolved = true;
        string? why = null;
        IntPtr Export(string name) => why is null ? LibTorchCpu.Export(name, out why) : IntPtr.Zero;   // stops at the first missing one
        IntPtr setEnabled = Export("_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb"),
               isEnabled = Export("_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE"),
               setDtype = Export("_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE"),
               getDtype = Export("_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE"),
               increment = Export("_ZN2at8autocast17increment_nestingEv"),
               decrement = Export("_ZN2at8autocast17decrement_nestingEv"),
               clearCache = Export("_ZN2at8autocast11clear_cacheEv");
        if (why is not null)
        {
            Unavailable = why;
            return false;
        }
        s_setEnabled = Marshal.GetDelegateForFunctionPointer<SetEnabledFn>(setEnabled);
        s_isEnabled = Marshal.GetDelegateForFunctionPointer<IsEnabledFn>(isEnabled);
        s_setDtype = Marshal.GetDelegateForFunctionPointer<SetDtypeFn>(setDtype);
        s_getDtype = Marshal.GetDelegateForFunctionPointer<GetDtypeFn>(getDtype);
        s_increment = Marshal.GetDelegateForFunctionPointer<VoidFn>(increment).Invoke;
        s_decrement = Marshal.GetDelegateForFunctionPointer<IntFn>(decrement).Invoke;
        s_clearCache = Marshal.GetDelegateForFunctionPointer<VoidFn>(clearCache).Invoke;
        s_available = true;
        return true;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetEnabledFn(byte deviceType, byte enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate byte IsEnabledFn(byte deviceType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetDtypeFn(byte deviceType, byte scalarType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate byte GetDtypeFn(byte deviceType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void VoidFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int IntFn();
}
