using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>
/// Which kernels libtorch runs float32 convolutions with on the CPU: oneDNN's (mkldnn, fast) or its own (im2col and
/// a matrix product), and a check that the ones in use compute a model's convolutions right.
/// </summary>
/// <remarks>
/// <para>
/// On the 2-core AMD EPYC machines this project is built and tested on (AVX-512, 2026-12), the oneDNN 3.7.1 inside
/// libtorch 2.10 computes the input gradient of a convolution wrongly when the layer's output channels do not fill
/// whole vectors (16→4, 8→8 and 3×3 same-padding layers like them): values off by 20–100 % and NaNs, different from
/// run to run, with <c>DNNL_MAX_CPU_ISA=AVX2</c> too. The forward pass and the weight gradient are right, and so are
/// the DCGAN layers (64 and 128 channels, a one-channel 7×7 head). A network with such a layer trains on garbage with
/// no error anywhere. libtorch's own kernels are right but about 3× slower on a DCGAN step
/// (<c>bench -- cpuconv</c>, <c>docs/bench-cpuconv.md</c>).
/// </para>
/// <para>
/// So before training on the CPU, <see cref="Check"/> runs each distinct convolution of the networks (its channels,
/// kernel, stride, padding, dilation, groups) forward and backward in float32 and float64 (which never goes through
/// oneDNN) and, when any differs, turns oneDNN off for the process (libtorch's
/// <c>at::Context::setUserEnabledMkldnn(false)</c>, what <c>torch.backends.mkldnn.enabled = False</c> sets in
/// PyTorch; TorchSharp 0.107 does not expose it, so it is called by its exported name). Matrix products (MKL) and
/// CUDA (cuDNN) are not affected. NNPACK, libtorch's next choice, is turned off with it (see <c>Resolve</c>).
/// <c>GANDSL_CPU_CONV</c> = <c>auto</c> (the default), <c>native</c> (never oneDNN)
/// or <c>onednn</c> (no check) overrides it.
/// </para>
/// </remarks>
public static class CpuConvolutions
{
    /// <summary>The environment variable that chooses the kernels: <c>auto</c> (the default), <c>native</c> or <c>onednn</c>.</summary>
    public const string EnvironmentVariable = "GANDSL_CPU_CONV";

    /// <summary>Largest relative difference from float64 that a float32 convolution may show.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Largest relative difference from float64 that a convolution run in bfloat16 under autocast may show: its
    /// inputs and weights are rounded to 8 significant bits (2⁻⁹ ≈ 0.2 % each) and the products accumulated in float32,
    /// which gives well under 1 %; the wrong kernels this check exists for are off by 20–100 %.</summary>
    public const double Bf16Tolerance = 3e-2;

    private static readonly object Gate = new();
    private static bool s_applied;
    private static string s_mode = "auto";
    private static IntPtr s_context, s_set, s_get;
    private static readonly HashSet<string> s_checked = new();

    /// <summary>What <see cref="EnvironmentVariable"/> chose: <c>auto</c> (check, and turn oneDNN off where it is wrong),
    /// <c>native</c> (oneDNN off) or <c>onednn</c> (oneDNN on, no check).</summary>
    public static string Mode
    {
        get
        {
            Apply();
            lock (Gate) return s_mode;
        }
    }

    /// <summary>What the runtime did, in words (for logs and <c>metrics.json</c>).</summary>
    public static string Status { get; private set; } = "oneDNN (libtorch's default)";

#pragma warning disable CA2255 // a library's initializer on purpose: GANDSL_CPU_CONV must take effect before any user code runs a convolution
    [ModuleInitializer]
    internal static void OnLoad() => Apply();
#pragma warning restore CA2255

    /// <summary>Reads <see cref="EnvironmentVariable"/> once (later calls do nothing); <c>native</c> turns oneDNN off now. Never throws.</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (s_applied) return;
            s_applied = true;
            string choice = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() ?? "";
            s_mode = choice switch { "native" => "native", "onednn" or "mkldnn" => "onednn", _ => "auto" };
            try
            {
                if (s_mode == "native" && SetOneDnn(false)) Status = $"native ({EnvironmentVariable}=native)";
                else if (s_mode == "onednn") Status = $"oneDNN ({EnvironmentVariable}={choice}, not checked)";
                else if (choice is not ("" or "auto")) Status += $" ({EnvironmentVariable}={choice} is not auto, native or onednn: auto)";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
            {
                Status = $"unchanged ({e.GetType().Name}: {e.Message})";
            }
        }
    }

    /// <summary>
    /// Checks every convolution in <paramref name="networks"/> (those on the CPU; each distinct configuration once
    /// per process) against float64 and turns oneDNN off when one is wrong. Returns a line for the log when it turned
    /// oneDNN off, else null. Does nothing with <c>GANDSL_CPU_CONV=onednn</c> or once oneDNN is off.
    /// </summary>
    public static string? Check(IEnumerable<nn.Module> networks, Precision precision = Precision.Fp32)
    {
        ArgumentNullException.ThrowIfNull(networks);
        Apply();
        lock (Gate)
        {
            if (s_mode == "onednn" || OneDnnEnabled != true) return null;
            foreach (nn.Module network in networks)
            foreach (var (name, module) in network.named_modules())
            {
                if (module is not TorchSharp.Modules.Convolution conv || conv.weight is not { } weight || weight.device_type != DeviceType.CPU) continue;
                var layer = ConvolutionLayer.Of(conv);
                if (layer is null) continue;
                string kind = precision == Precision.Bf16 ? "bf16 " : "";   // oneDNN's bfloat16 kernels are other code
                if (!s_checked.Add(kind + layer.Value)) continue;
                double error = layer.Value.WorstError(precision);
                double tolerance = precision == Precision.Bf16 ? Bf16Tolerance : Tolerance;
                if (error <= tolerance) continue;
                SetOneDnn(false);
                string where = string.IsNullOrEmpty(name) ? network.GetName() : $"{network.GetName()}.{name}";
                Status = $"native (oneDNN failed the check on {kind}{layer.Value}: relative error {(double.IsPositiveInfinity(error) ? "NaN" : error.ToString("0.0e0", CultureInfo.InvariantCulture))})";
                return $"CPU convolutions: oneDNN computes {where} ({kind}{layer.Value}) wrongly on this CPU (relative error " +
                       $"{(double.IsPositiveInfinity(error) ? "NaN" : error.ToString("0.0e0", CultureInfo.InvariantCulture))} against float64); " +
                       $"using libtorch's own kernels, which are right and slower (set {EnvironmentVariable}=onednn to keep oneDNN anyway).";
            }
            return null;
        }
    }

    /// <summary>Whether libtorch would use oneDNN for a CPU convolution now; null where that cannot be read.</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            lock (Gate)
            {
                if (!Resolve()) return null;
                return Get(s_context);
            }
        }
    }

    /// <summary>Turns oneDNN convolutions on or off; false (and <see cref="Status"/> says why) where libtorch's switch is not found.</summary>
    public static bool SetOneDnn(bool enabled)
    {
        lock (Gate)
        {
            if (!Resolve()) return false;
            Set(s_context, enabled);
            Status = enabled ? "oneDNN" : "native";
            return true;
        }
    }

    /// <summary>The switch, <see cref="Status"/> and the layers checked so far: tests take it before they change the
    /// process-wide state and put it back with <see cref="Restore"/>.</summary>
    internal readonly record struct State(bool? OneDnn, string Status, string[] Checked);

    internal static State Save()
    {
        lock (Gate) return new State(OneDnnEnabled, Status, s_checked.ToArray());
    }

    internal static void Restore(State state)
    {
        lock (Gate)
        {
            if (state.OneDnn is bool enabled) SetOneDnn(enabled);
            Status = state.Status;
            s_checked.Clear();
            s_checked.UnionWith(state.Checked);
        }
    }

    /// <summary>Forgets which layers were checked, so that <see cref="Check"/> runs them again (tests).</summary>
    internal static void ForgetChecks()
    {
        lock (Gate) s_checked.Clear();
    }

    private static bool Resolve()
    {
        if (s_context != IntPtr.Zero) return true;
        IntPtr global = LibTorchCpu.Export("_ZN2at13globalContextEv", out string? why);
        if (global != IntPtr.Zero) s_set = LibTorchCpu.Export("_ZN2at7Context20setUserEnabledMkldnnEb", out why);
        if (s_set != IntPtr.Zero) s_get = LibTorchCpu.Export("_ZNK2at7Context17userEnabledMkldnnEv", out why);
        if (global == IntPtr.Zero || s_set == IntPtr.Zero || s_get == IntPtr.Zero)
        {
            Status = $"unchanged ({why})";
            return false;
        }
        s_context = Marshal.GetDelegateForFunctionPointer<GlobalContextFn>(global)();
        if (s_context == IntPtr.Zero) return false;
        // NNPACK is the next path libtorch asks about for a float32 convolution without oneDNN (and for any float64
        // one). Where its hardware check fails ("Unsupported hardware", as here) each such convolution prints that
        // warning, a dozen lines per training step; where it passes it is a path no test of ours covers. Off.
        IntPtr setNnpack = LibTorchCpu.Export("_ZN2at7Context20setUserEnabledNNPACKEb", out _);
        if (setNnpack != IntPtr.Zero) Marshal.GetDelegateForFunctionPointer<SetFn>(setNnpack)(s_context, 0);
        return true;
    }

    private static void Set(IntPtr context, bool enabled) =>
        Marshal.GetDelegateForFunctionPointer<SetFn>(s_set)(context, enabled ? (byte)1 : (byte)0);

    private static bool Get(IntPtr context) => Marshal.GetDelegateForFunctionPointer<GetFn>(s_get)(context) != 0;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFn(IntPtr context, byte enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte GetFn(IntPtr context);
}

/// <summary>One convolution's configuration, and how far its float32 CPU result is from float64.</summary>
internal readonly record struct ConvolutionLayer(long In, long Out, long[] Kernel, long[] Stride, long[] Padding, long[] Dilation, long Groups, bool Transposed, long[] OutputPadding)
{
    public static ConvolutionLayer? Of(TorchSharp.Modules.Convolution conv)
    {
        Tensor weight = conv.weight!;
        if (weight.dim() != 4 || weight.dtype != ScalarType.Float32) return null; // 2-D float32 layers only
        long groups = conv.groups;
        long inChannels = conv.in_channels, outChannels = conv.out_channels;
        long[] kernel = { weight.shape[2], weight.shape[3] };
        long[] padding = conv.padding is long[] p && p.Length == 2 ? p : new long[] { 0, 0 };
        return new ConvolutionLayer(inChannels, outChannels, kernel, Pair(conv.stride), padding, Pair(conv.dilation), groups, conv.transposed, Pair(conv.output_padding, 0));
    }

    private static long[] Pair(long[]? values, long fallback = 1) =>
        values is { Length: 2 } ? values : values is { Length: 1 } ? new[] { values[0], values[0] } : new[] { fallback, fallback };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Transposed ? "transposed " : "")}{In}→{Out}, {Kernel[0]}×{Kernel[1]}, stride {Stride[0]}×{Stride[1]}, padding {Padding[0]}×{Padding[1]}{(Dilation[0] * Dilation[1] != 1 ? $", dilation {Dilation[0]}×{Dilation[1]}" : "")}{(Groups != 1 ? $", {Groups} groups" : "")}");

    /// <summary>The worst relative difference from float64 of the output and both gradients, over two tries on one thread
    /// and two on the current count; +∞ for a NaN. With <see cref="Precision.Bf16"/> the float32 inputs go through
    /// autocast (the convolution runs in bfloat16, as in a mixed-precision step) and the float64 reference sees them unrounded.</summary>
    public double WorstError(Precision precision = Precision.Fp32)
    {
        int threads = torch.get_num_threads();
        double worst = 0;
        try
        {
            foreach (int t in new[] { 1, 1, threads, threads })
            {
                torch.set_num_threads(t);
                worst = Math.Max(worst, Error(seed: (ulong)(t * 7919 + (long)worst), precision));
                if (double.IsPositiveInfinity(worst)) break;
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        return worst;
    }

    private double Error(ulong seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(seed);
        long side = Math.Max(12, 2 * (Dilation[0] * (Kernel[0] - 1) + 1));
        long[] weightShape = Transposed ? new[] { In, Out / Groups, Kernel[0], Kernel[1] } : new[] { Out, In / Groups, Kernel[0], Kernel[1] };
        Tensor x = torch.randn(new long[] { 4, In, side, side }, generator: generator);
        Tensor w = torch.randn(weightShape, generator: generator) * (1.0 / Math.Sqrt(In * Kernel[0] * Kernel[1] / (double)Groups));
        Tensor g;
        using (torch.no_grad()) g = torch.randn(Forward(x, w).shape, generator: generator);
        var (y32, dx32, dw32) = ForwardBackward(x, w, g, precision);
        var (y64, dx64, dw64) = ForwardBackward(x.to(float64), w.to(float64), g.to(float64), Precision.Fp32);
        return new[] { Relative(y32, y64), Relative(dx32, dx64), Relative(dw32, dw64) }.Max();
    }

    private Tensor Forward(Tensor x, Tensor w) => Transposed
        ? nn.functional.conv_transpose2d(x, w, strides: Stride, padding: Padding, output_padding: OutputPadding, dilation: Dilation, groups: Groups)
        : nn.functional.conv2d(x, w, strides: Stride, padding: Padding, dilation: Dilation, groups: Groups);

    private (Tensor Y, Tensor Dx, Tensor Dw) ForwardBackward(Tensor x, Tensor w, Tensor g, Precision precision)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        Tensor y;
        using (MixedPrecision.Autocast(CPU, precision)) y = Forward(x, w);
        var grads = torch.autograd.grad(new[] { y }, new[] { x, w }, new[] { g.to(y.dtype) });
        return (y.detach(), grads[0], grads[1]);
    }

    private static double Relative(Tensor a, Tensor b)
    {
        double scale = b.abs().max().item<double>();
        double error = (a.to(float64) - b).abs().max().item<double>() / Math.Max(scale, 1e-30);
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }
}
