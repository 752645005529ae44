namespace ResNetGen.Generator;

/// <summary>
/// One dense attribute of a network, in source order: a dense block (<see cref="IsBlock"/>: layers,
/// growth rate, bottleneck width, dropout) or a transition (compression). <see cref="Index"/> is its
/// location (stage index) in the network's location table.
/// </summary>
internal sealed record DenseItemSpec(bool IsBlock, int Layers, int GrowthRate, int BottleneckWidth, double Dropout, double Compression, int Index);
