using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using Xunit;

namespace ResNetGen.Runtime.Tests.Core;

public class ModuleTests
{
    [Fact]
    public void State_dict_keys_follow_pytorch_naming_and_order()
    {
        using var block = new BasicBlock(4, 8, stride: 2);
        var keys = block.state_dict().Keys.ToList();
        Assert.Equal(new[]
        {
            "conv1.weight",
            "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "conv2.weight",
            "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
            "downsample.0.weight",
            "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
            "downsample.1.num_batches_tracked",
        }, keys);
        Assert.Equal(4 * 8 * 9 + 8 * 8 * 9 + 4 * 8 + 3 * 2 * 8, block.parameter_count());
    }

    [Fact]
    public void Load_state_dict_copies_values_and_names_bad_keys()
    {
        torch.manual_seed(1);
        using var source = new Linear(3, 2);
        torch.manual_seed(2);
        using var target = new Linear(3, 2);
        target.load_state_dict(source.state_dict());
        Assert.Equal(source.weight.ToArray<float>(), target.weight.ToArray<float>());

        var partial = source.state_dict();
        partial.Remove("bias");
        partial["extra.weight"] = torch.zeros([1]);
        var strictError = Assert.Throws<InvalidOperationException>(() => target.load_state_dict(partial));
        Assert.Contains("missing key(s): bias", strictError.Message);
        Assert.Contains("unexpected key(s): extra.weight", strictError.Message);

        var loose = target.load_state_dict(partial, strict: false);
        Assert.Equal(new[] { "bias" }, loose.missing_keys);
        Assert.Equal(new[] { "extra.weight" }, loose.unexpected_keys);

        var wrongShape = source.state_dict();
        wrongShape["weight"] = torch.zeros([2, 4]);
        var shapeError = Assert.Throws<InvalidOperationException>(() => target.load_state_dict(wrongShape, strict: false));
        Assert.Contains("weight: checkpoint shape [2, 4], module shape [2, 3]", shapeError.Message);
    }

    [Fact]
    public void To_moves_parameters_in_place_keeping_their_identity()
    {
        using var conv = new Conv2d(2, 3, 3);
        var before = conv.parameters().ToList();
        conv.to(ScalarType.Float64);
        var after = conv.parameters().ToList();
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++) Assert.Same(before[i], after[i]);
        Assert.All(after, p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(after, p => Assert.True(p.requires_grad));

        conv.to(MemoryFormat.ChannelsLast);
        Assert.True(conv.weight.is_contiguous(MemoryFormat.ChannelsLast));
    }

    [Fact]
    public void To_keeps_integer_buffers_integer()
    {
        using var bn = new BatchNorm2d(4);
        bn.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, bn.running_mean!.dtype);
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype);
    }

    [Fact]
    public void Train_and_eval_switch_batch_norm_statistics()
    {
        using var bn = new BatchNorm2d(2);
        using var x = torch.randn([8, 2, 4, 4]) * 3.0 + 5.0;
        bn.train();
        using (bn.forward(x)) { }
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
        var meanAfterTrain = bn.running_mean!.ToArray<float>();
        Assert.All(meanAfterTrain, m => Assert.InRange(m, 0.2f, 0.8f)); // 0.1 × ~5

        bn.eval();
        Assert.False(bn.training);
        using (bn.forward(x)) { }
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());
        Assert.Equal(meanAfterTrain, bn.running_mean.ToArray<float>());
    }

    [Fact]
    public void Sequential_names_children_by_position()
    {
        using var seq = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, seq.state_dict().Keys);
        using var x = torch.ones([5, 4]);
        using var y = seq.forward(x);
        Assert.Equal(new long[] { 5, 2 }, y.shape);
    }

    [Fact]
    public void Zero_grad_drops_every_gradient_in_one_call()
    {
        using var lin = new Linear(3, 2);
        using (var loss = lin.forward(torch.ones([4, 3])).sum()) loss.backward();
        Assert.All(lin.parameters(), p => { using var g = p.grad; Assert.NotNull(g); });
        lin.zero_grad();
        Assert.All(lin.parameters(), p => Assert.Null(p.grad));
    }
}

public class KeyMapTests
{
    [Fact]
    public void A_key_map_renames_and_drops_checkpoint_keys()
    {
        using var source = new ResNetGen.Torch.Modules.Linear(3, 2);
        var renamed = source.state_dict().ToDictionary(kv => "head." + kv.Key, kv => kv.Value);
        renamed["head.extra"] = torch.zeros([1]);
        using var target = new ResNetGen.Torch.Modules.Linear(3, 2);
        Assert.Throws<InvalidOperationException>(() => target.load_state_dict(renamed));
        target.load_state_dict(renamed, keyMap: k => k == "head.extra" ? null : k["head.".Length..]);
        Assert.Equal(source.weight.ToArray<float>(), target.weight.ToArray<float>());
        var clash = Assert.Throws<InvalidOperationException>(() => target.load_state_dict(renamed, keyMap: _ => "weight"));
        Assert.Contains("two checkpoint keys", clash.Message);
    }

    [Fact]
    public void Replace_module_swaps_a_child_and_references_to_the_old_one_reach_the_new_one()
    {
        using var scope = torch.NewDisposeScope();
        var identity = new Identity();
        using var model = new Sequential(("fc", new Linear(2, 2)), ("act", identity));
        var relu = new ReLU();

        Assert.Same(identity, model.replace_module("act", relu));

        Assert.Equal(["fc", "act"], model.named_children().Select(c => c.name));
        Assert.Same(relu, model.named_children().Last().module);
        var x = torch.tensor(new[] { -1f, 2f }, [1, 2]);
        Assert.Equal([0f, 2f], identity.call(x).ToArray<float>());     // a field holding the old module runs the new one
        Assert.Equal([-1f, 2f], identity.forward(x).ToArray<float>()); // its own forward is untouched
        Assert.All(model.forward(torch.randn(16, 2).mul(10)).ToArray<float>(), v => Assert.True(v >= 0));
        Assert.Contains("no child 'head'", Assert.Throws<ArgumentException>(() => model.replace_module("head", new ReLU())).Message);
        var mismatch = Assert.Throws<ArgumentException>(() => model.replace_module("act", new Twice()));
        Assert.Contains("takes and returns other types", mismatch.Message);
    }

    private sealed class Twice() : Module<Tensor, (Tensor, Tensor)>(nameof(Twice))
    {
        public override (Tensor, Tensor) forward(Tensor input) => (input.alias(), input.alias());
    }
}
