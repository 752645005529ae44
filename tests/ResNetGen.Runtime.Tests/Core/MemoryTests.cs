using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using Xunit;
using Xunit.Abstractions;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Core;

/// <summary>Runs alone: other tests in the same process would move the resident set size.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public class MemoryTestsCollection;

[Collection(nameof(MemoryTests))]
public class MemoryTests(ITestOutputHelper output)
{
    /// <summary>Resident set size of this process, from /proc (what the OS charges us, native + managed).</summary>
    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    [Fact]
    public void Two_thousand_training_steps_after_warmup_keep_resident_memory_flat()
    {
        torch.manual_seed(0);
        using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: 8);
        using var optimizer = torch.optim.SGD(model.parameters(), lr: 0.01, momentum: 0.9, weight_decay: 5e-4);
        var (images, labels) = SyntheticQuadrants.Batch(8, seed: 1);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var loss = F.cross_entropy(model.forward(images), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step(); // the fused native step
        }

        // Warm-up lets libtorch's and glibc's allocators reach their steady state; measured standalone
        // they level off within ~1,000 steps and stay flat to 8,000.
        const int warmup = 1000, total = 3000;
        for (var i = 0; i < warmup; i++) Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var afterWarmup = ResidentBytes();
        for (var i = warmup; i < total; i++) Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var atEnd = ResidentBytes();

        var growth = (double)(atEnd - afterWarmup) / afterWarmup;
        output.WriteLine($"RSS after warm-up {afterWarmup / 1e6:F1} MB, after {total} steps {atEnd / 1e6:F1} MB, growth {growth:P2}");
        Assert.True(growth < 0.05, $"resident memory grew {growth:P2} ({afterWarmup / 1e6:F1} -> {atEnd / 1e6:F1} MB)");
        images.Dispose();
        labels.Dispose();
    }

    [Fact]
    public void Without_dispose_the_leak_is_visible_so_the_memory_check_can_fail()
    {
        // The same measurement must notice a real leak: keep tensors alive. The shim lets glibc keep up
        // to 1 GiB of freed heap (malloc_tuning.cpp), which a leak can fill before RSS moves, so the
        // hoard (1.5 GiB) is larger than anything retained: RSS must grow by at least 0.5 GiB.
        var hoard = new List<Tensor>();
        var before = ResidentBytes();
        for (var i = 0; i < 1536; i++) hoard.Add(torch.ones([512, 512])); // 1,536 × 1 MiB
        var after = ResidentBytes();
        Assert.True(after - before > 512L << 20, $"expected > 512 MiB growth, saw {(after - before) / 1e6:F1} MB");
        foreach (var t in hoard) t.Dispose();
    }
}
