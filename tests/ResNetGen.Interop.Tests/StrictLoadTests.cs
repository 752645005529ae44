using System.Text.Json;
using ResNetGen.Torch;
using ResNetGen.Zoo;
using Xunit;

namespace ResNetGen.Interop.Tests;

/// <summary>torchvision checkpoints (resnet18, resnet50; weights=None, seeded) exported once for the class.</summary>
public sealed class TorchvisionCheckpoints : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("rng-interop-ckpt-").FullName;

    public string Path(string arch) => System.IO.Path.Combine(Dir, arch + ".safetensors");

    /// <summary>
    /// What PyTorch itself says when the checkpoint <c>from</c> goes into the network <c>to</c> with
    /// strict=True: the keys of its "Missing key(s)", "Unexpected key(s)" and "size mismatch for" lines.
    /// </summary>
    public Dictionary<string, Dictionary<string, string[]>> PyTorchErrors { get; }

    public static readonly (string From, string To)[] Pairs =
        [("resnet18", "resnet50"), ("resnet50", "resnet18"), ("resnet18", "preact_resnet18")];

    public TorchvisionCheckpoints()
    {
        var json = System.IO.Path.Combine(Dir, "errors.json");
        Interop.Py("""
            import re
            sds = {}
            for arch in ("resnet18", "resnet50"):
                sds[arch] = im.randomize_(tvm.__dict__[arch](weights=None), 32).state_dict()
                st.save_file(sds[arch], params["dir"] + "/" + arch + ".safetensors")
            errors = {}
            for src, dst in params["pairs"]:
                try:
                    im.build(dst).load_state_dict(sds[src], strict=True)
                    raise AssertionError("PyTorch loaded {} into {}".format(src, dst))
                except RuntimeError as e:
                    lines = str(e).split("\n\t")
                found = {"missing": [], "unexpected": [], "mismatched": []}
                for line in lines[1:]:
                    if line.startswith("Missing key(s)"):
                        found["missing"] += re.findall(r'"([^"]+)"', line)
                    elif line.startswith("Unexpected key(s)"):
                        found["unexpected"] += re.findall(r'"([^"]+)"', line)
                    elif line.startswith("size mismatch for "):
                        found["mismatched"].append(line[len("size mismatch for "):].split(": ")[0])
                    else:
                        raise AssertionError("unparsed line of PyTorch's message: " + line)
                errors[src + "->" + dst] = found
            with open(params["json"], "w") as f:
                json.dump(errors, f)
            """, new Dictionary<string, object> { ["dir"] = Dir, ["json"] = json, ["pairs"] = Pairs.Select(p => new[] { p.From, p.To }).ToArray() },
            seed: 99);
        PyTorchErrors = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string[]>>>(File.ReadAllText(json))!;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>
/// Strict loading names every missing, unexpected and shape-mismatched key (exactly the keys PyTorch's own
/// strict load names), and leaves the network untouched when it fails; non-strict loading (with a key map
/// that drops the head) is how ImageNet weights go into a network with another number of classes.
/// </summary>
public sealed class StrictLoadTests(TorchvisionCheckpoints checkpoints) : IClassFixture<TorchvisionCheckpoints>
{
    /// <summary>Our error message, split into its three lists of keys.</summary>
    internal static (HashSet<string> Missing, HashSet<string> Unexpected, Dictionary<string, string> Mismatched) Parse(string message)
    {
        var body = message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        var missing = new HashSet<string>();
        var unexpected = new HashSet<string>();
        var mismatched = new Dictionary<string, string>();
        // Sections are joined by ". ", keys are joined by ", " (mismatches by "; "); keys never contain ". ".
        foreach (var section in body.Split(". "))
        {
            if (section.StartsWith("missing key(s): ", StringComparison.Ordinal))
                missing.UnionWith(section["missing key(s): ".Length..].Split(", "));
            else if (section.StartsWith("unexpected key(s): ", StringComparison.Ordinal))
                unexpected.UnionWith(section["unexpected key(s): ".Length..].Split(", "));
            else if (section.StartsWith("size mismatch for ", StringComparison.Ordinal))
                foreach (var entry in section["size mismatch for ".Length..].Split("; "))
                {
                    var colon = entry.IndexOf(": ", StringComparison.Ordinal);
                    mismatched[entry[..colon]] = entry[(colon + 2)..];
                }
            else
                Assert.Fail($"unparsed part of the error message: '{section}'");
        }
        return (missing, unexpected, mismatched);
    }

    private static Module<Tensor, Tensor> Create(string arch) => arch switch
    {
        "resnet18" => new ResNet18(),
        "resnet50" => new ResNet50(),
        "preact_resnet18" => new PreActResNet18(),
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (from, to) in TorchvisionCheckpoints.Pairs) data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void WrongNetwork_NamesEveryKeyPyTorchNames_AndLoadsNothing(string from, string to)
    {
        using var scope = torch.NewDisposeScope();
        var checkpoint = Safetensors.Load(checkpoints.Path(from));
        using var net = Create(to);
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(checkpoint, strict: true));
        var (missing, unexpected, mismatched) = Parse(e.Message);
        var expected = checkpoints.PyTorchErrors[$"{from}->{to}"];

        Assert.Equal(expected["missing"].Order(), missing.Order());
        Assert.Equal(expected["unexpected"].Order(), unexpected.Order());
        Assert.Equal(expected["mismatched"].Order(), mismatched.Keys.Order());
        Assert.NotEmpty(missing.Concat(unexpected).Concat(mismatched.Keys));
        // Every mismatch states both shapes.
        foreach (var (key, shapes) in mismatched)
        {
            var ours = string.Join(", ", net.state_dict()[key].shape);
            var theirs = string.Join(", ", checkpoint[key].shape);
            Assert.Equal($"checkpoint shape [{theirs}], module shape [{ours}]", shapes);
        }
        // A failed strict load changes nothing (PyTorch's copies the matching keys before it raises; ours checks first).
        foreach (var (key, value) in net.state_dict())
            Assert.Equal(0, Interop.MaxAbsDiff(before[key], value, key));
    }

    [Fact]
    public void WrongNetwork_ExampleMessages_NameKeysOfEveryKind()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new PreActResNet18();
        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(Safetensors.Load(checkpoints.Path("resnet18"))));
        Assert.StartsWith("Error(s) in loading state_dict for PreActResNet18: ", e.Message);
        Assert.Contains("conv1.weight: checkpoint shape [64, 3, 7, 7], module shape [64, 3, 3, 3]", e.Message);
        Assert.Contains("fc.weight: checkpoint shape [1000, 512], module shape [10, 512]", e.Message);
        Assert.Contains("missing key(s): norm.weight, norm.bias, norm.running_mean, norm.running_var.", e.Message); // a BN counter is optional

        Assert.Contains("unexpected key(s): bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var, bn1.num_batches_tracked", e.Message);
    }

    /// <summary>
    /// A checkpoint from before PyTorch 0.4.1 (torchvision's original ImageNet weights have no num_batches_tracked;
    /// 0.3 saved scalars as [1]) loads strictly, in PyTorch and in ours: counters it lacks keep their value (0 in a
    /// fresh network), a [1] counter loads into the 0-d one, and the logits agree.
    /// </summary>
    [Fact]
    public void OldCheckpoint_WithoutBatchCounters_LoadsStrictly_AsInPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var path = System.IO.Path.Combine(checkpoints.Dir, "old-resnet18.safetensors");
        var py = Interop.Py("""
            import collections
            sd = st.load_file(params["src"])
            old = collections.OrderedDict((k, v) for k, v in sd.items() if not k.endswith("num_batches_tracked"))
            old["bn1.num_batches_tracked"] = torch.tensor([5])  # a 0.3-style one-element counter
            st.save_file(old, params["path"])
            model = tvm.resnet18(weights=None)
            model.load_state_dict(st.load_file(params["path"]), strict=True)
            outputs["counters"] = torch.stack([m.num_batches_tracked for m in model.modules() if isinstance(m, nn.BatchNorm2d)])
            model.eval()
            x = torch.randn(1, 3, 64, 64)
            with torch.no_grad():
                outputs["logits"] = model(x)
            outputs["x"] = x
            """, new Dictionary<string, object> { ["src"] = checkpoints.Path("resnet18"), ["path"] = path });
        var checkpoint = Safetensors.Load(path);
        Assert.Equal(102 + 1, checkpoint.Count); // 122 keys less the 20 counters, plus the [1] one
        Assert.Equal([1L], checkpoint["bn1.num_batches_tracked"].shape);

        using var net = new ResNet18();
        var result = net.load_state_dict(checkpoint, strict: true);
        Assert.Empty(result.missing_keys);
        var counters = net.named_buffers().Where(b => b.name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(b => b.buffer.item<long>()).ToArray();
        Assert.Equal(py["counters"].ToArray<long>(), counters);
        Assert.Equal(5, counters[0]);
        net.eval();
        using (torch.no_grad())
            Assert.True(Interop.MaxAbsDiff(py["logits"], net.forward(py["x"]), "old checkpoint logits") <= PyTorchToResNetGenTests.LogitTolerance);

        // Strict loading still names a counter that is there but wrong.
        checkpoint["bn1.num_batches_tracked"] = torch.tensor(new long[] { 1, 2 });
        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(checkpoint));
        Assert.Contains("bn1.num_batches_tracked: checkpoint shape [2], module shape []", e.Message);
    }

    /// <summary>Fine-tuning: ImageNet weights into a 10-class resnet18, the head left out by the key map, strict=false.</summary>
    [Fact]
    public void NonStrict_WithTheHeadDropped_LoadsTheBackbone_AndReportsTheHeadMissing()
    {
        using var scope = torch.NewDisposeScope();
        var checkpoint = Safetensors.Load(checkpoints.Path("resnet18"));
        using var net = new ResNet18With10Classes();

        // Without dropping the head, the 1000-class fc does not fit, strict or not.
        var e = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(checkpoint, strict: false));
        Assert.Contains("size mismatch for fc.weight: checkpoint shape [1000, 512], module shape [10, 512]; fc.bias: checkpoint shape [1000], module shape [10]", e.Message);

        var result = net.load_state_dict(checkpoint, strict: false, keyMap: key => key.StartsWith("fc.", StringComparison.Ordinal) ? null : key);
        Assert.Equal(["fc.weight", "fc.bias"], result.missing_keys);
        Assert.Empty(result.unexpected_keys);
        var state = net.state_dict();
        foreach (var (key, value) in checkpoint)
            if (!key.StartsWith("fc.", StringComparison.Ordinal))
                Assert.Equal(0, Interop.MaxAbsDiff(value, state[key], key));
    }
}
