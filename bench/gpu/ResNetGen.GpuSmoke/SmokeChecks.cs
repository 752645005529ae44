using System.Diagnostics;
using System.Globalization;
using ResNetGen.Data;
using ResNetGen.Torch;
using ResNetGen.Torch.Amp;
using ResNetGen.Torch.Optim;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using ResNetGen.Zoo;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.GpuSmoke;

public enum CheckStatus
{
    Pass,
    Fail,
    Skip,
}

public sealed record CheckResult(CheckStatus Status, string Detail)
{
    public static CheckResult Pass(string detail) => new(CheckStatus.Pass, detail);

    public static CheckResult Fail(string detail) => new(CheckStatus.Fail, detail);

    public static CheckResult Skip(string detail) => new(CheckStatus.Skip, detail);

    public static CheckResult If(bool ok, string detail) => ok ? Pass(detail) : Fail(detail);
}

/// <summary>
/// The checks of the smoke suite, each against <see cref="device"/>. Where a check compares with
/// the CPU, the CPU result is computed in the same process from the same inputs. On the CPU the
/// CUDA-only checks are skipped with the reason.
/// </summary>
public sealed class SmokeChecks(Device device, int ampSteps)
{
    private readonly bool cuda = device.type == DeviceType.CUDA;

    public IEnumerable<(string Name, Func<CheckResult> Check)> All() =>
    [
        ("tensor-ops", TensorOps),
        ("autograd", Autograd),
        ("resnet20-step-fp32", ResNet20StepFp32),
        ("amp-bfloat16", () => Amp(ScalarType.BFloat16)),
        ("amp-float16-gradscaler", () => Amp(ScalarType.Float16)),
        ("channels-last", ChannelsLast),
        ("checkpoint-resume", CheckpointResume),
        ("rng-state", RngState),
        ("pinned-nonblocking", PinnedLoading),
        ("error-shape", ErrorShape),
        ("error-device-mismatch", ErrorDeviceMismatch),
        ("error-out-of-memory", ErrorOutOfMemory),
    ];

    private string NotCuda(string what) => $"needs CUDA ({what}); running on {device}";

    /// <summary>Elementwise ops, a linear layer, softmax, a convolution and reductions on the device vs the CPU.</summary>
    private CheckResult TensorOps()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = new Fp32Exact(cuda);
        torch.manual_seed(1);
        var a = torch.randn([64, 128]);
        var w = torch.randn([32, 128]);
        var b = torch.randn([32]);
        var img = torch.randn([4, 3, 16, 16]);
        var k = torch.randn([8, 3, 3, 3]);
        Tensor[] Run(Tensor a, Tensor w, Tensor b, Tensor img, Tensor k)
        {
            var lin = F.linear(a, w, b);
            return [lin, F.softmax(lin, 1), F.conv2d(img, k, null, 1, 1), (a * 0.5 + 1).exp().sum(), a.sum(1), a.relu().mean(), a.amax([1])];
        }
        var expected = Run(a, w, b, img, k);
        var actual = Run(a.to(device), w.to(device), b.to(device), img.to(device), k.to(device));
        var onDevice = actual.All(t => t.device.type == device.type);
        var worst = expected.Zip(actual).Max(p => Numerics.RelativeError(p.First, p.Second));
        return CheckResult.If(onDevice && worst < 1e-4,
            $"{expected.Length} ops, max relative error vs CPU {Numerics.Fmt(worst)} (limit 1e-4), results on {device}: {onDevice}");
    }

    /// <summary>Gradients of a small network's loss on the device vs the CPU.</summary>
    private CheckResult Autograd()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = new Fp32Exact(cuda);
        torch.manual_seed(2);
        var x = torch.randn([16, 32]);
        var w1 = torch.randn([24, 32]) * 0.2;
        var w2 = torch.randn([10, 24]) * 0.2;
        var y = torch.randint(0, 10, [16]);
        Tensor[] Grads(Device d)
        {
            var (xl, w1l, w2l) = (x.to(d).requires_grad_(), w1.to(d).requires_grad_(), w2.to(d).requires_grad_());
            var loss = F.cross_entropy(F.linear(F.linear(xl, w1l).tanh(), w2l), y.to(d));
            loss.backward();
            return [loss.detach(), xl.grad!, w1l.grad!, w2l.grad!];
        }
        var expected = Grads(Device.CPU);
        var actual = Grads(device);
        var worst = expected.Zip(actual).Max(p => Numerics.RelativeError(p.First, p.Second));
        return CheckResult.If(worst < 1e-4, $"loss and 3 gradients, max relative error vs CPU {Numerics.Fmt(worst)} (limit 1e-4)");
    }

    /// <summary>Three SGD steps of the generated ResNet-20 in float32 from the same weights: the losses match the CPU's.</summary>
    private CheckResult ResNet20StepFp32()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = new Fp32Exact(cuda);
        torch.manual_seed(3);
        var (x, y) = Numerics.LearnableBatch(32);
        using var reference = new ResNet20();
        var state = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        double[] Losses(Device d)
        {
            using var model = new ResNet20();
            model.load_state_dict(state);
            model.to(d);
            using var sgd = new SGD(model.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
            var (xd, yd) = (x.to(d), y.to(d));
            var losses = new double[3];
            for (var i = 0; i < losses.Length; i++)
            {
                using var step = torch.NewDisposeScope();
                var loss = F.cross_entropy(model.forward(xd), yd);
                losses[i] = loss.item<float>();
                model.zero_grad();
                loss.backward();
                sgd.step();
            }
            return losses;
        }
        var cpu = Losses(Device.CPU);
        var dev = Losses(device);
        var worst = cpu.Zip(dev).Max(p => Math.Abs(p.First - p.Second));
        return CheckResult.If(worst < 1e-3,
            $"losses {Numerics.Join(dev)} vs CPU {Numerics.Join(cpu)}, max |diff| {Numerics.Fmt(worst)} (limit 1e-3)");
    }

    /// <summary>
    /// Mixed precision over <see cref="ampSteps"/> steps of ResNet-20 (channels-last) on a learnable batch:
    /// autocast in <paramref name="dtype"/>, with the GradScaler for float16. No NaN, and the loss falls.
    /// </summary>
    private CheckResult Amp(ScalarType dtype)
    {
        if (dtype == ScalarType.Float16 && !cuda)
            return CheckResult.Skip(NotCuda("float16 autocast with loss scaling is the CUDA recipe; the Trainer scales only on CUDA"));
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var batch = cuda ? 128 : 16;
        var (x, y) = Numerics.LearnableBatch(batch);
        x = x.to(device).contiguous(MemoryFormat.ChannelsLast);
        y = y.to(device);
        using var model = new ResNet20();
        model.to(device, null, MemoryFormat.ChannelsLast);
        using var sgd = new SGD(model.parameters(), 0.05, momentum: 0.9, nesterov: true);
        var scaler = new GradScaler(enabled: dtype == ScalarType.Float16);
        var losses = new List<double>();
        for (var i = 0; i < ampSteps; i++)
        {
            using var step = torch.NewDisposeScope();
            Tensor logits, loss;
            using (torch.autocast(device.type, dtype))
            {
                logits = model.forward(x);
                loss = F.cross_entropy(logits, y);
            }
            if (i == 0 && logits.dtype != dtype) return CheckResult.Fail($"autocast produced {logits.dtype.TorchName()} logits, expected {dtype.TorchName()}");
            losses.Add(loss.to(ScalarType.Float32).item<float>());
            model.zero_grad();
            scaler.scale_loss(loss).backward();
            scaler.step(sgd);
            scaler.update();
        }
        var finite = losses.All(double.IsFinite);
        var first = losses.Take(5).Average();
        var last = losses.TakeLast(5).Average();
        var weightsFinite = model.parameters().All(p => p.all_finite());
        var detail = FormattableString.Invariant(
            $"{ampSteps} steps, batch {batch}: loss {first:F4} (first 5) -> {last:F4} (last 5), all finite: {finite && weightsFinite}");
        if (scaler.is_enabled()) detail += FormattableString.Invariant($", scale {scaler.get_scale()}, skipped steps {scaler.skipped_steps}");
        var skippedOk = !scaler.is_enabled() || scaler.skipped_steps < ampSteps / 2;
        return CheckResult.If(finite && weightsFinite && last < 0.8 * first && skippedOk, detail);
    }

    /// <summary>ResNet-20 moved to channels-last on the device: its 4-d weights are NHWC and forward and backward match NCHW.</summary>
    private CheckResult ChannelsLast()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = new Fp32Exact(cuda);
        torch.manual_seed(5);
        var (x, y) = Numerics.LearnableBatch(16);
        using var nchw = new ResNet20();
        using var nhwc = new ResNet20();
        nhwc.load_state_dict(nchw.state_dict());
        nchw.to(device);
        nhwc.to(device, null, MemoryFormat.ChannelsLast);
        var weights4d = nhwc.parameters().Where(p => p.dim() == 4).ToList();
        var allNhwc = weights4d.All(p => p.is_contiguous(MemoryFormat.ChannelsLast));
        // Layouts differ only for a kernel wider than 1×1 over more than one channel (others are both):
        // those of the NCHW model must not be NHWC, or this check proves nothing.
        var spatial = nchw.parameters().Where(p => p.dim() == 4 && p.size(1) > 1 && p.size(3) > 1).ToList();
        if (spatial.Count == 0 || spatial.Any(p => p.is_contiguous(MemoryFormat.ChannelsLast)))
            return CheckResult.Fail("the NCHW model's 3x3 weights already report channels-last: the layout check cannot tell them apart");
        var (xd, yd) = (x.to(device), y.to(device));
        var outA = nchw.forward(xd);
        var outB = nhwc.forward(xd.contiguous(MemoryFormat.ChannelsLast));
        F.cross_entropy(outA, yd).backward();
        F.cross_entropy(outB, yd).backward();
        var forwardErr = Numerics.RelativeError(outA, outB);
        var gradErr = nchw.parameters().Zip(nhwc.parameters()).Max(p => Numerics.RelativeError(p.First.grad!, p.Second.grad!));
        var gradsNhwc = weights4d.All(p => p.grad!.is_contiguous(MemoryFormat.ChannelsLast));
        return CheckResult.If(allNhwc && gradsNhwc && forwardErr < 1e-4 && gradErr < 1e-3,
            $"{weights4d.Count} conv weights NHWC: {allNhwc}, their grads NHWC: {gradsNhwc}; vs NCHW: forward {Numerics.Fmt(forwardErr)}, grads {Numerics.Fmt(gradErr)} relative (limits 1e-4, 1e-3)");
    }

    /// <summary>
    /// The Trainer's own checkpoint and resume on the device: a run interrupted mid-epoch and resumed from its
    /// checkpoint ends with exactly the weights and buffers of the same run uninterrupted (deterministic cuDNN).
    /// The Trainer's defaults for the device apply (on CUDA: bfloat16 autocast, channels-last; pinned, non-blocking loading).
    /// </summary>
    private CheckResult CheckpointResume()
    {
        var root = Path.Combine(Path.GetTempPath(), $"resnetgen-smoke-{Environment.ProcessId}");
        var deterministic = cuda && torch.backends.cudnn.deterministic;
        try
        {
            if (cuda) torch.backends.cudnn.deterministic = true;
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(6);
            var (images, labels) = Numerics.LearnableBytes(96);
            using var data = new TensorDataset(images, labels);
            using var testData = data.Slice(0, 32);
            Dictionary<string, Tensor> Run(string name, int? interruptAtStep, string? resume, out FitResult result)
            {
                torch.manual_seed(7); // the same initial weights in every run
                var model = new ResNet20();
                var options = new TrainerOptions
                {
                    Device = device, Epochs = 2, BatchSize = 16, LearningRate = 0.05, ReportEvery = 1, Seed = 7,
                    OutputDirectory = Path.Combine(root, name),
                };
                using var cancel = new CancellationTokenSource();
                var observer = new CancelAt(1, interruptAtStep ?? -1, cancel);
                using var trainer = new Trainer(model, options, observer);
                if (cuda) torch.backends.cudnn.deterministic = true; // the Trainer turns on cudnn.benchmark; keep it deterministic too
                var train = new DataLoader(data, new DataLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 7, Device = device });
                var test = new DataLoader(testData, new DataLoaderOptions { BatchSize = 16, Device = device });
                result = trainer.Fit(train, test, resume, cancel.Token);
                return model.state_dict();
            }
            var straight = Run("straight", null, null, out var r1);
            _ = Run("interrupted", 3, null, out var r2);
            if (r2.Outcome != FitOutcome.Interrupted) return CheckResult.Fail($"the interrupted run ended {r2.Outcome}, expected Interrupted");
            var resumed = Run("resumed", null, r2.CheckpointPath, out var r3);
            if (r1.Outcome != FitOutcome.Completed || r3.Outcome != FitOutcome.Completed)
                return CheckResult.Fail($"runs ended {r1.Outcome} and {r3.Outcome}, expected Completed");
            var differing = straight.Where(kv => !Numerics.BitIdentical(kv.Value, resumed[kv.Key])).Select(kv => kv.Key).ToList();
            var worst = straight.Max(kv => Numerics.MaxAbsDiff(kv.Value, resumed[kv.Key]));
            var acc1 = r1.History.Epochs[^1].TestTop1;
            var acc3 = r3.History.Epochs[^1].TestTop1;
            return CheckResult.If(differing.Count == 0,
                FormattableString.Invariant($"2 epochs x 6 steps, interrupted in epoch 1 and resumed: {straight.Count - differing.Count}/{straight.Count} tensors bit-identical") +
                (differing.Count > 0 ? $" (first differing: {differing[0]}, max |diff| {Numerics.Fmt(worst)})" : "") +
                FormattableString.Invariant($"; test top-1 {acc1:P1} vs {acc3:P1}"));
        }
        finally
        {
            if (cuda) torch.backends.cudnn.deterministic = deterministic;
            try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The device generator's state saved and restored: the same random numbers follow.</summary>
    private CheckResult RngState()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        _ = torch.randn([10], device: device); // move away from the seed's initial state
        var state = torch.get_rng_state(device);
        var first = torch.randn([4096], device: device);
        var dropped = F.dropout(torch.ones([4096], device: device), 0.5);
        var after = torch.randn([4096], device: device);
        torch.set_rng_state(state, device);
        var again = torch.randn([4096], device: device);
        var droppedAgain = F.dropout(torch.ones([4096], device: device), 0.5);
        var same = Numerics.BitIdentical(first, again) && Numerics.BitIdentical(dropped, droppedAgain);
        var advanced = !Numerics.BitIdentical(first, after);
        return CheckResult.If(same && advanced,
            $"state of {state.numel()} bytes; randn + dropout after restore bit-identical: {same}; generator advances otherwise: {advanced}");
    }

    /// <summary>Pinned host memory copied with non_blocking, and the DataLoader's pinned path, against the source bytes.</summary>
    private CheckResult PinnedLoading()
    {
        if (!cuda) return CheckResult.Skip(NotCuda("pinned host memory needs the CUDA driver"));
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var source = torch.randn([64, 3, 224, 224]); // 38.5 MB
        var pinned = source.pin_memory();
        var pageable = source.clone();
        var onDevice = torch.empty(source.shape, ScalarType.Float32, device);
        var mb = source.numel() * 4 / 1e6;
        double Copy(Tensor from, bool nonBlocking)
        {
            onDevice.copy_(from, nonBlocking);
            _ = onDevice.sum().item<float>(); // waits for the copy
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 5; i++) onDevice.copy_(from, nonBlocking);
            _ = onDevice.sum().item<float>();
            return 5 * mb / 1e3 / watch.Elapsed.TotalSeconds;
        }
        var pinnedRate = Copy(pinned, true);
        var pageableRate = Copy(pageable, false);
        var copied = Numerics.BitIdentical(onDevice, source);
        var asyncCopy = pinned.to(device, non_blocking: true);
        var asyncOk = Numerics.BitIdentical(asyncCopy, source);

        // The DataLoader gathers into pinned memory and copies with non_blocking when the target is CUDA.
        var (bytes, labels) = Numerics.LearnableBytes(100);
        using var data = new TensorDataset(bytes, labels);
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 32, Device = device, Prefetch = 2 });
        var (batches, loaderOk, start) = (0, true, 0);
        foreach (var batch in loader)
        {
            using (batch)
            {
                var (x, y) = batch;
                var n = (int)y.size(0);
                using var expected = data.Images.slice(0, start, start + n).to(ScalarType.Float32) / 255.0;
                loaderOk &= x.device.type == DeviceType.CUDA && Numerics.MaxAbsDiff(x, expected) < 1e-6
                            && Numerics.BitIdentical(y, data.Labels.slice(0, start, start + n));
                start += n;
                batches++;
            }
        }
        loaderOk &= start == data.Count;
        return CheckResult.If(copied && asyncOk && loaderOk && loader.PinMemory,
            FormattableString.Invariant($"{mb:F1} MB host->device: pinned non_blocking {pinnedRate:F1} GB/s, pageable {pageableRate:F1} GB/s, bytes exact: {copied && asyncOk}; ") +
            $"DataLoader (pinned: {loader.PinMemory}) {batches} batches equal to the source: {loaderOk}");
    }

    /// <summary>A shape error on the device is a TorchException, and the device keeps working.</summary>
    private CheckResult ErrorShape()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn([2, 3], device: device);
        var b = torch.randn([4, 5], device: device);
        return ExpectTorchException(() => _ = (a + b).sum().item<float>(), "adding [2,3] and [4,5]");
    }

    /// <summary>An op over a CPU and a CUDA tensor is a TorchException, not a crash.</summary>
    private CheckResult ErrorDeviceMismatch()
    {
        if (!cuda) return CheckResult.Skip(NotCuda("a second device type to mismatch"));
        using var scope = torch.NewDisposeScope();
        var a = torch.randn([3, 3]);
        var b = torch.randn([3, 3], device: device);
        return ExpectTorchException(() => _ = F.linear(a, b).sum().item<float>(), "linear of a CPU input and CUDA weight");
    }

    /// <summary>An absurd allocation (4 TiB) is a TorchException naming out-of-memory; the device allocates fine afterwards.</summary>
    private CheckResult ErrorOutOfMemory()
    {
        if (!cuda) return CheckResult.Skip(NotCuda("the CPU allocator overcommits instead of failing"));
        using var scope = torch.NewDisposeScope();
        var r = ExpectTorchException(() => _ = torch.empty([1L << 40], ScalarType.Float32, device), "torch.empty of 4 TiB");
        if (r.Status != CheckStatus.Pass) return r;
        var oom = r.Detail.Contains("out of memory", StringComparison.OrdinalIgnoreCase);
        return CheckResult.If(oom, r.Detail + (oom ? "" : " (the message does not say 'out of memory')"));
    }

    /// <summary>Runs <paramref name="action"/>, which must throw a TorchException; then a small op on the device must still work.</summary>
    private CheckResult ExpectTorchException(Action action, string what)
    {
        string detail;
        try
        {
            action();
            return CheckResult.Fail($"{what}: no exception");
        }
        catch (TorchException e)
        {
            var message = e.Message.Split('\n')[0];
            detail = $"{what}: TorchException \"{(message.Length > 120 ? message[..120] + "..." : message)}\"";
        }
        using var scope = torch.NewDisposeScope();
        var sum = torch.ones([1000], device: device).sum().item<float>();
        return CheckResult.If(sum == 1000f, detail + FormattableString.Invariant($"; afterwards a sum on {device} gives {sum}"));
    }

    /// <summary>Cancels a fit when it reports a given step of a given epoch.</summary>
    private sealed class CancelAt(int epoch, int step, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void OnStep(StepProgress progress)
        {
            if (progress.Epoch == epoch && progress.Step == step) cancel.Cancel();
        }
    }

    /// <summary>Float32 comparisons against the CPU: no TF32 in cuDNN's convolutions while it lives.</summary>
    private sealed class Fp32Exact : IDisposable
    {
        private readonly bool previous;
        private readonly bool active;

        public Fp32Exact(bool cuda)
        {
            active = cuda;
            if (!active) return;
            previous = torch.backends.cudnn.allow_tf32;
            torch.backends.cudnn.allow_tf32 = false;
        }

        public void Dispose()
        {
            if (active) torch.backends.cudnn.allow_tf32 = previous;
        }
    }
}

internal static class Numerics
{
    public static double[] Values(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.detach().to(Device.CPU).to(ScalarType.Float64).contiguous().ToArray<double>();
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        var (x, y) = (Values(a), Values(b));
        if (x.Length != y.Length) return double.PositiveInfinity;
        var worst = 0.0;
        for (var i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
        return worst;
    }

    /// <summary>max |a - b| / max(max |a|, 1e-6): the error relative to the tensor's scale.</summary>
    public static double RelativeError(Tensor expected, Tensor actual)
    {
        var scale = Values(expected).Select(Math.Abs).DefaultIfEmpty(0).Max();
        return MaxAbsDiff(expected, actual) / Math.Max(scale, 1e-6);
    }

    /// <summary>Equal values (float32/int64 widen to float64 exactly, so this is bit equality for them), same shape.</summary>
    public static bool BitIdentical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        var (x, y) = (Values(a), Values(b));
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i])) return false;
        return true;
    }

    /// <summary>A batch of 28×28×1 images whose label shows in their brightness: a network learns it in a few dozen steps.</summary>
    public static (Tensor Images, Tensor Labels) LearnableBatch(int n)
    {
        var labels = torch.randint(0, 10, [n]);
        var images = torch.randn([n, 1, 28, 28]) * 0.5 + (labels.to(ScalarType.Float32) - 4.5).view(n, 1, 1, 1) * 0.3;
        return (images, labels);
    }

    /// <summary>The same as uint8 images (as a dataset holds them).</summary>
    public static (Tensor Images, Tensor Labels) LearnableBytes(int n)
    {
        var labels = torch.randint(0, 10, [n]);
        var images = (torch.rand([n, 1, 28, 28]) * 100 + labels.to(ScalarType.Float32).view(n, 1, 1, 1) * 15).floor().to(ScalarType.Byte);
        return (images, labels);
    }

    public static string Fmt(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    public static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F5", CultureInfo.InvariantCulture)));
}
