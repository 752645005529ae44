namespace ResNetGen.Training;

/// <summary>
/// Where a <see cref="Trainer.Fit"/> run is: the epoch, the batch it started the epoch at and the
/// batch it is at, the epoch's sums so far over all ranks (from a checkpoint: carried by rank 0),
/// the epoch's training seconds before this process, the best test top-1 and the last checkpoint.
/// </summary>
internal sealed class RunPosition
{
    public int Epoch { get; set; } = 1;

    /// <summary>The batch this epoch started (or resumed) at.</summary>
    public int EpochStartBatch { get; set; }

    /// <summary>The batch about to run (the number of batches of the epoch done).</summary>
    public int Batch { get; set; }

    public EpochSums Sums { get; set; }

    public double TrainSeconds { get; set; }

    public double BestTestTop1 { get; set; } = double.NegativeInfinity;

    /// <summary>The last checkpoint rank 0 wrote, described for an error message ("path (end of epoch 3)"); null before the first.</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>After an epoch's evaluation: the next epoch starts at its first batch with empty sums.</summary>
    public void FinishEpoch()
    {
        EpochStartBatch = 0;
        Sums = default;
        TrainSeconds = 0;
    }
}
