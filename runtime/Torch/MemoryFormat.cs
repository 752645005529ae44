namespace ResNetGen.Torch;

/// <summary>How a 4-d tensor lays out its elements in memory.</summary>
public enum MemoryFormat
{
    Contiguous = 0,
    ChannelsLast = 1,
    Preserve = 2,
}
