// Trains the generated StripeNet for a few steps on synthetic data and prints the loss.
// usage: dotnet run --project samples/ResNetGen.TorchSharp.Sample [-- STEPS]
using TorchSharpSample;

var steps = args.Length > 0 && int.TryParse(args[0], out var s) && s > 0 ? s : 60;
Console.WriteLine(StripeNet.Summary());
Console.WriteLine($"{StripeNet.ParameterCount:N0} parameters; training {steps} steps of 32 synthetic images");
var losses = Training.Run(steps, log: (step, loss) =>
{
    if (step % 10 == 0 || step == steps - 1) Console.WriteLine($"step {step,4}  loss {loss:F4}");
});
var head = losses.Take(5).Average();
var tail = losses.TakeLast(5).Average();
Console.WriteLine($"mean loss of the first 5 steps {head:F4}, of the last 5 {tail:F4}");
return tail < head ? 0 : 1;
