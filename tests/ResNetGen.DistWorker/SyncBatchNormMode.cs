using System.Globalization;
using ResNetGen.Distributed;
using ResNetGen.Torch;
using ResNetGen.Torch.Modules;

// syncbn: conv -> synchronized BatchNorm2d -> loss on this rank's share of each batch in --data
// (written by tests/ResNetGen.Runtime.Tests/Distributed/SyncBatchNormTests.cs, which checks the
// saved results against one process with plain batch norm on the whole batches):
//
//   ResNetGen.DistWorker syncbn --data FILE --out DIR [--channels-last 1] [--timeout-s T]
//                        [--die-rank R --die-at forward|backward]
//
// --data holds the model's state_dict ("conv.*", "bn.*") and, per step s, the batch "x.s" and
// the loss weights "c.s". Each rank writes DIR/rank{R}.safetensors.
internal static partial class Worker
{
    private static int SyncBatchNormMode(Options o)
    {
        var outDir = o.Require("out");
        var format = o.Int("channels-last", 0) == 1 ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
        var (dieRank, dieAt) = (o.Int("die-rank", -1), o.Get("die-at") ?? "forward");
        using var group = ProcessGroup.FromEnvironment("gloo", Timeout(o));
        var (rank, world) = (group.Rank, group.WorldSize);

        var data = Safetensors.Load(o.Require("data"));
        var inChannels = data["conv.weight"].shape[1];
        var channels = data["conv.weight"].shape[0];
        using var model = new Sequential(("conv", new Conv2d(inChannels, channels, 3, padding: 1)), ("bn", new BatchNorm2d(channels)));
        model.load_state_dict(data.Where(kv => kv.Key.StartsWith("conv.", StringComparison.Ordinal) || kv.Key.StartsWith("bn.", StringComparison.Ordinal))
                                  .ToDictionary(kv => kv.Key, kv => kv.Value));
        model.to(format);
        SyncBatchNorm.Convert(model, group);
        var (conv, bn) = ((Conv2d)model.children().First(), (SyncBatchNorm)model.children().Last());
        var converted = model.named_modules().Count(m => m.module is SyncBatchNorm);

        var results = new Dictionary<string, Tensor>();
        void Keep(string key, Tensor t) => results[key] = t.detach().contiguous().DetachFromDisposeScope();
        Tensor Share(Tensor full)
        {
            var per = full.shape[0] / world;
            return full.slice(0, rank * per, (rank + 1) * per).clone().contiguous(format);
        }

        for (var step = 0; data.ContainsKey($"x.{step}"); step++)
        {
            using var scope = torch.NewDisposeScope();
            var x = Share(data[$"x.{step}"]).requires_grad_();
            var h = conv.forward(x);
            Keep($"local_mean.{step}", h.detach().mean([0, 2, 3])); // this rank's own batch statistics
            if (rank == dieRank && dieAt == "forward") Die(rank, "before the synchronized forward");
            var y = bn.forward(h);
            if (rank == dieRank && dieAt == "backward")
            {
                Thread.Sleep(300); // let the peer's forward all-reduce finish reading, so it is backward that fails
                Die(rank, "before the synchronized backward");
            }
            var loss = y.mul(Share(data[$"c.{step}"])).sum().div(x.shape[0]); // mean over this rank's samples
            model.zero_grad();
            loss.backward();
            group.AverageGradients(model);
            Keep($"y.{step}", y);
            Keep($"y_channels_last.{step}", torch.tensor(y.is_contiguous(MemoryFormat.ChannelsLast) ? 1L : 0L));
            Keep($"x_grad.{step}", x.grad!);
            foreach (var (name, p) in model.named_parameters())
                using (var g = p.grad) Keep($"grad.{name}.{step}", g!);
        }

        // Evaluation uses the running statistics and must not communicate: rank 0 runs it alone
        // (a collective there would wait for rank 1, which is at the barrier, and fail).
        if (rank == 0)
        {
            using var scope = torch.NewDisposeScope();
            model.eval();
            Keep("y_eval", model.forward(Share(data["x.0"])));
        }
        group.Barrier();

        var state = model.state_dict();
        foreach (var (key, t) in state) Keep($"state.{key}", t);
        Keep("converted", torch.tensor((long)converted));
        Safetensors.Save(Path.Combine(outDir, $"rank{rank}.safetensors"), results);
        foreach (var t in results.Values.Concat(state.Values).Concat(data.Values)) t.Dispose();
        group.Barrier(); // nobody tears the store down while another rank still saves
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rank {rank}: syncbn done ({converted} converted)"));
        return 0;
    }

    private static void Die(int rank, string where)
    {
        Console.WriteLine($"rank {rank}: dying {where}");
        Console.Out.Flush();
        Console.Error.Flush();
        Exit(3);
    }
}
