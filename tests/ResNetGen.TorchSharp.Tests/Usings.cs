global using Xunit;
global using static TorchSharp.torch;
global using Tensor = TorchSharp.torch.Tensor;
