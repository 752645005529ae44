using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using ResNetGen.Torch.Native;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Core;

/// <summary>
/// Bad calls must surface as .NET exceptions with a useful message, and the process must
/// survive every one of them (this class runs them all in the test process).
/// </summary>
public class BadInputTests
{
    public static TheoryData<string, Type, string, Action> Cases() => new()
    {
        { "conv2d channel mismatch names both shapes", typeof(TorchException), "weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels",
            () => { using var conv = new Conv2d(3, 8, 3); using var _ = conv.forward(torch.zeros([2, 4, 8, 8])); } },
        { "linear feature mismatch", typeof(TorchException), "cannot be multiplied",
            () => { using var lin = new Linear(4, 2); using var _ = lin.forward(torch.zeros([3, 5])); } },
        { "broadcast mismatch", typeof(TorchException), "must match the size of tensor b",
            () => { using var _ = torch.zeros([2, 3]) + torch.zeros([4]); } },
        { "view to incompatible size", typeof(TorchException), "is invalid for input of size 6",
            () => { using var _ = torch.zeros([2, 3]).view(4, 2); } },
        { "cat of mismatched shapes", typeof(TorchException), "Sizes of tensors must match",
            () => { using var _ = torch.cat([torch.zeros([2, 3]), torch.zeros([2, 4])], 0); } },
        { "cross entropy target out of range", typeof(TorchException), "out of bounds",
            () => { using var _ = F.cross_entropy(torch.zeros([2, 3]), torch.tensor(new long[] { 0, 7 })); } },
        { "cross entropy float target of wrong shape", typeof(TorchException), "",
            () => { using var _ = F.cross_entropy(torch.zeros([2, 3]), torch.zeros([5])); } },
        { "ToArray with the wrong element type", typeof(ArgumentException), "does not match the tensor's dtype int64",
            () => torch.tensor(new long[] { 1 }).ToArray<float>() },
        { "use of a disposed tensor", typeof(ObjectDisposedException), "disposed",
            () => { var t = torch.ones([2]); t.Dispose(); _ = t.shape; } },
        { "disposed tensor as an op argument", typeof(ObjectDisposedException), "disposed",
            () => { var t = torch.ones([2]); t.Dispose(); using var _ = torch.ones([2]) + t; } },
        { "data length does not match the shape", typeof(TorchException), "data has 12 bytes but shape [2, 2] needs 16",
            () => { using var _ = torch.tensor(new[] { 1f, 2f, 3f }, [2, 2]); } },
        { "cuda tensor without a GPU (or a bad ordinal)", typeof(TorchException), "",
            () => { using var _ = torch.zeros([1], device: new Device(DeviceType.CUDA, 99)); } },
        { "unknown device name", typeof(ArgumentException), "unknown device 'gpu'", () => Device.Parse("gpu") },
        { "backward through a tensor that needs no grad", typeof(TorchException), "does not require grad",
            () => torch.ones([1]).backward() },
        { "batch norm on a 2-d input", typeof(ArgumentException), "expects a 4-d input",
            () => { using var bn = new BatchNorm2d(3); using var _ = bn.forward(torch.zeros([2, 3])); } },
        { "pooling window larger than the input", typeof(TorchException), "",
            () => { using var _ = F.max_pool2d(torch.zeros([1, 1, 2, 2]), 5); } },
        { "dropout probability above 1", typeof(TorchException), "between 0 and 1",
            () => { using var _ = F.dropout(torch.ones([3]), 2.0); } },
        { "zero threads", typeof(TorchException), "at least 1", () => torch.set_num_threads(0) },
        { "item of a many-element tensor", typeof(TorchException), "",
            () => torch.ones([3]).item() },
        { "permute with the wrong number of dims", typeof(TorchException), "",
            () => { using var _ = torch.ones([2, 3]).permute(0); } },
        { "slice of a missing dimension", typeof(TorchException), "Dimension out of range",
            () => { using var _ = torch.ones([2, 3]).slice(5, 0, 1); } },
        { "index_select with a float index", typeof(TorchException), "",
            () => { using var _ = torch.ones([3]).index_select(0, torch.ones([1])); } },
        { "conv groups that do not divide the channels", typeof(ArgumentException), "groups (3) must divide",
            () => new Conv2d(4, 8, 3, groups: 3) },
        { "registering a child name twice", typeof(InvalidOperationException), "",
            () => new DuplicateNames() },
        { "a non-standard C++ exception (catch (...))", typeof(TorchException), "unknown native exception",
            () => LibTorch.Check(LibTorch.resnetgen_test_throw_unknown()) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_call_throws_a_dotnet_exception_with_a_useful_message(string name, Type type, string fragment, Action call)
    {
        var error = Record.Exception(call);
        Assert.NotNull(error);
        Assert.True(type.IsInstanceOfType(error), $"{name}: expected {type.Name}, got {error.GetType().Name}: {error.Message}");
        Assert.Contains(fragment, error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        // libtorch's message, never its C++ backtrace.
        Assert.DoesNotContain("Exception raised from", error.Message);
        // The engine still works after the failure.
        using var check = torch.ones([2]) + 1.0;
        Assert.Equal(new[] { 2f, 2f }, check.ToArray<float>());
    }

    [Fact]
    public void Disposing_twice_is_harmless()
    {
        var t = torch.ones([2]);
        t.Dispose();
        t.Dispose();
        Assert.True(t.IsDisposed);
    }

    private sealed class DuplicateNames : Module<Tensor, Tensor>
    {
        public DuplicateNames() : base(nameof(DuplicateNames))
        {
            register_module("a", new Identity());
            try
            {
                register_module("a", new Identity());
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }
        }

        public override Tensor forward(Tensor input) => input;
    }
}
