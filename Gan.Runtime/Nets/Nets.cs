using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Gan.Runtime.Nets;

public enum Activation { Identity, ReLU, LeakyReLU, Tanh, Sigmoid }

/// <summary>How <see cref="Nets.InitVarianceScaling"/> scales a layer's weights to its fans: He et al. 2015 (std √(2/fan_in),
/// for ReLU layers), Glorot &amp; Bengio 2010 (√(2/(fan_in + fan_out))), LeCun (√(1/fan_in)).</summary>
public enum VarianceScale { He, Glorot, LeCun }

/// <summary>The standard catalog of networks. Any method returning a <c>Module&lt;Tensor, Tensor&gt;</c> works as well.</summary>
public static class Nets
{
    /// <summary>The layer with spectral normalization (Miyato et al. 2018): its weight divided by its largest singular value,
    /// estimated by power iteration (see <see cref="Nets.SpectralNorm"/>'s class). For Linear, Conv1d, Conv2d and ConvTranspose2d.</summary>
    public static Module<Tensor, Tensor> SpectralNorm(Module<Tensor, Tensor> layer, int iterations = 1) => new SpectralNorm(layer, iterations);

    /// <summary>A multilayer perceptron over the given sizes (input, hidden..., output), ReLU between layers, no output activation.</summary>
    public static Module<Tensor, Tensor> Mlp(params int[] sizes) => Mlp(sizes, Activation.ReLU, Activation.Identity);

    /// <summary>A multilayer perceptron with the given hidden and output activations, and dropout with probability
    /// <paramref name="dropout"/> (inverted: kept units are scaled by 1/(1 − p) in training, none in evaluation) after every
    /// hidden layer's activation; 0 adds no dropout layer.</summary>
    public static Module<Tensor, Tensor> Mlp(int[] sizes, Activation hidden, Activation output = Activation.Identity, double dropout = 0)
    {
        if (sizes is null || sizes.Length < 2) throw new ArgumentException("Mlp needs at least an input and an output size.", nameof(sizes));
        foreach (int size in sizes)
            if (size <= 0) throw new ArgumentException($"Mlp sizes must be positive (got {string.Join(", ", sizes)}).", nameof(sizes));
        CheckDropout(dropout, "Mlp");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(($"linear{i}", Linear(sizes[i], sizes[i + 1])));
            Activation act = i + 2 < sizes.Length ? hidden : output;
            Module<Tensor, Tensor>? module = Make(act);
            if (module != null) layers.Add(($"{act.ToString().ToLowerInvariant()}{i}", module));
            if (dropout > 0 && i + 2 < sizes.Length) layers.Add(($"dropout{i}", Dropout(dropout)));
        }
        return Sequential(layers);
    }

    private static void CheckDropout(double dropout, string network)
    {
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{network}'s dropout is the probability of dropping a unit, in [0, 1).");
    }

    /// <summary>The generator of Goodfellow et al. 2014 for images: an MLP from the noise through ReLU hidden layers
    /// (the paper: 1200, 1200) to the image, with the given output activation (the paper: sigmoid, pixels in [0, 1]),
    /// reshaped to <paramref name="outputShape"/> (e.g. 1, 28, 28).</summary>
    public static Module<Tensor, Tensor> MlpGenerator(int noise, int[] hidden, long[] outputShape, Activation output = Activation.Sigmoid, double dropout = 0)
    {
        if (outputShape is null || outputShape.Length == 0) throw new ArgumentException("MlpGenerator needs an output shape such as { 1, 28, 28 }.", nameof(outputShape));
        int size = checked((int)Product(outputShape));
        var sizes = new List<int> { noise };
        sizes.AddRange(hidden);
        sizes.Add(size);
        return Sequential(("mlp", Mlp(sizes.ToArray(), Activation.ReLU, output, dropout)), ("reshape", new Reshape(outputShape)));
    }

    /// <summary>An MLP encoder (Makhzani et al. 2015: 784 → 1000 → 1000 → code, ReLU): flattens the input of
    /// <paramref name="inputShape"/>, then ReLU hidden layers, then a linear code layer.</summary>
    public static Module<Tensor, Tensor> MlpEncoder(long[] inputShape, int[] hidden, int code)
    {
        var sizes = new List<int> { checked((int)Product(inputShape)) };
        sizes.AddRange(hidden);
        sizes.Add(code);
        return Sequential(("flatten", Flatten()), ("mlp", Mlp(sizes.ToArray(), Activation.ReLU, Activation.Identity)));
    }

    /// <summary>A Gaussian encoder q(z | x) = N(μ(x), diag σ²(x)) sampled by the reparameterization trick (Kingma &amp; Welling
    /// 2014; Makhzani et al. 2015, §2.1): an MLP trunk of ReLU layers (each followed by dropout <paramref name="dropout"/> when
    /// it is above 0) over the flattened input, two linear heads μ(x) and log σ²(x), and z = μ(x) + exp(½ log σ²(x)) · ε.
    /// The noise ε is an input, not drawn inside: the network takes the row [x flattened, ε] (<paramref name="code"/> values of
    /// ε last), so a formula names it, <c>Enc(x, ε)</c> with <c>[Noise("ε", Distribution.Normal, code)]</c>, and the seed and the
    /// checkpoint govern it like any other noise.</summary>
    public static Module<Tensor, Tensor> GaussianMlpEncoder(long[] inputShape, int[] hidden, int code, double dropout = 0)
    {
        if (inputShape is null || inputShape.Length == 0) throw new ArgumentException("GaussianMlpEncoder needs an input shape such as { 1, 28, 28 }.", nameof(inputShape));
        if (hidden is null || hidden.Length == 0) throw new ArgumentException("GaussianMlpEncoder needs at least one hidden layer.", nameof(hidden));
        if (code <= 0) throw new ArgumentOutOfRangeException(nameof(code), code, "GaussianMlpEncoder's code size must be positive.");
        CheckDropout(dropout, "GaussianMlpEncoder");
        int inputs = checked((int)Product(inputShape));
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int previous = inputs;
        for (int i = 0; i < hidden.Length; i++)
        {
            if (hidden[i] <= 0) throw new ArgumentException($"GaussianMlpEncoder's hidden sizes must be positive (got {string.Join(", ", hidden)}).", nameof(hidden));
            layers.Add(($"linear{i}", Linear(previous, hidden[i])));
            layers.Add(($"relu{i}", ReLU()));
            if (dropout > 0) layers.Add(($"dropout{i}", Dropout(dropout)));
            previous = hidden[i];
        }
        return new GaussianEncoder(inputs, Sequential(layers), Linear(previous, code), Linear(previous, code));
    }

    /// <summary>The maxout discriminator of Goodfellow et al. 2014 (MNIST: two maxout layers of 240 units with 5 pieces,
    /// dropout with keep probability 0.8 on the input and 0.5 on the hidden layers), returning one logit per example.
    /// Any input shape: it is flattened.</summary>
    public static Module<Tensor, Tensor> MaxoutDiscriminator(long[] inputShape, int units = 240, int pieces = 5, int layers = 2,
                                                             double inputDropout = 0.2, double hiddenDropout = 0.5)
    {
        if (units <= 0 || pieces <= 0 || layers <= 0) throw new ArgumentException($"MaxoutDiscriminator needs positive units, pieces and layers (got {units}, {pieces}, {layers}).");
        long inputs = Product(inputShape);
        var modules = new List<(string, Module<Tensor, Tensor>)> { ("flatten", Flatten()) };
        if (inputDropout > 0) modules.Add(("dropout_in", Dropout(inputDropout)));
        for (int i = 0; i < layers; i++)
        {
            modules.Add(($"maxout{i}", new Maxout(i == 0 ? inputs : units, units, pieces)));
            if (hiddenDropout > 0) modules.Add(($"dropout{i}", Dropout(hiddenDropout)));
        }
        modules.Add(("logit", Linear(units, 1)));
        return Sequential(modules);
    }

    /// <summary>The DCGAN discriminator's layers without batch norm (a critic for gradient penalties, which are per example,
    /// and for spectral normalization, Miyato et al. 2018): two stride-2 4×4 convolutions with leaky ReLU, then a linear output.</summary>
    public static Module<Tensor, Tensor> DcganCritic(int channels = 1, int width = 64)
    {
        if (channels <= 0 || width <= 0) throw new ArgumentException($"DcganCritic needs positive sizes (got channels {channels}, width {width}).");
        return Sequential(
            ("conv1", Conv2d(channels, width, 4, stride: 2, padding: 1)),
            ("lrelu1", LeakyReLU(0.2)),
            ("conv2", Conv2d(width, 2L * width, 4, stride: 2, padding: 1)),
            ("lrelu2", LeakyReLU(0.2)),
            ("flatten", Flatten()),
            ("out", Linear(2L * width * 7 * 7, 1)));
    }

    /// <summary>PacGAN's generator for the 2-D mixtures (Lin et al. 2018, fjxmlzn/PacGAN): the noise through
    /// <paramref name="layers"/> hidden layers of <paramref name="hidden"/> units, each a linear map without bias, batch norm and
    /// ReLU, then a linear output with bias; weights N(0, 0.02²), biases 0.</summary>
    public static Module<Tensor, Tensor> PacGanGenerator(int noise = 2, int hidden = 400, int layers = 4, int outputs = 2)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < layers; i++)
        {
            modules.Add(($"linear{i}", Linear(i == 0 ? noise : hidden, hidden, hasBias: false)));
            modules.Add(($"bn{i}", BatchNorm1d(hidden)));
            modules.Add(($"relu{i}", ReLU()));
        }
        modules.Add(("out", Linear(hidden, outputs)));
        return InitNormal(Sequential(modules), 0.02);
    }

    /// <summary>PacGAN's discriminator for the 2-D mixtures: <paramref name="layers"/> maxout layers of <paramref name="units"/>
    /// units with <paramref name="pieces"/> pieces, then a linear logit; weights N(0, 0.02²), biases 0. With packing m its input
    /// has m·2 features.</summary>
    public static Module<Tensor, Tensor> PacGanDiscriminator(int inputs = 2, int units = 200, int pieces = 5, int layers = 3)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < layers; i++) modules.Add(($"maxout{i}", new Maxout(i == 0 ? inputs : units, units, pieces)));
        modules.Add(("logit", Linear(units, 1)));
        return InitNormal(Sequential(modules), 0.02);
    }

    /// <summary>Every Linear and convolution weight of <paramref name="network"/> drawn from N(0, std²) and every bias set to 0
    /// (DCGAN's and PacGAN's initialization); batch-norm scales and shifts are left as they are, or with
    /// <paramref name="batchNormScales"/> the scales drawn from N(1, std²) and the shifts set to 0 (DCGAN's PyTorch reference,
    /// InfoGAN's code). Returns the network.</summary>
    public static Module<Tensor, Tensor> InitNormal(Module<Tensor, Tensor> network, double std, bool batchNormScales = false)
    {
        using var noGrad = no_grad();
        foreach (var module in network.modules())
        {
            if (batchNormScales && module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d)
            {
                foreach (var (name, p) in module.named_parameters(recurse: false))
                    if (name == "weight") init.normal_(p, 1, std);
                    else if (name == "bias") init.zeros_(p);
                continue;
            }
            if (WeightLayer(module) is not var (weight, bias)) continue;
            init.normal_(weight, 0, std);
            if (bias is not null) init.zeros_(bias);
        }
        return network;
    }

    /// <summary>Every Linear and convolution weight of <paramref name="network"/> (Maxout's pieces included) drawn uniformly from
    /// [−range, range] and every bias set to 0: pylearn2's <c>irange</c>, which Goodfellow et al. 2014 use (G ±0.05, D ±0.005).
    /// Batch-norm scales and shifts are left as they are. Returns the network.</summary>
    public static Module<Tensor, Tensor> InitUniform(Module<Tensor, Tensor> network, double range)
    {
        if (!(range > 0) || double.IsInfinity(range)) throw new ArgumentException($"InitUniform needs a positive range (got {range}).", nameof(range));
        using var noGrad = no_grad();
        foreach (var (weight, bias) in WeightLayers(network))
        {
            init.uniform_(weight, -range, range);
            if (bias is not null) init.zeros_(bias);
        }
        return network;
    }

    /// <summary>Every Linear and convolution weight of <paramref name="network"/> drawn uniformly with the standard deviation
    /// that <paramref name="hidden"/> gives for the layer's fans (<see cref="VarianceScale"/>; U(−√3 s, √3 s) has std s),
    /// every bias set to 0; the last such layer in module order uses <paramref name="output"/> when given. Fans follow
    /// PyTorch's convention: a weight of shape (a, b, k...) has fan-in b·k and fan-out a·k (for a transposed convolution
    /// the two are swapped, as in PyTorch's own initializers). Gulrajani et al. 2017's toy networks are
    /// <c>InitVarianceScaling(net, VarianceScale.He, VarianceScale.Glorot)</c>: tflib's 'he' in the hidden ReLU layers, its
    /// default (Glorot) at the output. Batch-norm scales and shifts are left as they are. Returns the network.</summary>
    public static Module<Tensor, Tensor> InitVarianceScaling(Module<Tensor, Tensor> network, VarianceScale hidden, VarianceScale? output = null)
    {
        List<(Tensor Weight, Tensor? Bias)> layers = WeightLayers(network);
        if (layers.Count == 0) throw new ArgumentException("InitVarianceScaling found no Linear or convolution layer in the network.", nameof(network));
        using var noGrad = no_grad();
        for (int i = 0; i < layers.Count; i++)
        {
            var (weight, bias) = layers[i];
            VarianceScale scale = i == layers.Count - 1 && output is { } last ? last : hidden;
            double std = VarianceScaleStd(weight.shape, scale);
            init.uniform_(weight, -Math.Sqrt(3) * std, Math.Sqrt(3) * std);
            if (bias is not null) init.zeros_(bias);
        }
        return network;
    }

    /// <summary>The weight and bias of a Linear or convolution layer (Maxout's pieces are Linear layers); null for any other module.</summary>
    private static (Tensor Weight, Tensor? Bias)? WeightLayer(nn.Module module) => module switch
    {
        TorchSharp.Modules.Linear linear => (linear.weight!, linear.bias),
        TorchSharp.Modules.Convolution conv => (conv.weight!, conv.bias),
        _ => null,
    };

    /// <summary>Every Linear and convolution layer's weight and bias, in module order (the order the initializers draw in).</summary>
    private static List<(Tensor Weight, Tensor? Bias)> WeightLayers(nn.Module network)
    {
        var layers = new List<(Tensor Weight, Tensor? Bias)>();
        foreach (var module in network.modules())
            if (WeightLayer(module) is { } layer) layers.Add(layer);
        return layers;
    }

    /// <summary>The standard deviation <see cref="InitVarianceScaling"/> draws a weight of <paramref name="shape"/> with.</summary>
    public static double VarianceScaleStd(long[] shape, VarianceScale scale)
    {
        if (shape is null || shape.Length < 2) throw new ArgumentException("A weight needs at least two dimensions to have fans.", nameof(shape));
        long receptive = 1;
        for (int d = 2; d < shape.Length; d++) receptive *= shape[d];
        double fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
        return scale switch
        {
            VarianceScale.He => Math.Sqrt(2.0 / fanIn),
            VarianceScale.Glorot => Math.Sqrt(2.0 / (fanIn + fanOut)),
            VarianceScale.LeCun => Math.Sqrt(1.0 / fanIn),
            _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "Unknown variance scale."),
        };
    }

    /// <summary>Sets the bias of <paramref name="network"/>'s output Linear layer (the last with one output per value of
    /// <paramref name="mean"/>) so that, before the output activation, it is
    /// the inverse of that activation at the data's mean: the network starts at the mean example when its hidden
    /// contributions are small (Goodfellow et al. 2014, pylearn2's <c>init_sigmoid_bias_from_marginals</c>). For data in
    /// [0, 1] (a sigmoid output) the bias is logit(mean), for [−1, 1] (tanh) atanh(mean), the mean clamped 1e-7 inside the
    /// range; <paramref name="mean"/> is the mean in the data's own range, of the layer's output size in any shape.</summary>
    public static void OutputBiasFromMean(Module<Tensor, Tensor> network, Tensor mean, Gan.Dsl.DataRange range, string name = "the network")
    {
        // The output layer: the last Linear with as many outputs as the data has values. "Last" alone is not enough: the order
        // of modules() follows the module tree (a Towers network lists its joint's layers before their sublayers).
        var linears = network.modules().OfType<TorchSharp.Modules.Linear>().ToList();
        if (linears.Count == 0)
            throw new ArgumentException($"OutputBiasFromData: {name} has no Linear layer whose bias could start at the data's mean.");
        TorchSharp.Modules.Linear? last = linears.LastOrDefault(l => l.weight!.shape[0] == mean.numel());
        if (last is null)
            throw new ArgumentException($"OutputBiasFromData: no Linear layer of {name} has {mean.numel()} outputs, one per value of the data's mean ({string.Join("x", mean.shape)}); " +
                                        $"its Linear layers have {string.Join(", ", linears.Select(l => l.weight!.shape[0]).Distinct())}.");
        if (last.bias is null)
            throw new ArgumentException($"OutputBiasFromData: the output Linear layer of {name} ({mean.numel()} outputs) has no bias.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor m = mean.to(float32).reshape(-1).to(last.bias.device);
        Tensor b = range switch
        {
            Gan.Dsl.DataRange.ZeroToOne => m.clamp(1e-7, 1 - 1e-7).logit(),
            Gan.Dsl.DataRange.MinusOneToOne => m.clamp(-1 + 1e-7, 1 - 1e-7).atanh(),
            _ => throw new ArgumentException($"OutputBiasFromData needs data in [0, 1] or [−1, 1] (an output activation to invert), not {range}."),
        };
        last.bias.copy_(b);
    }

    /// <summary>DCGAN generator (Radford et al. 2016) for 28×28 images: a linear layer to 2·width×7×7, then two
    /// stride-2 transposed convolutions (4×4) to 14×14 and 28×28, batch norm and ReLU between, and the output
    /// activation (DCGAN: tanh, pixels in [-1, 1]).</summary>
    public static Module<Tensor, Tensor> DcganGenerator(int noise, int channels = 1, int width = 64, Activation output = Activation.Tanh)
    {
        if (noise <= 0 || channels <= 0 || width <= 0) throw new ArgumentException($"DcganGenerator needs positive sizes (got noise {noise}, channels {channels}, width {width}).");
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("project", Linear(noise, 2L * width * 7 * 7, hasBias: false)),
            ("bn0", BatchNorm1d(2L * width * 7 * 7)),
            ("relu0", ReLU()),
            ("reshape", new Reshape(new long[] { 2L * width, 7, 7 })),
            ("deconv1", ConvTranspose2d(2L * width, width, 4, stride: 2, padding: 1, bias: false)),
            ("bn1", BatchNorm2d(width)),
            ("relu1", ReLU()),
            ("deconv2", ConvTranspose2d(width, channels, 4, stride: 2, padding: 1)),
        };
        Module<Tensor, Tensor>? act = Make(output);
        if (act != null) modules.Add(("out", act));
        return Sequential(modules);
    }

    /// <summary>DCGAN discriminator for 28×28 images: two stride-2 4×4 convolutions (width, 2·width channels) with
    /// leaky ReLU (0.2), batch norm on the second, and a linear layer to one logit.</summary>
    public static Module<Tensor, Tensor> DcganDiscriminator(int channels = 1, int width = 64)
    {
        if (channels <= 0 || width <= 0) throw new ArgumentException($"DcganDiscriminator needs positive sizes (got channels {channels}, width {width}).");
        return Sequential(DcganLayers(channels, width, ("logit", Linear(2L * width * 7 * 7, 1))));
    }

    /// <summary>The layers of DCGAN's discriminator for 28×28 images (two stride-2 4×4 convolutions, leaky ReLU 0.2, batch
    /// norm on the second, flatten to 2·width·7·7 features), then <paramref name="head"/> if given. One list, so the
    /// discriminator, the trunk and the encoder keep the same layer names and initialization order.</summary>
    private static List<(string, Module<Tensor, Tensor>)> DcganLayers(int channels, int width, (string, Module<Tensor, Tensor>)? head)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv1", Conv2d(channels, width, 4, stride: 2, padding: 1)),
            ("lrelu1", LeakyReLU(0.2)),
            ("conv2", Conv2d(width, 2L * width, 4, stride: 2, padding: 1, bias: false)),
            ("bn2", BatchNorm2d(2L * width)),
            ("lrelu2", LeakyReLU(0.2)),
            ("flatten", Flatten()),
        };
        if (head is { } h) layers.Add(h);
        return layers;
    }

    /// <summary>The convolutional trunk of <see cref="DcganDiscriminator"/> without its last layer: [m, C, 28, 28] →
    /// [m, 2·width·7·7] features, for heads that share it (InfoGAN's D and Q).</summary>
    public static Module<Tensor, Tensor> DcganTrunk(int channels = 1, int width = 64)
    {
        if (channels <= 0 || width <= 0) throw new ArgumentException($"DcganTrunk needs positive sizes (got channels {channels}, width {width}).");
        return Sequential(DcganLayers(channels, width, null));
    }

    /// <summary>The generator of InfoGAN for MNIST (Chen et al. 2016, Appendix C.1, Table 1): FC 1024, batch norm, ReLU;
    /// FC 7×7×128, batch norm, ReLU; 4×4 stride-2 transposed convolution to 64 channels, batch norm, ReLU; 4×4 stride-2
    /// transposed convolution to <paramref name="channels"/>; then the output activation (tanh: pixels in [-1, 1]).</summary>
    public static Module<Tensor, Tensor> InfoGanGenerator(int noise, int channels = 1, Activation output = Activation.Tanh)
    {
        if (noise <= 0 || channels <= 0) throw new ArgumentException($"InfoGanGenerator needs positive sizes (got noise {noise}, channels {channels}).");
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("fc1", Linear(noise, 1024, hasBias: false)),
            ("bn1", BatchNorm1d(1024)),
            ("relu1", ReLU()),
            ("fc2", Linear(1024, 128L * 7 * 7, hasBias: false)),
            ("bn2", BatchNorm1d(128L * 7 * 7)),
            ("relu2", ReLU()),
            ("reshape", new Reshape(new long[] { 128, 7, 7 })),
            ("deconv3", ConvTranspose2d(128, 64, 4, stride: 2, padding: 1, bias: false)),
            ("bn3", BatchNorm2d(64)),
            ("relu3", ReLU()),
            ("deconv4", ConvTranspose2d(64, channels, 4, stride: 2, padding: 1)),
        };
        Module<Tensor, Tensor>? act = Make(output);
        if (act != null) modules.Add(("out", act));
        return Sequential(modules);
    }

    /// <summary>The trunk InfoGAN's discriminator and recognition network share (Chen et al. 2016, Appendix C.1, Table 1):
    /// 4×4 stride-2 convolution to 64 channels, leaky ReLU (0.1); 4×4 stride-2 convolution to 128, batch norm, leaky ReLU;
    /// FC 1024, batch norm, leaky ReLU: [m, C, 28, 28] → [m, 1024] features. D's head is a linear layer to one logit, Q's
    /// <see cref="InfoGanHead"/>. <paramref name="leak"/>: the leaky ReLUs' slope (the paper's 0.1; the authors' code 0.01).</summary>
    public static Module<Tensor, Tensor> InfoGanTrunk(int channels = 1, double leak = 0.1)
    {
        if (channels <= 0) throw new ArgumentException($"InfoGanTrunk needs a positive number of channels (got {channels}).");
        CheckLeak(leak, nameof(InfoGanTrunk));
        return Sequential(
            ("conv1", Conv2d(channels, 64, 4, stride: 2, padding: 1)),
            ("lrelu1", LeakyReLU(leak)),
            ("conv2", Conv2d(64, 128, 4, stride: 2, padding: 1, bias: false)),
            ("bn2", BatchNorm2d(128)),
            ("lrelu2", LeakyReLU(leak)),
            ("flatten", Flatten()),
            ("fc3", Linear(128L * 7 * 7, 1024, hasBias: false)),
            ("bn3", BatchNorm1d(1024)),
            ("lrelu3", LeakyReLU(leak)));
    }

    /// <summary>InfoGAN's recognition head on <see cref="InfoGanTrunk"/>'s 1024 features (Chen et al. 2016, Table 1): FC 128,
    /// batch norm, leaky ReLU (<paramref name="leak"/>), FC to <paramref name="outputs"/> values (class scores, or a Gaussian's mean).</summary>
    public static Module<Tensor, Tensor> InfoGanHead(int outputs, int features = 1024, double leak = 0.1)
    {
        if (outputs <= 0 || features <= 0) throw new ArgumentException($"InfoGanHead needs positive sizes (got outputs {outputs}, features {features}).");
        CheckLeak(leak, nameof(InfoGanHead));
        return Sequential(InfoGanHeadHidden(features, leak).Append(("fc2", Linear(128, outputs))));
    }

    /// <summary>The hidden layer of InfoGAN's recognition head alone — FC 128, batch norm, leaky ReLU: [m, features] → [m, 128] —
    /// for a model whose codes share it, as the authors' code does (one head, one output layer for the categorical and the
    /// continuous codes together): declare it as a network of its own and put a linear layer per code on it.</summary>
    public static Module<Tensor, Tensor> InfoGanSharedHead(int features = 1024, double leak = 0.1)
    {
        if (features <= 0) throw new ArgumentException($"InfoGanSharedHead needs a positive number of features (got {features}).");
        CheckLeak(leak, nameof(InfoGanSharedHead));
        return Sequential(InfoGanHeadHidden(features, leak));
    }

    /// <summary>The recognition head's hidden layer, by the names both heads give it (their weights load into either).</summary>
    private static List<(string, Module<Tensor, Tensor>)> InfoGanHeadHidden(int features, double leak) => new()
    {
        ("fc1", Linear(features, 128, hasBias: false)),
        ("bn1", BatchNorm1d(128)),
        ("lrelu1", LeakyReLU(leak)),
    };

    private static void CheckLeak(double leak, string network)
    {
        if (!(leak >= 0 && leak < 1)) throw new ArgumentException($"{network} needs a leaky ReLU slope in [0, 1) (got {leak}).");
    }

    /// <summary>The feature extractor of Ganin &amp; Lempitsky 2015 for MNIST → MNIST-M (their Fig. 4, after the LeNet
    /// design): 5×5 convolution to 32 channels, ReLU, 2×2 max-pool, 5×5 convolution to 48 channels, ReLU, 2×2 max-pool,
    /// flattened: [m, C, 28, 28] → [m, 48·4·4 = 768] with valid convolutions, or [m, 48·7·7 = 2352] with
    /// <paramref name="samePadding"/> (2 pixels of zeros on each side, TensorFlow's SAME, as the authors' code and the
    /// public reimplementations run it). No batch norm, so its statistics do not depend on the domain.</summary>
    public static Module<Tensor, Tensor> LeNetTrunk(int channels = 3, bool samePadding = false)
    {
        if (channels <= 0) throw new ArgumentException($"LeNetTrunk needs a positive number of channels (got {channels}).");
        long padding = samePadding ? 2 : 0;
        return Sequential(
            ("conv1", Conv2d(channels, 32, 5, padding: padding)),
            ("relu1", ReLU()),
            ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(32, 48, 5, padding: padding)),
            ("relu2", ReLU()),
            ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()));
    }

    /// <summary>A convolutional encoder for 28×28 images with DCGAN's discriminator layers (two stride-2 4×4 convolutions,
    /// leaky ReLU, batch norm on the second) and a linear layer to <paramref name="outputs"/> values: the encoders E_z and
    /// E_y of an invertible conditional GAN (Perarnau et al. 2016).</summary>
    public static Module<Tensor, Tensor> DcganEncoder(int outputs, int channels = 1, int width = 64)
    {
        if (outputs <= 0 || channels <= 0 || width <= 0) throw new ArgumentException($"DcganEncoder needs positive sizes (got outputs {outputs}, channels {channels}, width {width}).");
        return Sequential(DcganLayers(channels, width, ("out", Linear(2L * width * 7 * 7, outputs))));
    }

    /// <summary>Towers joined: the input row is split into consecutive parts of <paramref name="sizes"/> (the row a conditional
    /// network receives is its inputs concatenated in the declared order, see <c>Inputs.Concat</c>: G(z | y) gets [z, one-hot
    /// y], D(x | y) the flattened image and the one-hot label), each part runs through its own tower, and the towers' outputs,
    /// concatenated, through <paramref name="joint"/> (Mirza &amp; Osindero 2014's networks: one tower for the noise or image,
    /// one for the label).</summary>
    public static Module<Tensor, Tensor> Towers(long[] sizes, Module<Tensor, Tensor>[] towers, Module<Tensor, Tensor> joint) => new Towers(sizes, towers, joint);

    /// <summary>The conditional generator of Mirza &amp; Osindero 2014 (MNIST): z → ReLU <paramref name="noiseUnits"/> (200) and
    /// the one-hot label → ReLU <paramref name="labelUnits"/> (1000), joined → ReLU <paramref name="hidden"/> (1200) → the
    /// output activation (sigmoid: pixels in [0, 1]), with dropout after every hidden layer (the paper: 0.5 in G and D).</summary>
    public static Module<Tensor, Tensor> ConditionalMlpGenerator(int noise, int classes, long[] outputShape, int noiseUnits = 200, int labelUnits = 1000,
                                                                 int hidden = 1200, double dropout = 0.5, Activation output = Activation.Sigmoid)
    {
        if (noise <= 0 || classes <= 0 || noiseUnits <= 0 || labelUnits <= 0 || hidden <= 0)
            throw new ArgumentException($"ConditionalMlpGenerator needs positive sizes (got noise {noise}, classes {classes}, units {noiseUnits}, {labelUnits}, {hidden}).");
        Module<Tensor, Tensor> Layer(long inputs, long units) => dropout > 0
            ? Sequential(("linear", Linear(inputs, units)), ("relu", ReLU()), ("dropout", Dropout(dropout)))
            : Sequential(("linear", Linear(inputs, units)), ("relu", ReLU()));
        var joint = new List<(string, Module<Tensor, Tensor>)> { ("hidden", Layer(noiseUnits + labelUnits, hidden)), ("out", Linear(hidden, Product(outputShape))) };
        if (Make(output) is { } activation) joint.Add(("activation", activation));
        joint.Add(("reshape", new Reshape(outputShape)));
        return Towers(new long[] { noise, classes }, new[] { Layer(noise, noiseUnits), Layer(classes, labelUnits) }, Sequential(joint));
    }

    /// <summary>The conditional discriminator of Mirza &amp; Osindero 2014 (MNIST): the image → maxout <paramref name="imageUnits"/>
    /// × <paramref name="imagePieces"/> (240 × 5) and the one-hot label → maxout <paramref name="labelUnits"/> ×
    /// <paramref name="labelPieces"/> (50 × 5), joined → maxout <paramref name="jointUnits"/> × <paramref name="jointPieces"/>
    /// (240 × 4) → one logit, with dropout after every maxout layer and <paramref name="inputDropout"/> on the image (0.2, keep
    /// 0.8, as Goodfellow et al.'s maxout discriminator; the paper says only "dropout 0.5 in G and D"). Its input is the row
    /// D(x | y) receives: the flattened image, then the label.</summary>
    public static Module<Tensor, Tensor> ConditionalMaxoutDiscriminator(long[] imageShape, int classes, int imageUnits = 240, int imagePieces = 5,
                                                                        int labelUnits = 50, int labelPieces = 5, int jointUnits = 240, int jointPieces = 4,
                                                                        double dropout = 0.5, double inputDropout = 0.2)
    {
        if (classes <= 0 || imageUnits <= 0 || imagePieces <= 0 || labelUnits <= 0 || labelPieces <= 0 || jointUnits <= 0 || jointPieces <= 0)
            throw new ArgumentException("ConditionalMaxoutDiscriminator needs positive classes, units and pieces.");
        Module<Tensor, Tensor> Layer(long inputs, long units, long pieces) => dropout > 0
            ? Sequential(("maxout", new Maxout(inputs, units, pieces)), ("dropout", Dropout(dropout)))
            : Sequential(("maxout", new Maxout(inputs, units, pieces)));
        long pixels = Product(imageShape);
        Module<Tensor, Tensor> image = inputDropout > 0 ? Sequential(("dropout_in", Dropout(inputDropout)), ("layer", Layer(pixels, imageUnits, imagePieces))) : Layer(pixels, imageUnits, imagePieces);
        return Towers(new long[] { pixels, classes },
                      new[] { image, Layer(classes, labelUnits, labelPieces) },
                      Sequential(("joint", Layer(imageUnits + labelUnits, jointUnits, jointPieces)), ("logit", Linear(jointUnits, 1))));
    }

    /// <summary>A DCGAN discriminator conditioned on a class: its input is the row <c>D(x | y)</c> receives (the flattened
    /// image followed by the one-hot label, see <c>Inputs.Concat</c>); the label is broadcast to <paramref name="classes"/>
    /// constant planes stacked on the image's channels (the usual conditional DCGAN), then <see cref="DcganDiscriminator"/>.</summary>
    public static Module<Tensor, Tensor> ConditionalDcganDiscriminator(int classes, int channels = 1, int width = 64)
    {
        if (classes <= 0) throw new ArgumentException($"ConditionalDcganDiscriminator needs a positive number of classes (got {classes}).");
        return Sequential(("planes", new LabelPlanes(new long[] { channels, 28, 28 }, classes)), ("dcgan", DcganDiscriminator(channels + classes, width)));
    }

    internal static long Product(long[] shape)
    {
        if (shape is null || shape.Length == 0) throw new ArgumentException("A shape needs at least one size.");
        long size = 1;
        foreach (long d in shape)
        {
            if (d <= 0) throw new ArgumentException($"Shape sizes must be positive (got {string.Join("x", shape)}).");
            size *= d;
        }
        return size;
    }

    private static Module<Tensor, Tensor>? Make(Activation activation) => activation switch
    {
        Activation.Identity => null,
        Activation.ReLU => ReLU(),
        Activation.LeakyReLU => LeakyReLU(0.2),
        Activation.Tanh => Tanh(),
        Activation.Sigmoid => Sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}

/// <summary>Splits a row [m, C·H·W + classes] into the image [m, C, H, W] and its one-hot label, and stacks the label as
/// <c>classes</c> constant planes on the image's channels: [m, C + classes, H, W].</summary>
public sealed class LabelPlanes : Module<Tensor, Tensor>
{
    private readonly long[] _image;
    private readonly long _pixels, _classes;

    public LabelPlanes(long[] imageShape, long classes) : base("LabelPlanes")
    {
        if (imageShape.Length != 3) throw new ArgumentException($"LabelPlanes needs an image shape C, H, W (got {string.Join("x", imageShape)}).");
        _image = imageShape;
        _pixels = Nets.Product(imageShape);
        _classes = classes;
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 2 || input.shape[1] != _pixels + _classes)
            throw new ArgumentException($"LabelPlanes expects rows of {_pixels} pixels and {_classes} label values, [m, {_pixels + _classes}], but got [{string.Join(", ", input.shape)}].");
        long m = input.shape[0];
        Tensor x = input.narrow(1, 0, _pixels).view(m, _image[0], _image[1], _image[2]);
        Tensor y = input.narrow(1, _pixels, _classes).view(m, _classes, 1, 1).expand(m, _classes, _image[1], _image[2]);
        return cat(new[] { x, y }, 1);
    }
}

/// <summary>See <see cref="Nets.Towers"/>: the input row split into parts, a tower per part, the outputs joined.</summary>
public sealed class Towers : Module<Tensor, Tensor>
{
    private readonly long[] _sizes;
    private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> towers;
    private readonly Module<Tensor, Tensor> joint;

    public Towers(long[] sizes, Module<Tensor, Tensor>[] towers, Module<Tensor, Tensor> joint) : base("Towers")
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(towers);
        if (sizes.Length == 0 || sizes.Length != towers.Length)
            throw new ArgumentException($"Towers needs one tower per part of the input (got {sizes.Length} sizes and {towers.Length} towers).");
        foreach (long size in sizes)
            if (size <= 0) throw new ArgumentException($"Towers needs positive part sizes (got {string.Join(", ", sizes)}).");
        _sizes = sizes;
        this.towers = ModuleList(towers);
        this.joint = joint ?? throw new ArgumentNullException(nameof(joint));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor row = input.flatten(1);
        if (row.shape[1] != _sizes.Sum())
            throw new ArgumentException($"Towers expects rows of {_sizes.Sum()} values ({string.Join(" + ", _sizes)}), but got [{string.Join(", ", input.shape)}].");
        Tensor[] parts = row.split(_sizes, 1);
        return joint.forward(cat(parts.Select((part, i) => towers[i].forward(part)).ToArray(), 1));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            towers.Dispose();
            joint.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>z = μ(x) + exp(½ log σ²(x)) · ε from the row [x flattened, ε]: see <see cref="Nets.GaussianMlpEncoder"/>.</summary>
public sealed class GaussianEncoder : Module<Tensor, Tensor>
{
    private readonly long _inputs;
    private readonly Module<Tensor, Tensor> trunk;
    private readonly Module<Tensor, Tensor> mean;
    private readonly Module<Tensor, Tensor> logvar;

    public GaussianEncoder(long inputs, Module<Tensor, Tensor> trunk, Module<Tensor, Tensor> mean, Module<Tensor, Tensor> logvar) : base("GaussianEncoder")
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "GaussianEncoder's input size must be positive.");
        _inputs = inputs;
        this.trunk = trunk ?? throw new ArgumentNullException(nameof(trunk));
        this.mean = mean ?? throw new ArgumentNullException(nameof(mean));
        this.logvar = logvar ?? throw new ArgumentNullException(nameof(logvar));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor row = input.flatten(1);
        if (row.shape[1] <= _inputs)
            throw new ArgumentException($"GaussianEncoder expects rows of {_inputs} input values followed by the noise ε (one value per code unit), but got [{string.Join(", ", input.shape)}]: write Enc(x, ε).");
        Tensor[] parts = row.split(new[] { _inputs, row.shape[1] - _inputs }, 1);
        Tensor h = trunk.forward(parts[0]);
        Tensor mu = mean.forward(h);
        if (mu.shape[1] != parts[1].shape[1])
            throw new ArgumentException($"GaussianEncoder's code has {mu.shape[1]} units but the noise ε after the input has {parts[1].shape[1]} values.");
        return mu + (0.5 * logvar.forward(h)).exp() * parts[1];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            trunk.Dispose();
            mean.Dispose();
            logvar.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Reshapes [m, ...] to [m, ...shape].</summary>
public sealed class Reshape : Module<Tensor, Tensor>
{
    private readonly long[] _shape;

    public Reshape(long[] shape) : base("Reshape")
    {
        _shape = new long[shape.Length + 1];
        _shape[0] = -1;
        Array.Copy(shape, 0, _shape, 1, shape.Length);
    }

    public override Tensor forward(Tensor input) => input.reshape(_shape);
}

/// <summary>A maxout layer (Goodfellow et al. 2013): <c>units</c> outputs, each the maximum of <c>pieces</c> linear functions.</summary>
public sealed class Maxout : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear linear;
    private readonly long _units, _pieces;

    public Maxout(long inputs, long units, long pieces) : base("Maxout")
    {
        _units = units;
        _pieces = pieces;
        linear = Linear(inputs, units * pieces);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => linear.forward(input).view(-1, _units, _pieces).amax(new long[] { -1 });

    protected override void Dispose(bool disposing)
    {
        if (disposing) linear.Dispose();
        base.Dispose(disposing);
    }
}
