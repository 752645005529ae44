namespace ResNetGen.Generator;

/// <summary>[FeatureFusion]: 0 Filters = the last stage's output channels; null Bias = the network's ConvBias.</summary>
internal sealed record FusionSpec(int Filters, bool? Bias);

/// <summary>[Reconstruction]: 0 OutChannels = InChannels, 0 Filters = F·r² per step; null Bias = the network's ConvBias.</summary>
internal sealed record ReconstructionSpec(int Scale, int OutChannels, int Filters, bool LeadingConv, int Kernel, bool? Bias);

/// <summary>The image-output forms of a network (either part may be absent).</summary>
internal sealed record ImageSpec(FusionSpec? Fusion, ReconstructionSpec? Reconstruction);
