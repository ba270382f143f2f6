namespace Gan.Dsl.Generator
{
    /// <summary>Every type the emitted code refers to outside the BCL, fully qualified once: the contract between the
    /// generator and Gan.Runtime, Gan.Dsl and TorchSharp. A renamed runtime type is changed here, and only here.</summary>
    internal static class TypeNames
    {
        private const string Runtime = "global::Gan.Runtime.";
        public const string Torch = "global::TorchSharp.torch";

        // TorchSharp
        public const string Tensor = Torch + ".Tensor";
        public const string Device = Torch + ".Device";
        public const string Module = Torch + ".nn.Module";
        public const string Functional = Torch + ".nn.functional";
        public const string Optimizer = Torch + ".optim.Optimizer";
        public const string ModuleExtensions = "global::TorchSharp.ModuleExtensionMethods";

        // Gan.Dsl
        public const string DataRange = "global::Gan.Dsl.DataRange";

        // Gan.Runtime: the interfaces a model implements
        public const string IAdversarialModel = Runtime + nameof(IAdversarialModel);
        public const string IConditionalModel = Runtime + nameof(IConditionalModel);
        public const string IEncoderModel = Runtime + nameof(IEncoderModel);
        public const string IEditableModel = Runtime + nameof(IEditableModel);
        public const string IProgressAware = Runtime + nameof(IProgressAware);
        public const string IUpdateAware = Runtime + nameof(IUpdateAware);
        public const string IInferenceModel = Runtime + nameof(IInferenceModel);
        public const string IDomainModel = Runtime + nameof(IDomainModel);
        public const string IDataInitialized = Runtime + nameof(IDataInitialized);
        public const string Inference = Runtime + nameof(Inference);

        // Gan.Runtime: what the members and steps call
        public const string Batch = Runtime + nameof(Batch);
        public const string ModelRegistry = Runtime + nameof(ModelRegistry);
        public const string ModelDescriptor = Runtime + nameof(ModelDescriptor);
        public const string IBatchSource = Runtime + nameof(IBatchSource);
        public const string DataVariable = Runtime + nameof(DataVariable);
        public const string Devices = Runtime + nameof(Devices);
        public const string StepLosses = Runtime + nameof(StepLosses);
        public const string ModelChecks = Runtime + nameof(ModelChecks);
        public const string Inputs = Runtime + nameof(Inputs);
        public const string Packing = Runtime + nameof(Packing);
        public const string WeightClipping = Runtime + nameof(WeightClipping);
        public const string Simultaneous = Runtime + nameof(Simultaneous);
        public const string SpectralNorm = Runtime + "Nets." + nameof(SpectralNorm);
        public const string Optimizers = Runtime + "Training." + nameof(Optimizers);
        public const string Nets = Runtime + "Nets." + nameof(Nets);
        public const string IMomentum = Torch + ".optim.IMomentum";
        public const string Outputs = Runtime + nameof(Outputs);
        public const string Likelihood = Runtime + nameof(Likelihood);
        public const string GradientReversal = Runtime + nameof(GradientReversal);
        public const string Priors = Runtime + nameof(Priors);
    }
}
