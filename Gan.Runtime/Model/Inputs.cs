using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>How generated code feeds several inputs to one network, as in <c>D(x | y)</c>.</summary>
public static class Inputs
{
    /// <summary>Concatenates along dimension 1. Inputs of one rank are joined as they are (vectors by features, images by
    /// channels); inputs of different ranks are flattened to [m, -1] first, so an image and its one-hot label become one
    /// row [m, C·H·W + classes] that the network splits as it needs.</summary>
    public static Tensor Concat(params Tensor[] inputs)
    {
        long rank = inputs[0].dim();
        if (inputs.All(t => t.dim() == rank)) return cat(inputs, 1);
        return cat(inputs.Select(t => t.flatten(1)).ToArray(), 1);
    }
}
