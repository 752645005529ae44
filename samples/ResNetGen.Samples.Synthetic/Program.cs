using System.Diagnostics;
using ResNetGen.Samples.Synthetic;
using ResNetGen.Torch;
using static ResNetGen.Torch.torch.nn;

// The placeholder main job: trains a hand-written two-block residual net on a fixed synthetic
// problem (which quadrant of a 16×16 image holds a bright square) and prints the loss falling.
var steps = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 300;
torch.manual_seed(0);
Console.WriteLine($"libtorch {torch.version}, {torch.get_num_threads()} threads, CUDA available: {torch.cuda.is_available()}");

using var model = new TwoBlockResNet(inChannels: 1, numClasses: 4);
using var optimizer = torch.optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9);
Console.WriteLine($"TwoBlockResNet: {model.parameter_count():N0} parameters");

var watch = Stopwatch.StartNew();
double first = double.NaN, last = double.NaN;
for (var step = 1; step <= steps; step++)
{
    using var scope = torch.NewDisposeScope();
    var (x, y) = SyntheticQuadrants.Batch(64, seed: step);
    var loss = functional.cross_entropy(model.forward(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step(); // one native call over all parameters
    last = loss.item();
    if (step == 1) first = last;
    if (step == 1 || step % 25 == 0) Console.WriteLine($"step {step,4}  loss {last:F4}");
}
Console.WriteLine($"loss {first:F4} -> {last:F4} in {watch.Elapsed.TotalSeconds:F1}s");
return last < first ? 0 : 1;
