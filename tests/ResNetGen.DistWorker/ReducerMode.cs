using System.Globalization;
using ResNetGen.Distributed;
using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using static ResNetGen.Torch.torch.nn;

// reducer: the overlapping GradientReducer against ProcessGroup.AverageGradients, on the same
// backward pass, for the test to compare rank by rank:
//
//   ResNetGen.DistWorker reducer --out DIR [--steps N] [--bucket-bytes B] [--timeout-s T]
//                        [--channels-last 1] [--die-mid-backward K | --hang-mid-backward K] [--die-rank R]
//
// The model is TwoBlockResNet plus two extra parameters: `shared`, added to the logits on the
// last rank only (the others get no gradient for it), and `never`, used by no rank. Every step
// writes DIR/rank{r}.step{s}.safetensors with the local gradients before any reduction
// ("local.*"), the reducer's result ("reducer.*") and AverageGradients' ("average.*").
// --die-mid-backward K: at step K rank R runs a backward pass that reaches only `shared` (the
// reducer launches its bucket), then exits abruptly before finishing, as a crash mid-backward;
// --hang-mid-backward K: the same, then it sleeps for ever instead.
internal static partial class Worker
{
    private sealed class WithExtras : Module<Tensor, Tensor>
    {
        private readonly TwoBlockResNet net;
        private readonly bool useShared;

        public WithExtras(int width, bool useShared) : base(nameof(WithExtras))
        {
            net = new TwoBlockResNet(inChannels: 1, numClasses: 4, width: width);
            this.useShared = useShared;
            register_module("net", net);
            using (var s = torch.randn([4])) Shared = new Parameter(s);
            using (var n = torch.randn([3, 2])) Never = new Parameter(n);
            register_parameter("shared", Shared);
            register_parameter("never", Never);
        }

        public Parameter Shared { get; }

        public Parameter Never { get; }

        public override Tensor forward(Tensor x) => useShared ? net.forward(x).add(Shared) : net.forward(x);
    }

    private static int Reducer(Options o)
    {
        var dir = o.Require("out");
        var steps = o.Int("steps", 3);
        var bucketBytes = long.Parse(o.Get("bucket-bytes") ?? $"{ProcessGroup.DefaultBucketBytes}", CultureInfo.InvariantCulture);
        var dieAt = o.Int("die-mid-backward", -1);
        var hangAt = o.Int("hang-mid-backward", -1);
        var dieRank = o.Int("die-rank", 1);
        const int batch = 8;

        using var group = ProcessGroup.FromEnvironment("gloo", Timeout(o));
        var (rank, world) = (group.Rank, group.WorldSize);
        torch.manual_seed(rank);
        using var model = new WithExtras(width: 8, useShared: rank == world - 1);
        if (o.Get("channels-last") == "1") model.to(Device.CPU, null, MemoryFormat.ChannelsLast); // strided gradients
        group.BroadcastModule(model);
        using var reducer = group.CreateGradientReducer(model, bucketBytes);
        var named = model.named_parameters().ToList();

        for (var step = 1; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = SyntheticQuadrants.Batch(world * batch, seed: step);
            var xs = x.slice(0, rank * batch, (rank + 1) * batch);
            var ys = y.slice(0, rank * batch, (rank + 1) * batch);
            Tensor Loss() => functional.cross_entropy(model.forward(xs), ys);
            var results = new Dictionary<string, Tensor>();
            void Keep(string prefix)
            {
                foreach (var (name, p) in named)
                    if (p.grad is { } g) results[$"{prefix}.{name}"] = g.clone();
            }

            if ((step == dieAt || step == hangAt) && rank == dieRank)
            {
                reducer.Prepare();
                model.Shared.sum().backward(); // reaches only `shared`: its bucket is launched, the rest never
                Console.WriteLine($"rank {rank}: {(step == dieAt ? "dying" : "hanging")} mid-backward at step {step}");
                Console.Out.Flush();
                if (step == dieAt) Exit(3);
                Thread.Sleep(System.Threading.Timeout.Infinite);
            }

            // The local gradients (the hooks are not armed: nothing is reduced).
            model.zero_grad();
            Loss().backward();
            Keep("local");

            model.zero_grad();
            reducer.Prepare();
            Loss().backward();
            reducer.Finish();
            Keep("reducer");

            model.zero_grad();
            Loss().backward();
            group.AverageGradients(model);
            Keep("average");

            using (torch.no_grad())
                foreach (var (_, p) in named)
                    using (var grad = p.grad)
                        p.add_(grad!, alpha: -0.05);
            Safetensors.Save(Path.Combine(dir, $"rank{rank}.step{step}.safetensors"), results);
            Console.WriteLine($"rank {rank}: step {step} compared");
        }
        group.Barrier();
        return 0;
    }
}
