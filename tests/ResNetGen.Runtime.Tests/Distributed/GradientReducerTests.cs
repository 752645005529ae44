using System.Diagnostics;
using ResNetGen.Distributed;
using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using Xunit;

namespace ResNetGen.Runtime.Tests.Distributed;

/// <summary>
/// <see cref="GradientReducer"/>: the all-reduce overlapped with backward must give what
/// <see cref="ProcessGroup.AverageGradients"/> gives after it (2 gloo ranks running
/// tests/ResNetGen.DistWorker's `reducer` mode), and fail like it.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class GradientReducerTests
{
    private const int Steps = 3;

    [Theory]
    [InlineData("1024", "1")]      // many small buckets (the first one of the net's last layers), channels-last gradients
    [InlineData("26214400", "0")]  // the default: everything in the 1 MiB first bucket
    public void The_reducer_gives_the_same_gradients_as_AverageGradients_on_every_rank(string bucketBytes, string channelsLast)
    {
        var dir = Workers.TempDir();
        try
        {
            var run = Workers.Launch(2,
                ["reducer", "--out", dir, "--steps", $"{Steps}", "--bucket-bytes", bucketBytes, "--channels-last", channelsLast, "--timeout-s", "30"],
                TimeSpan.FromSeconds(120));
            Workers.Succeeded(run);
            using var scope = torch.NewDisposeScope();
            for (var step = 1; step <= Steps; step++)
            {
                var r0 = Safetensors.Load(Path.Combine(dir, $"rank0.step{step}.safetensors"));
                var r1 = Safetensors.Load(Path.Combine(dir, $"rank1.step{step}.safetensors"));
                var names = r1.Keys.Where(k => k.StartsWith("average.", StringComparison.Ordinal)).Select(k => k["average.".Length..]).ToList();
                Assert.Contains("shared", names);
                Assert.Contains("never", names);
                Assert.True(names.Count > 10, string.Join(", ", names));
                foreach (var name in names)
                {
                    var reduced = Values(r0["reducer." + name]);
                    // Bit-identical to AverageGradients on both ranks, and the same on both ranks.
                    Assert.True(reduced.SequenceEqual(Values(r0["average." + name])), $"step {step}, {name}: rank 0 reducer != AverageGradients");
                    Assert.True(reduced.SequenceEqual(Values(r1["average." + name])), $"step {step}, {name}: rank 0 reducer != rank 1 AverageGradients");
                    Assert.True(reduced.SequenceEqual(Values(r1["reducer." + name])), $"step {step}, {name}: the ranks differ");
                    // The mean of the ranks' own gradients (a rank without one counts zeros).
                    var local0 = r0.TryGetValue("local." + name, out var l0) ? Values(l0) : new double[reduced.Length];
                    var local1 = r1.TryGetValue("local." + name, out var l1) ? Values(l1) : new double[reduced.Length];
                    for (var i = 0; i < reduced.Length; i++)
                        Assert.True(Math.Abs(reduced[i] - (local0[i] + local1[i]) / 2) <= 1e-6, $"step {step}, {name}[{i}]: {reduced[i]} vs the ranks' mean");
                }
                // `shared` is used on rank 1 only: rank 0 had no gradient and gets half of rank 1's.
                Assert.False(r0.ContainsKey("local.shared"));
                Assert.Contains(Values(r1["local.shared"]), v => v != 0);
                // `never` is used by no rank: zeros everywhere, but a gradient all the same.
                Assert.False(r0.ContainsKey("local.never"));
                Assert.All(Values(r0["reducer.never"]), v => Assert.Equal(0.0, v));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void When_a_peer_dies_mid_backward_the_other_fails_at_once_with_a_clear_error()
    {
        var dir = Workers.TempDir();
        try
        {
            // Timeout 60 s, the launcher's grace 30 s: the survivor must notice the death itself, long before its timeout.
            var run = Workers.Launch(2,
                ["reducer", "--out", dir, "--steps", "5", "--bucket-bytes", "64", "--die-mid-backward", "2", "--die-rank", "1", "--timeout-s", "60"],
                TimeSpan.FromSeconds(120), grace: TimeSpan.FromSeconds(30));

            Assert.Equal(3, run.Result.ExitCode);
            Assert.Equal(1, run.Result.FailedRank);
            Assert.Contains("[rank 1] rank 1: dying mid-backward at step 2", run.Output);
            Assert.True(run.Result.ExitCodes[0] == 2, $"survivor exit code {run.Result.ExitCodes[0]}:\n{run.Output}");
            Assert.Contains("[rank 0] distributed error: all_reduce failed (gloo rank 0 of 2, timeout 60 s)", run.Output);
            Assert.DoesNotContain("rank 0: step 2 compared", run.Output);
            Assert.False(run.Result.TimedOut);
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(50), $"took {run.Elapsed}:\n{run.Output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void When_a_peer_hangs_mid_backward_the_other_times_out()
    {
        var dir = Workers.TempDir();
        try
        {
            var run = Workers.Launch(2,
                ["reducer", "--out", dir, "--steps", "5", "--bucket-bytes", "64", "--hang-mid-backward", "2", "--die-rank", "1", "--timeout-s", "5"],
                TimeSpan.FromSeconds(90));

            Assert.Equal(2, run.Result.ExitCode);
            Assert.Equal(0, run.Result.FailedRank);
            Assert.Contains("[rank 1] rank 1: hanging mid-backward at step 2", run.Output);
            const string timedOut = "[rank 0] distributed error: all_reduce failed (gloo rank 0 of 2, timeout 5 s): no answer from the other ranks within the timeout";
            Assert.True(run.Output.Contains(timedOut, StringComparison.Ordinal), $"expected '{timedOut}' in:\n{run.Output}");
            Assert.Null(run.Result.ExitCodes[1]); // killed by the launcher
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(60), $"took {run.Elapsed}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_Trainer_ends_bit_identical_with_and_without_overlap()
    {
        var dir = Workers.TempDir();
        try
        {
            string[] Fit(string d, params string[] extra) =>
                ["fit", "--out", d, "--epochs", "2", "--batch", "8", "--samples", "64", "--seed", "3",
                 "--weights-out", Path.Combine(d, "w{rank}.safetensors"), "--timeout-s", "30", .. extra];
            Workers.Succeeded(Workers.Launch(2, Fit(Path.Combine(dir, "overlap")), TimeSpan.FromSeconds(120)));
            Workers.Succeeded(Workers.Launch(2, Fit(Path.Combine(dir, "after"), "--overlap", "0"), TimeSpan.FromSeconds(120)));
            using var scope = torch.NewDisposeScope();
            var overlap = Safetensors.Load(Path.Combine(dir, "overlap", "w0.safetensors"));
            var overlap1 = Safetensors.Load(Path.Combine(dir, "overlap", "w1.safetensors"));
            var after = Safetensors.Load(Path.Combine(dir, "after", "w0.safetensors"));
            Assert.Equal(after.Keys.Order(), overlap.Keys.Order());
            foreach (var (key, value) in after)
            {
                Assert.True(Values(value).SequenceEqual(Values(overlap[key])), $"{key}: overlap on and off differ");
                Assert.True(Values(overlap1[key]).SequenceEqual(Values(overlap[key])), $"{key}: the ranks differ");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Misuse_is_an_InvalidOperationException_and_a_group_of_one_keeps_the_local_gradients()
    {
        using var group = ProcessGroup.Init("gloo", 0, 1, "127.0.0.1", LocalLauncher.FreePort(), TimeSpan.FromSeconds(20));
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var model = new Linear(3, 2);
        using var reducer = group.CreateGradientReducer(model, bucketBytes: 8);
        var x = torch.randn([4, 3]);

        model.zero_grad();
        model.forward(x).sum().backward();
        var expected = model.parameters().Select(p => Values(p.grad!)).ToList();

        model.zero_grad();
        reducer.Prepare();
        model.forward(x).sum().backward();
        reducer.Finish();
        Assert.Equal(expected, model.parameters().Select(p => Values(p.grad!)).ToList());

        var e = Assert.Throws<InvalidOperationException>(reducer.Finish);
        Assert.Contains("finish without prepare", e.Message);

        reducer.Prepare();
        model.forward(x).sum().backward();
        model.forward(x).sum().backward(); // a second backward before Finish: DDP refuses it too
        e = Assert.Throws<InvalidOperationException>(reducer.Finish);
        Assert.Contains("got a gradient twice in one backward pass", e.Message);

        // After a failed step the next one works.
        model.zero_grad();
        reducer.Prepare();
        model.forward(x).sum().backward();
        reducer.Finish();
        Assert.Equal(expected, model.parameters().Select(p => Values(p.grad!)).ToList());

        group.Dispose();
        Assert.Throws<ObjectDisposedException>(reducer.Prepare);
    }

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).contiguous().ToArray<double>();
}
